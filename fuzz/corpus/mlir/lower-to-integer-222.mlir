func.func @conv(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = arith.constant dense<[[[[0.5, -0.25]]], [[[0.3, 0.1]]]]> : tensor<2x1x1x2xf32>
  %ws = arith.constant dense<[0.25, 0.2]> : tensor<2xf32>
  %wz = arith.constant dense<0.0> : tensor<2xf32>
  %xs = arith.constant dense<0.1> : tensor<f32>
  %xz = arith.constant dense<3.0> : tensor<f32>
  %b = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %wq = qnn.fake_quant uniform weight %w scale(%ws : tensor<2xf32>) zero_point(%wz : tensor<2xf32>) {axis = 0, bits = 8, narrow} : tensor<2x1x1x2xf32>
  %xq = qnn.fake_quant uniform activation %x scale(%xs : tensor<f32>) zero_point(%xz : tensor<f32>) {bits = 8, half_range} : tensor<?x1x4x4xf32>
  %y = qnn.conv2d %xq, %wq, %b {pads = array<i64: 0, 0, 0, 1>} : (tensor<?x1x4x4xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  return %y : tensor<?x2x4x4xf32>
}
