func.func @lqnet(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[0.5, -1.0, 0.25], [2.0, 0.0, -0.5]]> : tensor<2x3xf32>
  %wv = arith.constant dense<[[0.1, 0.2], [0.1, 0.2]]> : tensor<2x2xf32>
  %v = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %wq = qnn.fake_quant lqnet weight %w basis(%wv : tensor<2x2xf32>) {axis = 0, bits = 2} : tensor<2x3xf32>
  %xq = qnn.fake_quant lqnet activation %x basis(%v : tensor<2xf32>) {bits = 2, half_range} : tensor<?x3xf32>
  %y = qnn.linear %xq, %wq : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
