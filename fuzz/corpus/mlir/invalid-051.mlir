func.func @fq_groups_divide(%w: tensor<16x8x3x3xf32>, %s: tensor<3xf32>) {
  %0 = qnn.fake_quant lsq weight %w scale(%s : tensor<3xf32>) {axis = 0, groups = 3, bits = 4} : tensor<16x8x3x3xf32>
  return
}
