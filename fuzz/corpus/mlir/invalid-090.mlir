func.func @reduce_mean_axis_range(%x: tensor<2x3x4xf32>) {
  %0 = qnn.reduce_mean %x {axes = array<i64: 3>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return
}
