func.func @resnet_block(%x: tensor<?x1x8x8xf32>) -> tensor<?x10xf32> {
  %w0 = arith.constant dense<0.5> : tensor<4x1x3x3xf32>
  %b0 = arith.constant dense<0.0> : tensor<4xf32>
  %w1 = arith.constant dense<0.25> : tensor<8x4x3x3xf32>
  %w2 = arith.constant dense<-0.25> : tensor<8x8x3x3xf32>
  %wd = arith.constant dense<1.0> : tensor<8x4x1x1xf32>
  %wf = arith.constant dense<0.125> : tensor<10x8xf32>
  %bf = arith.constant dense<0.0> : tensor<10xf32>
  %c0 = qnn.conv2d %x, %w0, %b0 {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32> loc("stem")
  %r0 = qnn.relu %c0 : tensor<?x4x8x8xf32>
  %c1 = qnn.conv2d %r0, %w1 {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x4x4xf32> loc("layer1.conv1")
  %r1 = qnn.relu %c1 : tensor<?x8x4x4xf32>
  %c2 = qnn.conv2d %r1, %w2 {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x8x4x4xf32>, tensor<8x8x3x3xf32>) -> tensor<?x8x4x4xf32> loc("layer1.conv2")
  %cd = qnn.conv2d %r0, %wd {strides = array<i64: 2, 2>} : (tensor<?x4x8x8xf32>, tensor<8x4x1x1xf32>) -> tensor<?x8x4x4xf32> loc("layer1.downsample")
  %s = qnn.add %c2, %cd : (tensor<?x8x4x4xf32>, tensor<?x8x4x4xf32>) -> tensor<?x8x4x4xf32>
  %r2 = qnn.relu %s : tensor<?x8x4x4xf32>
  %p = qnn.global_avg_pool %r2 : (tensor<?x8x4x4xf32>) -> tensor<?x8x1x1xf32>
  %f = qnn.flatten %p : (tensor<?x8x1x1xf32>) -> tensor<?x8xf32>
  %y = qnn.linear %f, %wf, %bf : (tensor<?x8xf32>, tensor<10x8xf32>, tensor<10xf32>) -> tensor<?x10xf32> loc("fc")
  return %y : tensor<?x10xf32>
}
