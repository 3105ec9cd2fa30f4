func.func @first_last_bits(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = "lsq,fm_bit=4,wt_bit=4,first_bit=8,last_bit=6"} {
  %w0 = arith.constant dense<0.5> : tensor<4x4xf32>
  %w1 = arith.constant dense<0.5> : tensor<4x4xf32>
  %w2 = arith.constant dense<0.5> : tensor<2x4xf32>
  %h0 = qnn.linear %x, %w0 : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %h1 = qnn.linear %h0, %w1 : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %y = qnn.linear %h1, %w2 : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
