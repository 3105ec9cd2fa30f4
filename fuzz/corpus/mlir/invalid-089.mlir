func.func @reduce_mean_unsorted(%x: tensor<2x3x4xf32>) {
  %0 = qnn.reduce_mean %x {axes = array<i64: 2, 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  return
}
