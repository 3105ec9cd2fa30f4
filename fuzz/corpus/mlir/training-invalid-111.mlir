func.func @reduce_to_not_broadcast(%dy: tensor<4x16x8x8xf32>) {
  %0 = qnn.reduce_to %dy : (tensor<4x16x8x8xf32>) -> tensor<3x1xf32>
  return
}
