func.func @fq_per_channel_length(%w: tensor<16x8x3x3xf32>, %s: tensor<8xf32>) {
  %0 = qnn.fake_quant lsq weight %w scale(%s : tensor<8xf32>) {axis = 0, bits = 4} : tensor<16x8x3x3xf32>
  return
}
