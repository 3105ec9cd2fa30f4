// RUN: qopt %s -qnn-fold-batch-norm -split-input-file -verify-diagnostics | FileCheck %s

// Folded weights and bias, worked by hand:
//   k = gamma / sqrt(var + eps) = [2 / sqrt(3 + 1), 3 / sqrt(0 + 1)] = [1, 3]
//   W' = W * k = [1 * 1, 2 * 3] = [1, 6]
//   b' = (b - mean) * k + beta = [(0 - 1) * 1 + 0.5, (1 - 2) * 3 - 1] = [-0.5, -4]
// CHECK-LABEL: func.func @conv_with_bias
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}6.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[-5.000000e-01, -4.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = qnn.conv2d %{{.*}}, %[[W]], %[[B]] : (tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
// CHECK-NOT: qnn.batch_norm
// CHECK: return %[[Y]]
func.func @conv_with_bias(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = arith.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %gamma = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %beta = arith.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %y = qnn.conv2d %x, %w, %b : (tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %z = qnn.batch_norm %y, %gamma, %beta, %mean, %var {epsilon = 1.0 : f64} : tensor<?x2x4x4xf32>, tensor<2xf32>
  return %z : tensor<?x2x4x4xf32>
}

// -----

// Depthwise, no conv bias: the bias is created, b' = beta - mean * k with
// k = [4 / sqrt(4), 1 / sqrt(1)] = [2, 1] (eps negligible): W' = [[1, 2], [3, 4]] scaled per
// output channel, b' = [1 - 2 * 2, 0 - 1 * 1] = [-3, -1].
// CHECK-LABEL: func.func @depthwise_without_bias
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00, 4.000000e+00]]], {{\[\[\[}}3.000000e+00, 4.000000e+00]]]]> : tensor<2x1x1x2xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[-3.000000e+00, -1.000000e+00]> : tensor<2xf32>
// CHECK: qnn.conv2d %{{.*}}, %[[W]], %[[B]] {groups = 2 : i64, pads = array<i64: 0, 0, 0, 1>}
// CHECK-NOT: qnn.batch_norm
func.func @depthwise_without_bias(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.0, 2.0]]], [[[3.0, 4.0]]]]> : tensor<2x1x1x2xf32>
  %gamma = arith.constant dense<[4.0, 1.0]> : tensor<2xf32>
  %beta = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = arith.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %var = arith.constant dense<[4.0, 1.0]> : tensor<2xf32>
  %y = qnn.conv2d %x, %w {groups = 2, pads = array<i64: 0, 0, 0, 1>} : (tensor<1x2x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x4xf32>
  %z = qnn.batch_norm %y, %gamma, %beta, %mean, %var {epsilon = 1.0e-30 : f64} : tensor<1x2x4x4xf32>, tensor<2xf32>
  return %z : tensor<1x2x4x4xf32>
}

// -----

