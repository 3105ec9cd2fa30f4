func.func @sgd_lr_scalar(%p: tensor<4xf32>, %lr: tensor<1xf32>) {
  %0:2 = "qnn.sgd_update"(%p, %p, %p, %lr) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<1xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}
