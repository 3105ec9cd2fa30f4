func.func @sgd_momentum(%p: tensor<4xf32>, %lr: tensor<f32>) {
  %0:2 = qnn.sgd_update %p, %p, %p, %lr {momentum = -0.9 : f64} : tensor<4xf32>
  return
}
