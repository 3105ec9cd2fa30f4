func.func @fq_missing_param(%a: tensor<4xf32>) {
  %0 = qnn.fake_quant lsq activation %a {bits = 4} : tensor<4xf32>
  return
}
