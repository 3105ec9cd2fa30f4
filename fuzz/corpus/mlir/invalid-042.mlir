func.func @flatten_axis(%a: tensor<2x3xf32>) {
  %0 = qnn.flatten %a {axis = 3} : (tensor<2x3xf32>) -> tensor<6x1xf32>
  return
}
