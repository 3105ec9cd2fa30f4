func.func @fq_per_tensor_length(%w: tensor<16x8x3x3xf32>, %s: tensor<16xf32>) {
  %0 = qnn.fake_quant lsq weight %w scale(%s : tensor<16xf32>) {bits = 4} : tensor<16x8x3x3xf32>
  return
}
