func.func @avg_pool_grad_shape(%dy: tensor<1x16x4x4xf32>) {
  %0 = qnn.avg_pool_grad %dy {kernel = array<i64: 2, 2>} : (tensor<1x16x4x4xf32>) -> tensor<1x16x8x8xf32>
  return
}
