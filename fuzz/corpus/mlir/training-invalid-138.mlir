func.func @adaround_regularizer_beta(%v: tensor<4xf32>, %beta: tensor<2xf32>, %lambda: tensor<f32>) {
  %0:2 = "qnn.adaround_regularizer"(%v, %beta, %lambda) : (tensor<4xf32>, tensor<2xf32>, tensor<f32>) -> (tensor<f32>, tensor<4xf32>)
  return
}
