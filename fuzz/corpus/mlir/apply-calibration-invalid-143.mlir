func.func @main(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
