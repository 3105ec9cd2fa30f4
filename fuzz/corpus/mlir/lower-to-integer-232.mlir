func.func @negative_step(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<[[[[0.5, -0.25], [0.5, -1.0]]], [[[0.5, -1.0], [0.5, -1.0]]]]> : tensor<2x1x2x2xf32>
  %ws = arith.constant dense<[0.25, -0.25]> : tensor<2xf32>
  %wq = qnn.fake_quant lsq weight %w scale(%ws : tensor<2xf32>) {axis = 0, bits = 4} : tensor<2x1x2x2xf32>
  %y = qnn.conv2d %x, %wq : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}
