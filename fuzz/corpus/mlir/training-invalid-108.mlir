func.func @global_avg_pool_grad_shape(%dy: tensor<1x16x2x2xf32>) {
  %0 = qnn.global_avg_pool_grad %dy : (tensor<1x16x2x2xf32>) -> tensor<1x16x7x7xf32>
  return
}
