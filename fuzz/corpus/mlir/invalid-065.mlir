func.func @observe_bits(%a: tensor<4xf32>) {
  %0 = qnn.observe min_max activation %a {bits = 32} : tensor<4xf32>
  return
}
