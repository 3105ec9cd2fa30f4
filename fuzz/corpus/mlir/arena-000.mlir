func.func @main(%x: tensor<?x1x4x4xf32>) -> tensor<?x3xf32> {
  %w1 = arith.constant dense<[[[[0.5, -0.25, 0.125], [1.0, 0.0, -1.0], [0.25, 0.5, 0.75]]], [[[-0.5, 0.25, 1.5], [0.0, 1.0, 0.0], [-0.75, 0.5, 0.25]]]]> : tensor<2x1x3x3xf32> loc("conv1_weight")
  %c1 = qnn.conv2d %x, %w1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x4x4xf32> loc("conv1")
  %s1 = qnn.sigmoid %c1 : tensor<?x2x4x4xf32> loc("sig1")
  %s2 = qnn.sigmoid %s1 : tensor<?x2x4x4xf32> loc("sig2")
  %w2 = arith.constant dense<0.0625> : tensor<2x2x3x3xf32> loc("conv2_weight")
  %c2 = qnn.conv2d %s2, %w2 {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<?x2x4x4xf32> loc("conv2")
  %a = qnn.add %c2, %s1 : (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> loc("conv2")
  %f = qnn.flatten %a {axis = 1 : i64} : (tensor<?x2x4x4xf32>) -> tensor<?x32xf32> loc("flatten")
  %fw = arith.constant dense<0.03125> : tensor<3x32xf32> loc("fc_weight")
  %y = qnn.linear %f, %fw : (tensor<?x32xf32>, tensor<3x32xf32>) -> tensor<?x3xf32> loc("fc")
  return %y : tensor<?x3xf32>
}

func.func @view_result(%x: tensor<?x1x4x4xf32>) -> tensor<?x16xf32> {
  %s = qnn.sigmoid %x : tensor<?x1x4x4xf32> loc("sig")
  %f = qnn.flatten %s {axis = 1 : i64} : (tensor<?x1x4x4xf32>) -> tensor<?x16xf32> loc("flatten")
  return %f : tensor<?x16xf32>
}

func.func @static_batch(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %s = qnn.sigmoid %x : tensor<2x3xf32> loc("sig")
  %b = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32> loc("bias")
  %sum = qnn.add %b, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32> loc("sum")
  %y = qnn.add %s, %sum : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("out")
  return %y : tensor<2x3xf32>
}
