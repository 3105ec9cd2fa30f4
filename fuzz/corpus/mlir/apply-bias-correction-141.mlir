func.func @wrong_length(%x: tensor<?x2xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  %w = arith.constant dense<0.5> : tensor<3x2xf32>
  %c = arith.constant dense<0.0> : tensor<3xf32>
  %z = qnn.linear %x, %w, %c {qnn.bias_shift = array<f64: 1.0, 1.0>} : (tensor<?x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %z : tensor<?x3xf32>
}
