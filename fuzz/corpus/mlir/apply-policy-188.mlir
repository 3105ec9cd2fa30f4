func.func @grad_options(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = "lsq,quant_first,quant_last,wt_grad_scale=fan-scale,wt_adaptive=var-mean,wt_grad_type=ste_scale,fm_grad_type=clipped_ste,fm_grad_scale=scale-element"} {
  %w = arith.constant dense<0.5> : tensor<2x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
