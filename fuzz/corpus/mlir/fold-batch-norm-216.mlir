func.func @scale_not_constant(%x: tensor<1x1x4x4xf32>, %s: tensor<f32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[0.3]]], [[[-0.7]]]]> : tensor<2x1x1x1xf32>
  %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<f32>) {bits = 4} : tensor<2x1x1x1xf32>
  %p = arith.constant dense<1.0> : tensor<2xf32>
  %y = qnn.conv2d %x, %wq : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %z = qnn.batch_norm %y, %p, %p, %p, %p : tensor<1x2x4x4xf32>, tensor<2xf32>
  return %z : tensor<1x2x4x4xf32>
}
