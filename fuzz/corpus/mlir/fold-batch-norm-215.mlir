func.func @lqnet_weight(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[0.3]]], [[[-0.7]]]]> : tensor<2x1x1x1xf32>
  %v = arith.constant dense<[0.1, 0.3]> : tensor<2xf32>
  %wq = qnn.fake_quant lqnet weight %w basis(%v : tensor<2xf32>) {bits = 2} : tensor<2x1x1x1xf32>
  %p = arith.constant dense<1.0> : tensor<2xf32>
  %y = qnn.conv2d %x, %wq : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %z = qnn.batch_norm %y, %p, %p, %p, %p : tensor<1x2x4x4xf32>, tensor<2xf32>
  return %z : tensor<1x2x4x4xf32>
}
