func.func @overrides(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = "lsq,fm_bit=4,wt_bit=4,layer.1.wt_bit=2,layer.head.enable=true,layer.head.fm_bit=8,layer.-2.fm_enable=false"} {
  %w0 = arith.constant dense<0.5> : tensor<4x4xf32>
  %w1 = arith.constant dense<0.5> : tensor<4x4xf32>
  %w2 = arith.constant dense<0.5> : tensor<4x4xf32>
  %w3 = arith.constant dense<0.5> : tensor<2x4xf32>
  %h0 = qnn.linear %x, %w0 : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("stem")
  %h1 = qnn.linear %h0, %w1 : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("block.fc1")
  %h2 = qnn.linear %h1, %w2 {qnn.name = "block.fc2"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %y = qnn.linear %h2, %w3 : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32> loc(fused["head", "bn"])
  return %y : tensor<?x2xf32>
}
