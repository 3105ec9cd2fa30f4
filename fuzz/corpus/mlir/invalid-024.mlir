func.func @batch_norm_params(%x: tensor<1x4x8x8xf32>, %p: tensor<3xf32>) {
  %0 = qnn.batch_norm %x, %p, %p, %p, %p : tensor<1x4x8x8xf32>, tensor<3xf32>
  return
}
