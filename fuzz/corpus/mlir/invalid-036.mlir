func.func @pool_zero_dilation(%x: tensor<1x4x8x8xf32>) {
  %0 = qnn.max_pool %x {kernel = array<i64: 2, 2>, dilations = array<i64: 0, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x7x7xf32>
  return
}
