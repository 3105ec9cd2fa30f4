func.func @fake_quant_grad_needs_scale(%dy: tensor<4xf32>) {
  %0 = qnn.fake_quant_grad lsq activation %dy, %dy {bits = 4} : tensor<4xf32>
  return
}
