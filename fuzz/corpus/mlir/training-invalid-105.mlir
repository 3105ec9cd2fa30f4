func.func @max_pool_grad_shape(%dy: tensor<1x16x3x3xf32>, %x: tensor<1x16x8x8xf32>) {
  %0 = qnn.max_pool_grad %dy, %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : (tensor<1x16x3x3xf32>, tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  return
}
