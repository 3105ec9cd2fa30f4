func.func @pact_boundary(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "pact,quant_first,quant_last,fm_boundary=2.5,wt_enable=false"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
