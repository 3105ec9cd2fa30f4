func.func @softmax_axis(%a: tensor<2x10xf32>) {
  %0 = qnn.softmax %a {axis = 2} : tensor<2x10xf32>
  return
}
