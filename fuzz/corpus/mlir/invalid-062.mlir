func.func @fq_grad_scale_method(%a: tensor<4xf32>, %c: tensor<f32>) {
  %0 = qnn.fake_quant pact activation %a clip(%c : tensor<f32>) grad_scale fan_scale {bits = 4} : tensor<4xf32>
  return
}
