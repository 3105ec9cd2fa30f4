func.func @pad_into_conv(%x: tensor<?x1x4x4xf32>) -> (tensor<?x1x4x4xf32>, tensor<?x1x4x4xf32>) {
  %w = arith.constant dense<0.5> : tensor<1x1x3x3xf32>
  %ws = arith.constant dense<0.25> : tensor<f32>
  %xs = arith.constant dense<0.1> : tensor<f32>
  %z0 = arith.constant dense<0.0> : tensor<f32>
  %p = qnn.pad %x {pads = array<i64: 0, 0, 1, 0, 0, 0, 1, 1>} : (tensor<?x1x4x4xf32>) -> tensor<?x1x6x5xf32>
  %xq = qnn.fake_quant uniform activation %p scale(%xs : tensor<f32>) zero_point(%z0 : tensor<f32>) {bits = 8, half_range} : tensor<?x1x6x5xf32>
  %wq = qnn.fake_quant uniform weight %w scale(%ws : tensor<f32>) zero_point(%z0 : tensor<f32>) {bits = 8} : tensor<1x1x3x3xf32>
  %y = qnn.conv2d %xq, %wq {pads = array<i64: 0, 1, 0, 0>} : (tensor<?x1x6x5xf32>, tensor<1x1x3x3xf32>) -> tensor<?x1x4x4xf32>
  return %y, %x : tensor<?x1x4x4xf32>, tensor<?x1x4x4xf32>
}
