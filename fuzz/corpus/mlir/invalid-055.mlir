func.func @fq_extra_param(%a: tensor<4xf32>, %s: tensor<f32>, %b: tensor<4xf32>) {
  %0 = qnn.fake_quant lsq activation %a scale(%s : tensor<f32>) basis(%b : tensor<4xf32>) {bits = 4} : tensor<4xf32>
  return
}
