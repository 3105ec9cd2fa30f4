func.func @observe_axis(%a: tensor<4x3xf32>) {
  %0 = qnn.observe mse weight %a {axis = 2, bits = 8} : tensor<4x3xf32>
  return
}
