func.func @dynamic_channels(%x: tensor<?x?xf32>, %w: tensor<4x?xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lsq,quant_first,quant_last,fm_quant_group=C"} {
  %y = qnn.linear %x, %w : (tensor<?x?xf32>, tensor<4x?xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
