func.func @sgd_nesterov(%p: tensor<4xf32>, %lr: tensor<f32>) {
  %0:2 = qnn.sgd_update %p, %p, %p, %lr {nesterov} : tensor<4xf32>
  return
}
