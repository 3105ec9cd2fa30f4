func.func @lsq_plus_asymmetric(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = "quant_first,quant_last,wt_symmetric=false,fm_method=lsq_plus,fm_observer=lsq_init"} {
  %w = arith.constant dense<[[1.0, -1.0, 0.5, 0.5], [2.0, 2.0, -2.0, 2.0]]> : tensor<2x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
