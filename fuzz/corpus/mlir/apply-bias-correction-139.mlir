func.func @conv(%x: tensor<?x1x4x4xf32>, %v: tensor<?x2xf32>) -> (tensor<?x2x4x4xf32>, tensor<?x3xf32>) {
  %w = arith.constant dense<0.5> : tensor<2x1x3x3xf32>
  %b = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %y = qnn.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, qnn.bias_shift = array<f64: 0.5, -0.25>} : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %lw = arith.constant dense<0.5> : tensor<3x2xf32>
  %lb = arith.constant dense<1.0> : tensor<3xf32>
  %z = qnn.linear %v, %lw, %lb : (tensor<?x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y, %z : tensor<?x2x4x4xf32>, tensor<?x3xf32>
}
