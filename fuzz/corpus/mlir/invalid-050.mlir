func.func @fq_group_length(%w: tensor<16x8x3x3xf32>, %s: tensor<16xf32>) {
  %0 = qnn.fake_quant lsq weight %w scale(%s : tensor<16xf32>) {axis = 0, groups = 4, bits = 4} : tensor<16x8x3x3xf32>
  return
}
