func.func @linear_features(%x: tensor<2x63xf32>, %w: tensor<10x64xf32>) {
  %0 = qnn.linear %x, %w : (tensor<2x63xf32>, tensor<10x64xf32>) -> tensor<2x10xf32>
  return
}