// linear + batch_norm over its features (BatchNorm1d after nn.Linear).
// k = [1 / sqrt(1), 2 / sqrt(4)] = [1, 1] with eps 0 and var [1, 4]:
// W' = W, b' = [(1 - 1) * 1 + 0, (2 - 0) * 1 + 1] = [0, 3].
// CHECK-LABEL: func.func @linear
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[0.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK: qnn.linear %{{.*}}, %{{.*}}, %[[B]]
// CHECK-NOT: qnn.batch_norm
func.func @linear(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %gamma = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %beta = arith.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = arith.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %y = qnn.linear %x, %w, %b : (tensor<?x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %z = qnn.batch_norm %y, %gamma, %beta, %mean, %var {epsilon = 1.0e-30 : f64} : tensor<?x2xf32>, tensor<2xf32>
  return %z : tensor<?x2xf32>
}

// -----

// CHECK-LABEL: func.func @after_relu
// CHECK: qnn.batch_norm
func.func @after_relu(%x: tensor<1x2x4x4xf32>, %p: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %r = qnn.relu %x : tensor<1x2x4x4xf32>
  // expected-remark @+1 {{batch_norm not folded: its input comes from 'qnn.relu', not from a conv2d or linear}}
  %z = qnn.batch_norm %r, %p, %p, %p, %p : tensor<1x2x4x4xf32>, tensor<2xf32>
  return %z : tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @conv_result_reused
// CHECK: qnn.batch_norm
func.func @conv_result_reused(%x: tensor<1x1x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = arith.constant dense<1.0> : tensor<2x1x1x1xf32>
  %p = arith.constant dense<1.0> : tensor<2xf32>
  %y = qnn.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  // expected-remark @+1 {{batch_norm not folded: the qnn.conv2d result has other users that expect unnormalized values}}
  %z = qnn.batch_norm %y, %p, %p, %p, %p : tensor<1x2x4x4xf32>, tensor<2xf32>
  return %y, %z : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @shared_weight
// CHECK-COUNT-2: qnn.batch_norm
func.func @shared_weight(%x: tensor<1x1x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = arith.constant dense<1.0> : tensor<2x1x1x1xf32>
  %p = arith.constant dense<1.0> : tensor<2xf32>
  %y1 = qnn.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y2 = qnn.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  // expected-remark @+1 {{batch_norm not folded: the layer's weight or bias is shared with another op; folding would untie them}}
  %z1 = qnn.batch_norm %y1, %p, %p, %p, %p : tensor<1x2x4x4xf32>, tensor<2xf32>
  // expected-remark @+1 {{batch_norm not folded: the layer's weight or bias is shared with another op; folding would untie them}}
  %z2 = qnn.batch_norm %y2, %p, %p, %p, %p : tensor<1x2x4x4xf32>, tensor<2xf32>
  return %z1, %z2 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @weights_not_constant
// CHECK: qnn.batch_norm
func.func @weights_not_constant(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %p = arith.constant dense<1.0> : tensor<2xf32>
  %y = qnn.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  // expected-remark @+1 {{batch_norm not folded: the layer's weights are not constants}}
  %z = qnn.batch_norm %y, %p, %p, %p, %p : tensor<1x2x4x4xf32>, tensor<2xf32>
  return %z : tensor<1x2x4x4xf32>
}

// -----

// Through a trained LSQ weight quantizer (4 bit, per tensor, s = 0.25):
// levels L = W / s = [[3, -5], [2, 4]]; k = gamma / sqrt(var + eps) =
// [2 / sqrt(0 + 1), -1 / sqrt(3 + 1)] = [2, -0.5]. The folded quantizer is
// per channel: s' = s |k| = [0.5, 0.125], levels sign(k) L = [[3, -5],
// [-2, -4]], W' = [[1.5, -2.5], [-0.25, -0.5]] = k * fq(W).
// b' = (0 - mean) k + beta = [-1 * 2 + 1, -2 * -0.5 + 0] = [-1, 1].
// CHECK-LABEL: func.func @lsq_weight
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1.500000e+00, -2.500000e+00]]], {{\[\[\[}}-2.500000e-01, -5.000000e-01]]]]> : tensor<2x1x1x2xf32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[5.000000e-01, 1.250000e-01]> : tensor<2xf32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[-1.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[WQ:.*]] = qnn.fake_quant uniform weight %[[W]] scale(%[[S]] : tensor<2xf32>) zero_point(%[[Z]] : tensor<2xf32>) {axis = 0 : i64, bits = 4 : i64, qnn.name = "conv.wt"} : tensor<2x1x1x2xf32>
// CHECK: qnn.conv2d %{{.*}}, %[[WQ]], %[[B]]
// CHECK-NOT: qnn.batch_norm
// CHECK-NOT: lsq
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

// -----

// DoReFa 2 bit (per tensor): M = max|tanh W| = tanh(1);
// r = tanh(w) / (2M) + 1/2 = [[1, 0.565], [0.309, 0]], i = round(3 r) =
// [[3, 2], [1, 0]], fq(W) = 2i/3 - 1 = [[1, 1/3], [-1/3, -1]]: the odd
// levels L = 2i - 3 = [[3, 1], [-1, -3]] of step 1/3, which a 3-bit narrow
// grid [-3, 3] holds. k = [2, -0.5]: s' = [2/3, 1/6], levels
// [[3, 1], [1, 3]], W' = [[2, 2/3], [1/6, 1/2]].
// CHECK-LABEL: func.func @dorefa_weight
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00, 0.666666686]]], {{\[\[\[}}0.166666672, 5.000000e-01]]]]> : tensor<2x1x1x2xf32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[0.666666686, 0.166666672]> : tensor<2xf32>
// CHECK: qnn.fake_quant uniform weight %[[W]] scale(%[[S]] : tensor<2xf32>) zero_point(%{{.*}} : tensor<2xf32>) {axis = 0 : i64, bits = 3 : i64, narrow} : tensor<2x1x1x2xf32>
// CHECK-NOT: qnn.batch_norm
func.func @dorefa_weight(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x3xf32> {
  %w = arith.constant dense<[[[[1.0, 0.1]]], [[[-0.3, -1.0]]]]> : tensor<2x1x1x2xf32>
  %wq = qnn.fake_quant dorefa weight %w {bits = 2} : tensor<2x1x1x2xf32>
  %gamma = arith.constant dense<[2.0, -1.0]> : tensor<2xf32>
  %beta = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = arith.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %y = qnn.conv2d %x, %wq : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x3xf32>
  %z = qnn.batch_norm %y, %gamma, %beta, %mean, %var {epsilon = 1.0 : f64} : tensor<1x2x4x3xf32>, tensor<2xf32>
  return %z : tensor<1x2x4x3xf32>
}

// -----

// XNOR per output filter: alpha = mean|W| = [1, 1.5], fq(W) =
// [[1, -1], [1.5, 1.5]], levels ±1 of a 2-bit narrow grid [-1, 1].
// k = [2, -0.5]: s' = [2, 0.75], W' = [[2, -2], [-0.75, -0.75]].
// CHECK-LABEL: func.func @xnor_weight
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00, -2.000000e+00]]], {{\[\[\[}}-7.500000e-01, -7.500000e-01]]]]> : tensor<2x1x1x2xf32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[2.000000e+00, 7.500000e-01]> : tensor<2xf32>
// CHECK: qnn.fake_quant uniform weight %[[W]] scale(%[[S]] : tensor<2xf32>) zero_point(%{{.*}} : tensor<2xf32>) {axis = 0 : i64, bits = 2 : i64, narrow} : tensor<2x1x1x2xf32>
// CHECK-NOT: qnn.batch_norm
func.func @xnor_weight(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x3xf32> {
  %w = arith.constant dense<[[[[0.5, -1.5]]], [[[2.0, 1.0]]]]> : tensor<2x1x1x2xf32>
  %wq = qnn.fake_quant xnor weight %w {axis = 0, bits = 1} : tensor<2x1x1x2xf32>
  %gamma = arith.constant dense<[2.0, -1.0]> : tensor<2xf32>
  %beta = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = arith.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %y = qnn.conv2d %x, %wq : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x3xf32>
  %z = qnn.batch_norm %y, %gamma, %beta, %mean, %var {epsilon = 1.0 : f64} : tensor<1x2x4x3xf32>, tensor<2xf32>
  return %z : tensor<1x2x4x3xf32>
}

// -----

// model-quantization's ternary non-uniform weight (slopes |[-1, 1]|):
// w |a| = [0.5 -> 0 (half to even), -1.5 -> -1], [0.2 -> 0, 1 -> 1]: the
// values are the levels of a 2-bit narrow grid [-1, 1] on step 1.
// k = [2, -0.5]: s' = [2, 0.5], W' = [[0, -2], [0, -0.5]].
// CHECK-LABEL: func.func @non_uniform_ternary_weight
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}{{-?}}0.000000e+00, -2.000000e+00]]], {{\[\[\[}}{{-?}}0.000000e+00, -5.000000e-01]]]]> : tensor<2x1x1x2xf32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[2.000000e+00, 5.000000e-01]> : tensor<2xf32>
// CHECK: qnn.fake_quant uniform weight %[[W]] scale(%[[S]] : tensor<2xf32>) zero_point(%{{.*}} : tensor<2xf32>) {axis = 0 : i64, bits = 2 : i64, narrow} : tensor<2x1x1x2xf32>
// CHECK-NOT: qnn.batch_norm
func.func @non_uniform_ternary_weight(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x3xf32> {
  %w = arith.constant dense<[[[[0.5, -1.5]]], [[[0.2, 1.0]]]]> : tensor<2x1x1x2xf32>
  %a = arith.constant dense<[-1.0, 1.0]> : tensor<2xf32>
  %wq = qnn.fake_quant non_uniform weight %w clip(%a : tensor<2xf32>) {bits = 2} : tensor<2x1x1x2xf32>
  %gamma = arith.constant dense<[2.0, -1.0]> : tensor<2xf32>
  %beta = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = arith.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %y = qnn.conv2d %x, %wq : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x3xf32>
  %z = qnn.batch_norm %y, %gamma, %beta, %mean, %var {epsilon = 1.0 : f64} : tensor<1x2x4x3xf32>, tensor<2xf32>
  return %z : tensor<1x2x4x3xf32>
}

// -----

// LSQ 2 bit uses level -2 of [-2, 1] in output channel 1, whose BN scale is
// negative: 2 is not on the grid, so the batch_norm stays.
// CHECK-LABEL: func.func @flipped_level_off_grid
// CHECK: qnn.fake_quant lsq
// CHECK: qnn.batch_norm
func.func @flipped_level_off_grid(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x3xf32> {
  %w = arith.constant dense<[[[[0.25, 0.0]]], [[[-0.5, 0.25]]]]> : tensor<2x1x1x2xf32>
  %s = arith.constant dense<0.25> : tensor<f32>
  %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<f32>) {bits = 2} : tensor<2x1x1x2xf32>
  %gamma = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %p = arith.constant dense<1.0> : tensor<2xf32>
  %y = qnn.conv2d %x, %wq : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x3xf32>
  // expected-remark @+1 {{batch_norm not folded: output channel 1 of the folded weight has level 2 (its quantizer's level -2 times the sign of gamma / sqrt(var + eps) = -0.999995), outside the 2-bit grid [-2, 1] (a narrow, symmetric grid, wt_narrow, always folds)}}
  %z = qnn.batch_norm %y, %gamma, %p, %p, %p : tensor<1x2x4x3xf32>, tensor<2xf32>
  return %z : tensor<1x2x4x3xf32>
}

// -----

// The same weights with a narrow grid [-1, 1] fold: the level is -1.
// CHECK-LABEL: func.func @flipped_level_narrow
// CHECK: qnn.fake_quant uniform weight %{{.*}} {axis = 0 : i64, bits = 2 : i64, narrow}
// CHECK-NOT: qnn.batch_norm
func.func @flipped_level_narrow(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x3xf32> {
  %w = arith.constant dense<[[[[0.25, 0.0]]], [[[-0.25, 0.25]]]]> : tensor<2x1x1x2xf32>
  %s = arith.constant dense<0.25> : tensor<f32>
  %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<f32>) {bits = 2, narrow} : tensor<2x1x1x2xf32>
  %gamma = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %p = arith.constant dense<1.0> : tensor<2xf32>
  %y = qnn.conv2d %x, %wq : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x3xf32>
  %z = qnn.batch_norm %y, %gamma, %p, %p, %p : tensor<1x2x4x3xf32>, tensor<2xf32>
  return %z : tensor<1x2x4x3xf32>
}

// -----

// LQ-Nets levels are not a uniform grid in general: not folded.
// CHECK-LABEL: func.func @lqnet_weight
// CHECK: qnn.batch_norm
func.func @lqnet_weight(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[0.3]]], [[[-0.7]]]]> : tensor<2x1x1x1xf32>
  %v = arith.constant dense<[0.1, 0.3]> : tensor<2xf32>
  %wq = qnn.fake_quant lqnet weight %w basis(%v : tensor<2xf32>) {bits = 2} : tensor<2x1x1x1xf32>
  %p = arith.constant dense<1.0> : tensor<2xf32>
  %y = qnn.conv2d %x, %wq : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  // expected-remark @+1 {{batch_norm not folded: its conv weight's quantizer cannot be folded through: lqnet weights are not a uniform integer grid}}
  %z = qnn.batch_norm %y, %p, %p, %p, %p : tensor<1x2x4x4xf32>, tensor<2xf32>
  return %z : tensor<1x2x4x4xf32>
}

