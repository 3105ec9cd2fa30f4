func.func @linear_grad_weight_batch(%dy: tensor<4x10xf32>, %x: tensor<5x64xf32>) {
  %0 = qnn.linear_grad_weight %dy, %x : (tensor<4x10xf32>, tensor<5x64xf32>) -> tensor<10x64xf32>
  return
}
