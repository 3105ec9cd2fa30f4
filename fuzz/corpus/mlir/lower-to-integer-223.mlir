func.func @linear_lsq(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[1.0, -4.0], [0.2, 9.0], [-0.75, 0.25]]> : tensor<3x2xf32>
  %w2 = arith.constant dense<1.0> : tensor<2x3xf32>
  %s = arith.constant dense<0.5> : tensor<f32>
  %xs = arith.constant dense<0.1> : tensor<f32>
  %b = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<f32>) {bits = 4} : tensor<3x2xf32>
  %xq = qnn.fake_quant lsq activation %x scale(%xs : tensor<f32>) {bits = 8} : tensor<?x2xf32>
  %y = qnn.linear %xq, %wq, %b : (tensor<?x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %z = qnn.linear %y, %w2 : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
  return %z : tensor<?x2xf32>
}
