func.func @pool_kernel_length(%x: tensor<1x4x8x8xf32>) {
  %0 = qnn.avg_pool %x {kernel = array<i64: 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x7x7xf32>
  return
}
