func.func @observe_percentile(%a: tensor<4xf32>) {
  %0 = qnn.observe percentile activation %a {bits = 8, percentile = 101.0 : f64} : tensor<4xf32>
  return
}
