func.func @pool_zero_stride(%x: tensor<1x4x8x8xf32>) {
  %0 = qnn.avg_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  return
}
