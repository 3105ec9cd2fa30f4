func.func @sgd_weight_decay(%p: tensor<4xf32>, %lr: tensor<f32>) {
  %0:2 = qnn.sgd_update %p, %p, %p, %lr {weight_decay = -0.1 : f64} : tensor<4xf32>
  return
}
