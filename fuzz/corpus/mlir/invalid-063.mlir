func.func @fq_adaptive_activation(%a: tensor<4xf32>, %s: tensor<f32>) {
  %0 = qnn.fake_quant lsq activation %a scale(%s : tensor<f32>) adaptive var_mean {bits = 4} : tensor<4xf32>
  return
}
