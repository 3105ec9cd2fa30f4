func.func @pad_grad_count(%dy: tensor<1x16x2x2xf32>) {
  %0 = qnn.pad_grad %dy {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x2x2xf32>) -> tensor<1x16x2x2xf32>
  return
}
