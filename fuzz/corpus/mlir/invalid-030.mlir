func.func @clip_bounds(%a: tensor<4xf32>) {
  %0 = qnn.clip %a {min = 6.0 : f64, max = 0.0 : f64} : tensor<4xf32>
  return
}
