func.func @pad_length(%a: tensor<1x4x8x8xf32>) {
  %0 = qnn.pad %a {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x10x10xf32>
  return
}
