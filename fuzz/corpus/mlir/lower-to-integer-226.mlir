func.func @fused_relu_pad(%x: tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32> {
  %w = arith.constant dense<[[[[0.5]]], [[[0.3]]]]> : tensor<2x1x1x1xf32>
  %ws = arith.constant dense<[0.25, 0.2]> : tensor<2xf32>
  %wz = arith.constant dense<0.0> : tensor<2xf32>
  %xs = arith.constant dense<0.1> : tensor<f32>
  %xz = arith.constant dense<3.0> : tensor<f32>
  %b = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %z0 = arith.constant dense<0.0> : tensor<f32>
  %w2 = arith.constant dense<0.2> : tensor<1x2x3x3xf32>
  %w2s = arith.constant dense<0.2> : tensor<f32>
  %ys = arith.constant dense<0.05> : tensor<f32>
  %wq = qnn.fake_quant uniform weight %w scale(%ws : tensor<2xf32>) zero_point(%wz : tensor<2xf32>) {axis = 0, bits = 8} : tensor<2x1x1x1xf32>
  %xq = qnn.fake_quant uniform activation %x scale(%xs : tensor<f32>) zero_point(%xz : tensor<f32>) {bits = 8, half_range} : tensor<?x1x4x4xf32>
  %y = qnn.conv2d %xq, %wq, %b : (tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %r = qnn.relu %y : tensor<?x2x4x4xf32>
  %p = qnn.pad %r {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<?x2x4x4xf32>) -> tensor<?x2x6x6xf32>
  %pq = qnn.fake_quant uniform activation %p scale(%ys : tensor<f32>) zero_point(%z0 : tensor<f32>) {bits = 8, half_range} : tensor<?x2x6x6xf32>
  %w2q = qnn.fake_quant uniform weight %w2 scale(%w2s : tensor<f32>) zero_point(%z0 : tensor<f32>) {bits = 8} : tensor<1x2x3x3xf32>
  %z = qnn.conv2d %pq, %w2q : (tensor<?x2x6x6xf32>, tensor<1x2x3x3xf32>) -> tensor<?x1x4x4xf32>
  return %z : tensor<?x1x4x4xf32>
}
