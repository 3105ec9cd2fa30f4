func.func @main(%x: tensor<?x1x8x8xf32>) -> tensor<?x2x10x10xf32> {
  %s = arith.constant dense<0.05> : tensor<f32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %w = arith.constant dense<0.5> : tensor<2x1x3x3xf32>
  %ws = arith.constant dense<[0.1, 0.2]> : tensor<2xf32>
  %p = qnn.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<?x1x8x8xf32>) -> tensor<?x1x10x10xf32>
  %xq = qnn.fake_quant uniform activation %p scale(%s : tensor<f32>) zero_point(%z : tensor<f32>) {bits = 8, half_range, qnn.name = "input"} : tensor<?x1x10x10xf32>
  %wq = qnn.fake_quant lsq weight %w scale(%ws : tensor<2xf32>) {axis = 0, bits = 4} : tensor<2x1x3x3xf32>
  %y = qnn.conv2d %xq, %wq {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x1x10x10xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x10x10xf32>
  %g = arith.constant dense<1.0> : tensor<2xf32>
  %b = arith.constant dense<0.0> : tensor<2xf32>
  %bn = qnn.batch_norm %y, %g, %b, %b, %g : tensor<?x2x10x10xf32>, tensor<2xf32>
  %a = qnn.fake_quant lsq activation %bn scale(%s : tensor<f32>) {bits = 4, half_range, qnn.name = "act"} : tensor<?x2x10x10xf32>
  %o = qnn.fake_quant lsq activation %a scale(%s : tensor<f32>) {bits = 4, half_range, qnn.name = "own", qnn.observer = #qnn<observer mse>} : tensor<?x2x10x10xf32>
  return %o : tensor<?x2x10x10xf32>
}
