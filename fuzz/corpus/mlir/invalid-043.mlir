func.func @transpose_perm(%a: tensor<2x3x4xf32>) {
  %0 = qnn.transpose %a {perm = array<i64: 0, 1, 1>} : (tensor<2x3x4xf32>) -> tensor<2x3x3xf32>
  return
}
