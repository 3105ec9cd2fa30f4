func.func @first_last_default(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = ""} {
  %w0 = arith.constant dense<0.5> : tensor<4x4xf32>
  %w1 = arith.constant dense<[[1.0, -2.0, 0.5, 0.5], [0.25, 0.25, -0.5, 0.0], [0.0, 0.0, 0.0, 0.0], [3.0, 1.0, 1.0, -1.0]]> : tensor<4x4xf32>
  %w2 = arith.constant dense<0.5> : tensor<2x4xf32>
  %h0 = qnn.linear %x, %w0 : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %r0 = qnn.relu %h0 : tensor<?x4xf32>
  %h1 = qnn.linear %r0, %w1 : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %y = qnn.linear %h1, %w2 : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
