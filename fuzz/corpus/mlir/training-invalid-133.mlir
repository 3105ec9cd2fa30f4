func.func @batch_norm_grad_epsilon(%dy: tensor<1x16x4x4xf32>, %g: tensor<16xf32>) {
  %d:3 = qnn.batch_norm_grad %dy, %dy, %g, %g, %g {epsilon = -1.0 : f64} : tensor<1x16x4x4xf32>, tensor<16xf32>
  return
}