// -----

// A quantizer whose scale is still a global (not frozen) is not folded.
// CHECK-LABEL: func.func @scale_not_constant
// CHECK: qnn.batch_norm
func.func @scale_not_constant(%x: tensor<1x1x4x4xf32>, %s: tensor<f32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[0.3]]], [[[-0.7]]]]> : tensor<2x1x1x1xf32>
  %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<f32>) {bits = 4} : tensor<2x1x1x1xf32>
  %p = arith.constant dense<1.0> : tensor<2xf32>
  %y = qnn.conv2d %x, %wq : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  // expected-remark @+1 {{batch_norm not folded: its conv weight's quantizer cannot be folded through: its scale is not a constant (freeze the globals first)}}
  %z = qnn.batch_norm %y, %p, %p, %p, %p : tensor<1x2x4x4xf32>, tensor<2xf32>
  return %z : tensor<1x2x4x4xf32>
}

// -----

// A learned LSQ step that turned negative in training (channel 1): fq(W) =
// q s = [0.5, 1.0] with q = round(W / s) = [-2, -4]: levels [2, 4] on the
// step |s| = 0.25. With k = [2, -0.5] the fold is the @lsq_weight one.
// CHECK-LABEL: func.func @lsq_negative_step
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1.500000e+00, -2.500000e+00]]], {{\[\[\[}}-2.500000e-01, -5.000000e-01]]]]> : tensor<2x1x1x2xf32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[5.000000e-01, 1.250000e-01]> : tensor<2xf32>
// CHECK-DAG: qnn.fake_quant uniform weight %[[W]] scale(%[[S]] : tensor<2xf32>) zero_point(%{{.*}} : tensor<2xf32>) {axis = 0 : i64, bits = 4 : i64} : tensor<2x1x1x2xf32>
// CHECK-NOT: qnn.batch_norm
func.func @lsq_negative_step(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x3xf32> {
  %w = arith.constant dense<[[[[0.75, -1.25]]], [[[0.5, 1.0]]]]> : tensor<2x1x1x2xf32>
  %s = arith.constant dense<[0.25, -0.25]> : tensor<2xf32>
  %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<2xf32>) {axis = 0, bits = 4} : tensor<2x1x1x2xf32>
  %gamma = arith.constant dense<[2.0, -1.0]> : tensor<2xf32>
  %beta = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = arith.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %y = qnn.conv2d %x, %wq : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x3xf32>
  %z = qnn.batch_norm %y, %gamma, %beta, %mean, %var {epsilon = 1.0 : f64} : tensor<1x2x4x3xf32>, tensor<2xf32>
  return %z : tensor<1x2x4x3xf32>
}

