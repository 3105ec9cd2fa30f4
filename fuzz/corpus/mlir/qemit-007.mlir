func.func @main(%x: tensor<?x1x4x4xf32>) -> tensor<?x3xf32> {
  %w = arith.constant dense<[[[[0.5, -0.25, 0.125], [1.0, 0.0, -1.0], [0.25, 0.5, 0.75]]], [[[-0.5, 0.25, 1.5], [0.0, 1.0, 0.0], [-0.75, 0.5, 0.25]]]]> : tensor<2x1x3x3xf32> loc("conv1_weight")
  %b = arith.constant dense<[0.1, -0.2]> : tensor<2xf32> loc("conv1_bias")
  %c = qnn.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32> loc("conv1")
  %r = qnn.relu %c : tensor<?x2x4x4xf32> loc("conv1")
  %s = arith.constant dense<0.125> : tensor<f32> loc("act_scale")
  %q = qnn.fake_quant lsq activation %r scale(%s : tensor<f32>) {bits = 4, half_range} : tensor<?x2x4x4xf32> loc("act")
  %f = qnn.flatten %q {axis = 1 : i64} : (tensor<?x2x4x4xf32>) -> tensor<?x32xf32>
  %fw = arith.constant dense<0.03125> : tensor<3x32xf32> loc("fc_weight")
  %y = qnn.linear %f, %fw : (tensor<?x32xf32>, tensor<3x32xf32>) -> tensor<?x3xf32> loc("fc")
  return %y : tensor<?x3xf32>
}
