func.func @group_does_not_divide(%x: tensor<?x2x4x4xf32>) -> tensor<?x4x4x4xf32> attributes {qnn.policy = "lsq,wt_quant_group=3"} {
  %w0 = arith.constant dense<0.5> : tensor<2x2x1x1xf32>
  %w1 = arith.constant dense<0.5> : tensor<4x2x1x1xf32>
  %w2 = arith.constant dense<0.5> : tensor<4x4x1x1xf32>
  %h0 = qnn.conv2d %x, %w0 : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32> loc("stem")
  %h1 = qnn.conv2d %h0, %w1 : (tensor<?x2x4x4xf32>, tensor<4x2x1x1xf32>) -> tensor<?x4x4x4xf32> loc("block.conv")
  %y = qnn.conv2d %h1, %w2 : (tensor<?x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x4x4xf32> loc("head")
  return %y : tensor<?x4x4x4xf32>
}
