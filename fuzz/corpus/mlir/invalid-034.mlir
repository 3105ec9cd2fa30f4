func.func @pool_zero_kernel(%x: tensor<1x4x8x8xf32>) {
  %0 = qnn.max_pool %x {kernel = array<i64: 0, 2>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x7xf32>
  return
}
