func.func @padding_after_quant(%x: tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> attributes {qnn.policy = "lsq,quant_first,quant_last,padding_after_quant"} {
  %w = arith.constant dense<0.5> : tensor<2x2x3x3xf32>
  %y = qnn.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<?x2x4x4xf32>
  return %y : tensor<?x2x4x4xf32>
}
