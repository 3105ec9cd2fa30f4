func.func @observe_norm(%a: tensor<4xf32>) {
  %0 = qnn.observe mse activation %a {bits = 8, norm = 0.0 : f64} : tensor<4xf32>
  return
}
