func.func @asymmetric_weight(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[0.14, -0.93], [0.81, 0.0]]> : tensor<2x2xf32>
  %s = arith.constant dense<0.1> : tensor<2xf32>
  %z = arith.constant dense<8.0> : tensor<2xf32>
  %wq = qnn.fake_quant uniform weight %w scale(%s : tensor<2xf32>) zero_point(%z : tensor<2xf32>) {axis = 0 : i64, bits = 4 : i64, half_range} : tensor<2x2xf32>
  %y = qnn.linear %x, %wq : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
