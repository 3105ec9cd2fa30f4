func.func @fq_xnor_bits(%a: tensor<4xf32>) {
  %0 = qnn.fake_quant xnor activation %a {bits = 2} : tensor<4xf32>
  return
}
