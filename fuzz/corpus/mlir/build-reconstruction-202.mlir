func.func @main(%x: tensor<?x1x4x4xf32>) -> tensor<?x3xf32> {
  %xs = arith.constant dense<0.05> : tensor<f32>
  %xz = arith.constant dense<0.0> : tensor<f32>
  %xq = qnn.fake_quant uniform activation %x scale(%xs : tensor<f32>) zero_point(%xz : tensor<f32>) {bits = 8} : tensor<?x1x4x4xf32>
  %w = arith.constant dense<[[[[0.11, -0.23, 0.37], [0.41, -0.52, 0.06], [0.17, 0.29, -0.33]]], [[[-0.12, 0.24, -0.38], [0.44, 0.05, -0.16], [0.27, -0.31, 0.09]]]]> : tensor<2x1x3x3xf32>
  %ws = arith.constant dense<[0.07, 0.06]> : tensor<2xf32>
  %wv = arith.constant dense<0.5> : tensor<2x1x3x3xf32>
  %wq = qnn.fake_quant adaround weight %w scale(%ws : tensor<2xf32>) offset(%wv : tensor<2x1x3x3xf32>) {axis = 0 : i64, bits = 4 : i64} : tensor<2x1x3x3xf32>
  %b = arith.constant dense<[0.1, -0.1]> : tensor<2xf32>
  %c = qnn.conv2d %xq, %wq, %b : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<?x2x2x2xf32> loc("conv1")
  %r = qnn.relu %c : tensor<?x2x2x2xf32>
  %f = qnn.flatten %r : (tensor<?x2x2x2xf32>) -> tensor<?x8xf32>
  %l = arith.constant dense<0.125> : tensor<3x8xf32>
  %ls = arith.constant dense<0.05> : tensor<3xf32>
  %lv = arith.constant dense<-0.5> : tensor<3x8xf32>
  %lq = qnn.fake_quant adaround weight %l scale(%ls : tensor<3xf32>) offset(%lv : tensor<3x8xf32>) {axis = 0 : i64, bits = 4 : i64} : tensor<3x8xf32>
  %y = qnn.linear %f, %lq : (tensor<?x8xf32>, tensor<3x8xf32>) -> tensor<?x3xf32> loc("fc")
  return %y : tensor<?x3xf32>
}