// -----

// A negative step whose level q = -8 (W / s = -8 for w = 2, s = -0.25) is
// +8 on |s|: outside the 4-bit grid [-8, 7] even with k > 0.
// CHECK-LABEL: func.func @negative_step_off_grid
// CHECK: qnn.batch_norm
func.func @negative_step_off_grid(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %w = arith.constant dense<[[[[2.0]]]]> : tensor<1x1x1x1xf32>
  %s = arith.constant dense<-0.25> : tensor<f32>
  %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<f32>) {bits = 4} : tensor<1x1x1x1xf32>
  %p = arith.constant dense<1.0> : tensor<1xf32>
  %y = qnn.conv2d %x, %wq : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  // expected-remark @+1 {{batch_norm not folded: output channel 0 of the folded weight has level 8 (its quantizer's level 8 times the sign of gamma / sqrt(var + eps) = 0.999995), outside the 4-bit grid [-8, 7] (a narrow, symmetric grid, wt_narrow, always folds)}}
  %z = qnn.batch_norm %y, %p, %p, %p, %p : tensor<1x1x4x4xf32>, tensor<1xf32>
  return %z : tensor<1x1x4x4xf32>
}

// -----

// FrozenBatchNorm2d as traced / exported: conv(x) * k + s with per-channel
// constants folds like a batch_norm: k = [2, -1], s = [0.5, 1],
// W' = W k = [2, -2], b' = b k + s = [1 * 2 + 0.5, 1 * -1 + 1] = [2.5, 0].
// CHECK-LABEL: func.func @frozen_batch_norm
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}-2.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[2.500000e+00, 0.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = qnn.conv2d %{{.*}}, %[[W]], %[[B]] : (tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
// CHECK-NOT: qnn.mul
// CHECK-NOT: qnn.add
// CHECK: return %[[Y]]
func.func @frozen_batch_norm(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = arith.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %k = arith.constant dense<[[[[2.0]], [[-1.0]]]]> : tensor<1x2x1x1xf32>
  %s = arith.constant dense<[[[0.5]], [[1.0]]]> : tensor<2x1x1xf32>
  %y = qnn.conv2d %x, %w, %b : (tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %m = qnn.mul %y, %k : (tensor<?x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  %z = qnn.add %s, %m : (tensor<2x1x1xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  return %z : tensor<?x2x4x4xf32>
}

// -----

// A per-channel scale alone (constant on the left) folds with s = 0; the
// conv had no bias: b' = 0.
// CHECK-LABEL: func.func @channel_scale_only
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}3.000000e+00]]], {{\[\[\[}}1.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK: qnn.conv2d %{{.*}}, %[[W]], %[[B]]
// CHECK-NOT: qnn.mul
func.func @channel_scale_only(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %k = arith.constant dense<[[[3.0]], [[0.5]]]> : tensor<2x1x1xf32>
  %y = qnn.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %m = qnn.mul %k, %y : (tensor<2x1x1xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %m : tensor<1x2x4x4xf32>
}

// -----

// Not an affine per channel: a scale per position, or a conv whose output
// has another user, stays.
// CHECK-LABEL: func.func @not_channel_affine
// CHECK: qnn.mul
// CHECK: qnn.mul
func.func @not_channel_affine(%x: tensor<1x1x4x4xf32>, %p: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = arith.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %k = arith.constant dense<[[[3.0]], [[0.5]]]> : tensor<2x1x1xf32>
  %y = qnn.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %m = qnn.mul %y, %p : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %n = qnn.mul %y, %k : (tensor<1x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %m, %n, %y : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}
