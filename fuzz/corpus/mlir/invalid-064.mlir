func.func @fq_unknown_method(%a: tensor<4xf32>) {
  %0 = qnn.fake_quant ternary activation %a {bits = 2} : tensor<4xf32>
  return
}
