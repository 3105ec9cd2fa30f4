func.func @reduce_to_rank(%dy: tensor<16xf32>) {
  %0 = qnn.reduce_to %dy : (tensor<16xf32>) -> tensor<1x16xf32>
  return
}
