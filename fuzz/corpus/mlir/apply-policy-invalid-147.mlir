func.func @case3(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lsq,fm_bit=0"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
