func.func @two_results(%x: tensor<f32>) -> (tensor<f32>, tensor<f32>) attributes {qnn.loss} {
  return %x, %x : tensor<f32>, tensor<f32>
}
