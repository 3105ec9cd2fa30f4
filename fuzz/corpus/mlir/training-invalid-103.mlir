func.func @batch_norm_grad_types(%dy: tensor<1x16x4x4xf32>, %x: tensor<2x16x4x4xf32>, %g: tensor<16xf32>) {
  %d:3 = "qnn.batch_norm_grad"(%dy, %x, %g, %g, %g) : (tensor<1x16x4x4xf32>, tensor<2x16x4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<2x16x4x4xf32>, tensor<16xf32>, tensor<16xf32>)
  return
}
