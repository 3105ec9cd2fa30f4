func.func @main(%x: tensor<?x3x8x8xf32>) -> tensor<?x10xf32> {
  %w = arith.constant dense<0.1> : tensor<4x3x3x3xf32> loc("conv1")
  %g = arith.constant dense<1.0> : tensor<4xf32>
  %b = arith.constant dense<0.0> : tensor<4xf32>
  %m = arith.constant dense<0.0> : tensor<4xf32>
  %v = arith.constant dense<1.0> : tensor<4xf32>
  %s = arith.constant dense<0.05> : tensor<4xf32>
  %alpha = arith.constant dense<6.0> : tensor<f32>
  %fw = arith.constant dense<0.1> : tensor<10x4xf32>
  %fb = arith.constant dense<0.0> : tensor<10xf32>
  %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<4xf32>) {axis = 0, bits = 4, qnn.name = "conv1.wt"} : tensor<4x3x3x3xf32>
  %c = qnn.conv2d %x, %wq {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x8x8xf32> loc("conv1")
  %y = qnn.batch_norm %c, %g, %b, %m, %v {epsilon = 1.0e-5 : f64} : tensor<?x4x8x8xf32>, tensor<4xf32> loc("bn1")
  %r = qnn.relu %y : tensor<?x4x8x8xf32>
  %rq = qnn.fake_quant pact activation %r clip(%alpha : tensor<f32>) {bits = 4, half_range} : tensor<?x4x8x8xf32>
  %p = qnn.global_avg_pool %rq : (tensor<?x4x8x8xf32>) -> tensor<?x4x1x1xf32>
  %f = qnn.flatten %p : (tensor<?x4x1x1xf32>) -> tensor<?x4xf32>
  %o = qnn.linear %f, %fw, %fb : (tensor<?x4xf32>, tensor<10x4xf32>, tensor<10xf32>) -> tensor<?x10xf32> loc("fc")
  return %o : tensor<?x10xf32>
}
