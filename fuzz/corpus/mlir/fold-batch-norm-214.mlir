func.func @flipped_level_narrow(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x3xf32> {
  %w = arith.constant dense<[[[[0.25, 0.0]]], [[[-0.25, 0.25]]]]> : tensor<2x1x1x2xf32>
  %s = arith.constant dense<0.25> : tensor<f32>
  %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<f32>) {bits = 2, narrow} : tensor<2x1x1x2xf32>
  %gamma = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %p = arith.constant dense<1.0> : tensor<2xf32>
  %y = qnn.conv2d %x, %wq : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x3xf32>
  %z = qnn.batch_norm %y, %gamma, %p, %p, %p : tensor<1x2x4x3xf32>, tensor<2xf32>
  return %z : tensor<1x2x4x3xf32>
}
