func.func @pool_pad_exceeds_kernel(%x: tensor<1x4x8x8xf32>) {
  %0 = qnn.max_pool %x {kernel = array<i64: 2, 2>, pads = array<i64: 2, 0, 0, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x6x4xf32>
  return
}
