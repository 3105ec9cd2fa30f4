func.func @mse_loss_types(%a: tensor<4xf32>, %b: tensor<5xf32>) {
  %0:2 = "qnn.mse_loss"(%a, %b) : (tensor<4xf32>, tensor<5xf32>) -> (tensor<f32>, tensor<4xf32>)
  return
}
