func.func @batch_norm_grad_channels(%dy: tensor<1x16x4x4xf32>, %g: tensor<8xf32>) {
  %d:3 = qnn.batch_norm_grad %dy, %dy, %g, %g, %g : tensor<1x16x4x4xf32>, tensor<8xf32>
  return
}
