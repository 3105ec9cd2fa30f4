func.func @linear_weight_rank(%x: tensor<2x64xf32>, %w: tensor<10x64x1xf32>) {
  %0 = qnn.linear %x, %w : (tensor<2x64xf32>, tensor<10x64x1xf32>) -> tensor<2x10xf32>
  return
}
