func.func @lsq_weight(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x3xf32> {
  %w = arith.constant dense<[[[[0.75, -1.25]]], [[[0.5, 1.0]]]]> : tensor<2x1x1x2xf32>
  %s = arith.constant dense<0.25> : tensor<f32>
  %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<f32>) {bits = 4, qnn.name = "conv.wt"} : tensor<2x1x1x2xf32>
  %gamma = arith.constant dense<[2.0, -1.0]> : tensor<2xf32>
  %beta = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = arith.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %y = qnn.conv2d %x, %wq : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x3xf32>
  %z = qnn.batch_norm %y, %gamma, %beta, %mean, %var {epsilon = 1.0 : f64} : tensor<1x2x4x3xf32>, tensor<2xf32>
  return %z : tensor<1x2x4x3xf32>
}
