func.func @weights_not_constant(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %p = arith.constant dense<1.0> : tensor<2xf32>
  %y = qnn.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %z = qnn.batch_norm %y, %p, %p, %p, %p : tensor<1x2x4x4xf32>, tensor<2xf32>
  return %z : tensor<1x2x4x4xf32>
}
