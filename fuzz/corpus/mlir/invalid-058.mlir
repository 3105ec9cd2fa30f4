func.func @fq_adaround_activation(%a: tensor<4xf32>, %s: tensor<f32>) {
  %0 = qnn.fake_quant adaround activation %a scale(%s : tensor<f32>) offset(%a : tensor<4xf32>) {bits = 4} : tensor<4xf32>
  return
}
