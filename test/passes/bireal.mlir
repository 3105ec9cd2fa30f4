// RUN: qopt %s -split-input-file -qnn-apply-policy | FileCheck %s
// RUN: qopt %s -split-input-file -qnn-fold-batch-norm -qnn-apply-policy | FileCheck %s --check-prefix=FOLD

// `bireal`: a real-valued shortcut around every binarized conv
// (docs/policy.md). The shortcut reads the conv's float input, before its
// fake_quant, and is added after the conv's batch norm.

// CHECK-LABEL: func.func @same_shape
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>)
// CHECK: %[[PAD:.*]] = qnn.pad %[[X]]
// CHECK: %[[XQ:.*]] = qnn.fake_quant xnor activation %[[PAD]]
// CHECK: %[[Y:.*]] = qnn.conv2d %[[XQ]]
// CHECK: %[[BN:.*]] = qnn.batch_norm %[[Y]]
// CHECK: %[[SUM:.*]] = qnn.add %[[BN]], %[[X]] : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
// CHECK: %[[R:.*]] = qnn.relu %[[SUM]]
// CHECK: return %[[R]]
// After BN folding the shortcut is added to the conv itself.
// FOLD-LABEL: func.func @same_shape
// FOLD-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>)
// FOLD: %[[Y:.*]] = qnn.conv2d
// FOLD-NOT: qnn.batch_norm
// FOLD: %[[SUM:.*]] = qnn.add %[[Y]], %[[X]]
// FOLD: qnn.relu %[[SUM]]
func.func @same_shape(%x: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> attributes {qnn.policy = "xnor,quant_first,quant_last,bireal"} {
  %w = arith.constant dense<0.5> : tensor<4x4x3x3xf32>
  %g = arith.constant dense<1.0> : tensor<4xf32>
  %b = arith.constant dense<0.0> : tensor<4xf32>
  %y = qnn.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x8x8xf32>
  %z = qnn.batch_norm %y, %g, %b, %b, %g {epsilon = 1.0e-5 : f64} : tensor<?x4x8x8xf32>, tensor<4xf32>
  %r = qnn.relu %z : tensor<?x4x8x8xf32>
  return %r : tensor<?x4x8x8xf32>
}

// -----

// Downsampling and widening: an average pool over the stride, then the
// pooled input repeated along the channels (4 -> 8).
// CHECK-LABEL: func.func @downsample
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>)
// CHECK: %[[BN:.*]] = qnn.batch_norm
// CHECK: %[[P:.*]] = qnn.avg_pool %[[X]] {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x4x4xf32>
// CHECK: %[[C:.*]] = qnn.concat %[[P]], %[[P]] {axis = 1 : i64} : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x8x4x4xf32>
// CHECK: %[[SUM:.*]] = qnn.add %[[BN]], %[[C]]
// CHECK: return %[[SUM]]
func.func @downsample(%x: tensor<?x4x8x8xf32>) -> tensor<?x8x4x4xf32> attributes {qnn.policy = "xnor,quant_first,quant_last,bireal"} {
  %w = arith.constant dense<0.5> : tensor<8x4x3x3xf32>
  %g = arith.constant dense<1.0> : tensor<8xf32>
  %b = arith.constant dense<0.0> : tensor<8xf32>
  %y = qnn.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x4x4xf32>
  %z = qnn.batch_norm %y, %g, %b, %b, %g {epsilon = 1.0e-5 : f64} : tensor<?x8x4x4xf32>, tensor<8xf32>
  return %z : tensor<?x8x4x4xf32>
}

// -----

// Only binarized convs get a shortcut: the float first layer and the
// 4-bit layer (an override) do not; a conv whose output already meets a
// qnn.add (the second conv of a ResNet block) keeps its own shortcut.
// CHECK-LABEL: func.func @only_binarized
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>)
// CHECK: %[[A:.*]] = qnn.conv2d %[[X]]
// CHECK-NOT: qnn.add %[[A]]
// CHECK: %[[B:.*]] = qnn.conv2d
// CHECK: %[[BS:.*]] = qnn.add %[[B]], %[[A]]
// CHECK: %[[C:.*]] = qnn.conv2d %{{.*}}
// CHECK-NOT: qnn.add %[[C]], %[[BS]]
// CHECK: %[[D:.*]] = qnn.conv2d
// CHECK: %[[DS:.*]] = qnn.add %[[D]], %[[X]]
// CHECK-NOT: qnn.add
// CHECK: return %[[DS]]
func.func @only_binarized(%x: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> attributes {qnn.policy = "xnor,quant_last,bireal,layer.2.bit=4,layer.2.fm_method=lsq,layer.2.wt_method=lsq"} {
  %w = arith.constant dense<0.5> : tensor<4x4x1x1xf32>
  %a = qnn.conv2d %x, %w : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %b = qnn.conv2d %a, %w : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %c = qnn.conv2d %b, %w : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %d = qnn.conv2d %c, %w : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %s = qnn.add %d, %x : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  return %s : tensor<?x4x8x8xf32>
}
