func.func @output_quant(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = "lsq,quant_first,quant_last,fm_enable=false,wt_enable=false,ot_enable,ot_bit=6"} {
  %w = arith.constant dense<0.5> : tensor<2x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  %r = qnn.relu %y : tensor<?x2xf32>
  return %r : tensor<?x2xf32>
}
