func.func @fake_quant_grad_param_shape(%dy: tensor<4x2xf32>, %s: tensor<2xf32>) {
  %0:2 = qnn.fake_quant_grad lsq weight %dy, %dy scale(%s : tensor<2xf32>) {axis = 0, bits = 4} : tensor<4x2xf32>
  return
}
