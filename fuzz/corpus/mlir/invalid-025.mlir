func.func @batch_norm_epsilon(%x: tensor<1x4x8x8xf32>, %p: tensor<4xf32>) {
  %0 = qnn.batch_norm %x, %p, %p, %p, %p {epsilon = 0.0 : f64} : tensor<1x4x8x8xf32>, tensor<4xf32>
  return
}
