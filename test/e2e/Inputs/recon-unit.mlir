// One reconstruction unit: an 8-bit quantized input, a 4-bit per-channel
// AdaRound weight, bias, relu; and a linear head so that there are two
// units. Inputs of test/e2e/recon-step-torch.test.
func.func @main(%x: tensor<?x2x5x5xf32>) -> tensor<?x3xf32> {
  %xs = arith.constant dense<0.04> : tensor<f32>
  %xz = arith.constant dense<0.0> : tensor<f32>
  %xq = qnn.fake_quant uniform activation %x scale(%xs : tensor<f32>) zero_point(%xz : tensor<f32>) {bits = 8} : tensor<?x2x5x5xf32>
  %w = arith.constant dense<[[[[0.11, -0.23, 0.37], [0.41, -0.52, 0.06], [0.17, 0.29, -0.33]], [[0.21, 0.13, -0.07], [-0.44, 0.35, 0.02], [0.19, -0.28, 0.31]]], [[[-0.12, 0.24, -0.38], [0.44, 0.05, -0.16], [0.27, -0.31, 0.09]], [[0.33, -0.18, 0.26], [-0.09, 0.47, -0.25], [0.14, 0.08, -0.36]]], [[[0.03, 0.15, -0.27], [0.39, -0.11, 0.22], [-0.34, 0.18, 0.06]], [[-0.21, 0.29, 0.12], [0.07, -0.43, 0.31], [0.25, -0.02, 0.16]]]]> : tensor<3x2x3x3xf32>
  %ws = arith.constant dense<[0.07, 0.06, 0.05]> : tensor<3xf32>
  %wv = arith.constant dense<[[[[0.3, -1.2, 2.0], [0.1, -0.4, 1.5], [-2.2, 0.8, 0.0]], [[1.1, -0.3, 0.6], [-0.9, 0.2, 1.9], [0.5, -1.6, 0.7]]], [[[-0.5, 0.9, -1.1], [1.3, -0.2, 0.4], [0.6, -0.8, 1.7]], [[-1.4, 0.3, 0.2], [0.9, -0.6, 1.2], [-0.1, 0.5, -1.9]]], [[[0.8, -0.7, 0.4], [-1.5, 1.0, -0.3], [0.2, 1.8, -0.9]], [[0.4, -1.0, 1.4], [0.7, -0.5, 0.1], [-1.2, 0.6, 0.3]]]]> : tensor<3x2x3x3xf32>
  %wq = qnn.fake_quant adaround weight %w scale(%ws : tensor<3xf32>) offset(%wv : tensor<3x2x3x3xf32>) {axis = 0 : i64, bits = 4 : i64} : tensor<3x2x3x3xf32>
  %b = arith.constant dense<[0.05, -0.02, 0.01]> : tensor<3xf32>
  %c = qnn.conv2d %xq, %wq, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<?x3x5x5xf32> loc("conv")
  %r = qnn.relu %c : tensor<?x3x5x5xf32>
  %p = qnn.global_avg_pool %r : (tensor<?x3x5x5xf32>) -> tensor<?x3x1x1xf32>
  %f = qnn.flatten %p : (tensor<?x3x1x1xf32>) -> tensor<?x3xf32>
  %l = arith.constant dense<[[0.5, -0.25, 0.125], [0.3, 0.2, -0.1], [-0.4, 0.6, 0.05]]> : tensor<3x3xf32>
  %ls = arith.constant dense<0.1> : tensor<3xf32>
  %lv = arith.constant dense<0.0> : tensor<3x3xf32>
  %lq = qnn.fake_quant adaround weight %l scale(%ls : tensor<3xf32>) offset(%lv : tensor<3x3xf32>) {axis = 0 : i64, bits = 4 : i64} : tensor<3x3xf32>
  %y = qnn.linear %f, %lq : (tensor<?x3xf32>, tensor<3x3xf32>) -> tensor<?x3xf32> loc("fc")
  return %y : tensor<?x3xf32>
}
