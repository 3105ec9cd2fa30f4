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
  // expected-remark @+1 {{batch_norm not folded: the layer's weights or the batch_norm statistics are not constants}}
  %z = qnn.batch_norm %y, %p, %p, %p, %p : tensor<1x2x4x4xf32>, tensor<2xf32>
  return %z : tensor<1x2x4x4xf32>
}
