func.func @relu_grad_types(%dy: tensor<4xf32>, %y: tensor<5xf32>) {
  %0 = "qnn.relu_grad"(%dy, %y) : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32>
  return
}
