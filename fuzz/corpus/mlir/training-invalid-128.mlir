func.func @sgd_dampening(%p: tensor<4xf32>, %lr: tensor<f32>) {
  %0:2 = qnn.sgd_update %p, %p, %p, %lr {dampening = 2.0 : f64} : tensor<4xf32>
  return
}
