func.func @lq_signed_input(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lq,quant_first,quant_last,fm_bit=2,wt_bit=3"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
