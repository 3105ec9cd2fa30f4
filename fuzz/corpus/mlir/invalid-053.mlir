func.func @fq_axis_range(%w: tensor<16x8x3x3xf32>, %s: tensor<16xf32>) {
  %0 = qnn.fake_quant lsq weight %w scale(%s : tensor<16xf32>) {axis = 4, bits = 4} : tensor<16x8x3x3xf32>
  return
}
