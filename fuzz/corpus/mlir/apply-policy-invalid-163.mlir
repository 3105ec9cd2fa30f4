func.func @override_matches_nothing(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lsq,layer.conv9.wt_bit=2"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %h = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("a")
  %y = qnn.linear %h, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("b")
  return %y : tensor<?x4xf32>
}
