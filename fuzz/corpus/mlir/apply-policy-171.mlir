func.func @quant_first_last(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = "dorefa,fm_bit=2,wt_bit=2,quant_first,quant_last"} {
  %w0 = arith.constant dense<0.5> : tensor<4x4xf32>
  %w1 = arith.constant dense<0.5> : tensor<2x4xf32>
  %h0 = qnn.linear %x, %w0 : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %y = qnn.linear %h0, %w1 : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
