func.func @quant_group_n(%x: tensor<?x2x4x4xf32>) -> tensor<?x4x4x4xf32> attributes {qnn.policy = "lsq,quant_first,quant_last,wt_quant_group=2"} {
  %w = arith.constant dense<[[[[1.0]], [[-1.0]]], [[[2.0]], [[2.0]]], [[[0.5]], [[0.0]]], [[[-3.0]], [[1.0]]]]> : tensor<4x2x1x1xf32>
  %y = qnn.conv2d %x, %w : (tensor<?x2x4x4xf32>, tensor<4x2x1x1xf32>) -> tensor<?x4x4x4xf32>
  return %y : tensor<?x4x4x4xf32>
}
