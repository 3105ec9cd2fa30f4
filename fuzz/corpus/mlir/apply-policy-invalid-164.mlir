func.func @override_conflict(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "xnor,layer.b.fm_bit=4,quant_last"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %h = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("a")
  %y = qnn.linear %h, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("b")
  return %y : tensor<?x4xf32>
}
