func.func @not_scalar(%x: tensor<4xf32>) -> tensor<4xf32> attributes {qnn.loss} {
  %y = qnn.relu %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
