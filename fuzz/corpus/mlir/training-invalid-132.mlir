func.func @adam_epsilon(%p: tensor<4xf32>, %lr: tensor<f32>) {
  %0:3 = qnn.adam_update %p, %p, %p, %p, %lr, %lr {epsilon = 0.0 : f64} : tensor<4xf32>
  return
}
