func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x10xf32> {
  %w = arith.constant dense<0.1> : tensor<10x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<10x4xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}
