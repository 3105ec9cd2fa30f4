func.func @xnor_gamma(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = "xnor,gamma,quant_first,quant_last"} {
  %w = arith.constant dense<[[1.0, -1.0, 0.5, 0.5], [2.0, 2.0, -2.0, 2.0]]> : tensor<2x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
