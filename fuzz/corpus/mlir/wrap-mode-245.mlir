func.func @block(%x: tensor<?x1x8x8xf32>) -> tensor<?x2x8x8xf32> {
  %w = arith.constant dense<0.5> : tensor<2x1x3x3xf32>
  %ws = arith.constant dense<[0.1, 0.2]> : tensor<2xf32>
  %s = arith.constant dense<0.05> : tensor<f32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %wz = arith.constant dense<0.0> : tensor<2xf32>
  %wq = qnn.fake_quant uniform weight %w scale(%ws : tensor<2xf32>) zero_point(%wz : tensor<2xf32>) {axis = 0, bits = 4, narrow} : tensor<2x1x3x3xf32>
  %xq = qnn.fake_quant uniform activation %x scale(%s : tensor<f32>) zero_point(%z : tensor<f32>) {bits = 8, half_range, qnn.name = "stem.act"} : tensor<?x1x8x8xf32>
  %y = qnn.conv2d %xq, %wq {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x1x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x8x8xf32>
  %yq = qnn.fake_quant lsq activation %y scale(%s : tensor<f32>) {bits = 4, half_range, qnn.observer = #qnn<observer percentile>, qnn.percentile = 99.9 : f64} : tensor<?x2x8x8xf32>
  %dw = qnn.fake_quant dorefa weight %w {bits = 2} : tensor<2x1x3x3xf32>
  %y2 = qnn.conv2d %yq, %dw {pads = array<i64: 1, 1, 1, 1>, groups = 2} : (tensor<?x2x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x8x8xf32>
  return %y2 : tensor<?x2x8x8xf32>
}
