func.func @linear_grad_input_features(%dy: tensor<4x10xf32>, %w: tensor<12x64xf32>) {
  %0 = qnn.linear_grad_input %dy, %w : (tensor<4x10xf32>, tensor<12x64xf32>) -> tensor<4x64xf32>
  return
}
