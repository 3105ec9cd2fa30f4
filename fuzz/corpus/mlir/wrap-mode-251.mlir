func.func @adaround(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[0.14, 0.14], [-0.26, 0.95]]> : tensor<2x2xf32>
  %s = arith.constant dense<0.1> : tensor<2xf32>
  %v = arith.constant dense<[[-1.0, 0.5], [2.0, 3.0]]> : tensor<2x2xf32>
  %wq = qnn.fake_quant adaround weight %w scale(%s : tensor<2xf32>) offset(%v : tensor<2x2xf32>) {axis = 0 : i64, bits = 4 : i64, qnn.name = "fc.wt"} : tensor<2x2xf32>
  %y = qnn.linear %x, %wq : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
