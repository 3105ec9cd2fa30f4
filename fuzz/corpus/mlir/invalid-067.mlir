func.func @observe_momentum(%a: tensor<4xf32>) {
  %0 = qnn.observe ema_min_max activation %a {bits = 8, momentum = 1.0 : f64} : tensor<4xf32>
  return
}
