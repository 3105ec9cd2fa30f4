func.func @fused_residual(%x: tensor<?x1x4x4xf32>, %res: tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = arith.constant dense<[[[[0.5]]], [[[0.3]]]]> : tensor<2x1x1x1xf32>
  %ws = arith.constant dense<[0.25, 0.2]> : tensor<2xf32>
  %xs = arith.constant dense<0.1> : tensor<f32>
  %z0 = arith.constant dense<0.0> : tensor<f32>
  %rs = arith.constant dense<0.25> : tensor<f32>
  %rz = arith.constant dense<1.0> : tensor<f32>
  %ys = arith.constant dense<0.05> : tensor<f32>
  %rq = qnn.fake_quant uniform activation %res scale(%rs : tensor<f32>) zero_point(%rz : tensor<f32>) {bits = 8, half_range} : tensor<?x2x4x4xf32>
  %wz = arith.constant dense<0.0> : tensor<2xf32>
  %wq = qnn.fake_quant uniform weight %w scale(%ws : tensor<2xf32>) zero_point(%wz : tensor<2xf32>) {axis = 0, bits = 8} : tensor<2x1x1x1xf32>
  %xq = qnn.fake_quant uniform activation %x scale(%xs : tensor<f32>) zero_point(%z0 : tensor<f32>) {bits = 8, half_range} : tensor<?x1x4x4xf32>
  %y = qnn.conv2d %xq, %wq : (tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<?x2x4x4xf32>
  %a = qnn.add %y, %rq : (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %r = qnn.relu %a : tensor<?x2x4x4xf32>
  %o = qnn.fake_quant uniform activation %r scale(%ys : tensor<f32>) zero_point(%z0 : tensor<f32>) {bits = 8, half_range} : tensor<?x2x4x4xf32>
  return %o : tensor<?x2x4x4xf32>
}
