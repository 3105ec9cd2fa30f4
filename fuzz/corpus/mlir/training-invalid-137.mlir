func.func @adam_beta1(%p: tensor<4xf32>, %lr: tensor<f32>) {
  %0:3 = qnn.adam_update %p, %p, %p, %p, %lr, %lr {beta1 = -0.5 : f64} : tensor<4xf32>
  return
}
