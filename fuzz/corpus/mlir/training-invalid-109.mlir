func.func @pad_grad_too_small(%dy: tensor<1x16x2x2xf32>) {
  %0 = qnn.pad_grad %dy {pads = array<i64: 0, 0, 2, 0, 0, 0, 2, 0>} : (tensor<1x16x2x2xf32>) -> tensor<1x16x0x2xf32>
  return
}
