func.func @fq_bits_zero(%a: tensor<4xf32>, %s: tensor<f32>) {
  %0 = qnn.fake_quant lsq activation %a scale(%s : tensor<f32>) {bits = 0} : tensor<4xf32>
  return
}
