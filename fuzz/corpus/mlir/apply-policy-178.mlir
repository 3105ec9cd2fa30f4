func.func @dorefa_boundary(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "dorefa,quant_first,quant_last,fm_bit=2,wt_bit=2,fm_boundary=1.5"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
