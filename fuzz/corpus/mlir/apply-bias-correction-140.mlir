func.func @no_bias(%x: tensor<?x2xf32>) -> tensor<?x3xf32> {
  %w = arith.constant dense<0.5> : tensor<3x2xf32>
  %z = qnn.linear %x, %w {qnn.bias_shift = array<f64: 1.0, 1.0, 1.0>} : (tensor<?x2xf32>, tensor<3x2xf32>) -> tensor<?x3xf32>
  return %z : tensor<?x3xf32>
}
