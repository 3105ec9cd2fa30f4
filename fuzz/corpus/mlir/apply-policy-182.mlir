func.func @xnor(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = "xnor,quant_first,quant_last,fm_grad_type=triangle"} {
  %w = arith.constant dense<[[1.0, -1.0, 0.5, 0.5], [2.0, 2.0, -2.0, 2.0]]> : tensor<2x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
