// A conv + batch_norm + ReLU block with constant weights, as the ONNX
// importer produces it. Try: qopt conv-bn-relu.mlir -qnn-fold-batch-norm
func.func @block(%x: tensor<?x1x28x28xf32>) -> tensor<?x2x28x28xf32> {
  %w = arith.constant dense<[[[[0.1, 0.2, 0.1], [0.0, 0.5, 0.0], [0.1, 0.2, 0.1]]],
                             [[[-0.3, 0.0, 0.3], [-0.6, 0.0, 0.6], [-0.3, 0.0, 0.3]]]]> : tensor<2x1x3x3xf32>
  %gamma = arith.constant dense<[1.5, 0.8]> : tensor<2xf32>
  %beta = arith.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %mean = arith.constant dense<[0.4, 0.0]> : tensor<2xf32>
  %var = arith.constant dense<[0.25, 1.2]> : tensor<2xf32>
  %y = qnn.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>}
      : (tensor<?x1x28x28xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x28x28xf32>
  %z = qnn.batch_norm %y, %gamma, %beta, %mean, %var : tensor<?x2x28x28xf32>, tensor<2xf32>
  %r = qnn.relu %z : tensor<?x2x28x28xf32>
  return %r : tensor<?x2x28x28xf32>
}
