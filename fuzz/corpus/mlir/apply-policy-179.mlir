func.func @lq(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lq,quant_first,quant_last,fm_bit=2,wt_bit=3,fm_boundary=3.0"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %r = qnn.relu %x : tensor<?x4xf32>
  %y = qnn.linear %r, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
