func.func @adam_beta(%p: tensor<4xf32>, %lr: tensor<f32>) {
  %0:3 = qnn.adam_update %p, %p, %p, %p, %lr, %lr {beta2 = 1.0 : f64} : tensor<4xf32>
  return
}
