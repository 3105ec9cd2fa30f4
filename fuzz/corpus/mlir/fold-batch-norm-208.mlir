func.func @shared_weight(%x: tensor<1x1x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = arith.constant dense<1.0> : tensor<2x1x1x1xf32>
  %p = arith.constant dense<1.0> : tensor<2xf32>
  %y1 = qnn.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y2 = qnn.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %z1 = qnn.batch_norm %y1, %p, %p, %p, %p : tensor<1x2x4x4xf32>, tensor<2xf32>
  %z2 = qnn.batch_norm %y2, %p, %p, %p, %p : tensor<1x2x4x4xf32>, tensor<2xf32>
  return %z1, %z2 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}
