func.func @sign_before_relu(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "xnor,sign_before_relu,layer.2.fm_method=lsq,layer.2.fm_bit=4"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %h0 = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %r0 = qnn.relu %h0 : tensor<?x4xf32>
  %h1 = qnn.linear %r0, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %r1 = qnn.relu %h1 : tensor<?x4xf32>
  %h2 = qnn.linear %r1, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %h3 = qnn.linear %h2, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %y = qnn.add %h3, %r0 : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
