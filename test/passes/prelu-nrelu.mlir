// RUN: qopt %s -split-input-file -qnn-apply-policy | FileCheck %s

// `PReLU` / `NReLU` (docs/policy.md): the ReLUs after binarized convs
// (after their BN, and after the bireal or residual add) become PReLUs with
// a per-channel slope of 0.25, or are removed. Other ReLUs are kept.

// A ResNet basic block with binarized convs, `bireal` + `PReLU`: each conv
// gets its shortcut and each ReLU after one becomes a PReLU.
// CHECK-LABEL: func.func @block_prelu
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>)
// CHECK: %[[STEM:.*]] = qnn.relu
// CHECK: %[[BN1:.*]] = qnn.batch_norm
// CHECK: %[[S1:.*]] = qnn.add %[[BN1]], %[[STEM]]
// CHECK: %[[SLOPE:.*]] = arith.constant dense<2.500000e-01> : tensor<4xf32>
// CHECK: %[[P1:.*]] = qnn.prelu %[[S1]], %[[SLOPE]] : tensor<?x4x8x8xf32>, tensor<4xf32>
// CHECK: qnn.fake_quant xnor activation %{{.*}} {bits = 1 : i64}
// CHECK: %[[BN2:.*]] = qnn.batch_norm
// CHECK: %[[S2:.*]] = qnn.add %[[BN2]], %[[STEM]]
// CHECK: %[[P2:.*]] = qnn.prelu %[[S2]], %{{.*}} : tensor<?x4x8x8xf32>, tensor<4xf32>
// CHECK-NOT: qnn.relu
// CHECK: return %[[P2]]
func.func @block_prelu(%x: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> attributes {qnn.policy = "xnor,quant_last,bireal,PReLU"} {
  %w = arith.constant dense<0.5> : tensor<4x4x3x3xf32>
  %g = arith.constant dense<1.0> : tensor<4xf32>
  %b = arith.constant dense<0.0> : tensor<4xf32>
  %c0 = qnn.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x8x8xf32>
  %stem = qnn.relu %c0 : tensor<?x4x8x8xf32>
  %c1 = qnn.conv2d %stem, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x8x8xf32>
  %n1 = qnn.batch_norm %c1, %g, %b, %b, %g {epsilon = 1.0e-5 : f64} : tensor<?x4x8x8xf32>, tensor<4xf32>
  %r1 = qnn.relu %n1 : tensor<?x4x8x8xf32>
  %c2 = qnn.conv2d %r1, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x8x8xf32>
  %n2 = qnn.batch_norm %c2, %g, %b, %b, %g {epsilon = 1.0e-5 : f64} : tensor<?x4x8x8xf32>, tensor<4xf32>
  %s = qnn.add %n2, %stem : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %r2 = qnn.relu %s : tensor<?x4x8x8xf32>
  return %r2 : tensor<?x4x8x8xf32>
}

// -----

// `NReLU`: the same block without its ReLUs; the stem's ReLU (after a
// float conv) stays.
// CHECK-LABEL: func.func @block_nrelu
// CHECK: %[[STEM:.*]] = qnn.relu
// CHECK: %[[BN1:.*]] = qnn.batch_norm
// CHECK: qnn.fake_quant xnor activation %[[BN1]]
// CHECK: %[[BN2:.*]] = qnn.batch_norm
// CHECK: %[[S:.*]] = qnn.add %[[BN2]], %[[STEM]]
// CHECK-NOT: qnn.relu
// CHECK: return %[[S]]
func.func @block_nrelu(%x: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> attributes {qnn.policy = "xnor,quant_last,NReLU,padding_after_quant"} {
  %w = arith.constant dense<0.5> : tensor<4x4x3x3xf32>
  %g = arith.constant dense<1.0> : tensor<4xf32>
  %b = arith.constant dense<0.0> : tensor<4xf32>
  %c0 = qnn.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x8x8xf32>
  %stem = qnn.relu %c0 : tensor<?x4x8x8xf32>
  %c1 = qnn.conv2d %stem, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x8x8xf32>
  %n1 = qnn.batch_norm %c1, %g, %b, %b, %g {epsilon = 1.0e-5 : f64} : tensor<?x4x8x8xf32>, tensor<4xf32>
  %r1 = qnn.relu %n1 : tensor<?x4x8x8xf32>
  %c2 = qnn.conv2d %r1, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x8x8xf32>
  %n2 = qnn.batch_norm %c2, %g, %b, %b, %g {epsilon = 1.0e-5 : f64} : tensor<?x4x8x8xf32>, tensor<4xf32>
  %s = qnn.add %n2, %stem : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %r2 = qnn.relu %s : tensor<?x4x8x8xf32>
  return %r2 : tensor<?x4x8x8xf32>
}
