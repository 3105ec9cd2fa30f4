func.func @fq_narrow_half_range(%a: tensor<4xf32>, %s: tensor<f32>) {
  %0 = qnn.fake_quant lsq activation %a scale(%s : tensor<f32>) {bits = 4, half_range, narrow} : tensor<4xf32>
  return
}
