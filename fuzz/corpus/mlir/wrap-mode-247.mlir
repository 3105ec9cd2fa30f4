func.func @lsq(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[0.5, -1.0, 0.25], [2.0, 0.0, -0.5]]> : tensor<2x3xf32>
  %ws = arith.constant dense<[0.1, 0.2]> : tensor<2xf32>
  %s = arith.constant dense<1.0> : tensor<f32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %wq = qnn.fake_quant lsq weight %w scale(%ws : tensor<2xf32>) {axis = 0, bits = 2} : tensor<2x3xf32>
  %xq = qnn.fake_quant lsq activation %x scale(%s : tensor<f32>) {bits = 2, half_range} : tensor<?x3xf32>
  %y = qnn.linear %xq, %wq : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
  %yq = qnn.fake_quant lsq_plus activation %y scale(%s : tensor<f32>) zero_point(%z : tensor<f32>) {bits = 4} : tensor<?x2xf32>
  return %yq : tensor<?x2xf32>
}
