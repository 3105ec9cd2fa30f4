func.func @bias_grad_rank(%dy: tensor<16xf32>) {
  %0 = qnn.bias_grad %dy : (tensor<16xf32>) -> tensor<16xf32>
  return
}
