func.func @fq_groups_need_axis(%w: tensor<16x8x3x3xf32>, %s: tensor<4xf32>) {
  %0 = qnn.fake_quant lsq weight %w scale(%s : tensor<4xf32>) {groups = 4, bits = 4} : tensor<16x8x3x3xf32>
  return
}
