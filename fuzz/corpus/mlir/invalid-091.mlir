func.func @reduce_mean_type(%x: tensor<2x3x4xf32>) {
  %0 = qnn.reduce_mean %x {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  return
}
