// RUN: qopt %s "-qnn-wrap-mode=mode=qat loss=fcos focal-alpha=0.5 focal-gamma=1.5" | FileCheck %s
// RUN: not qopt %s "-qnn-wrap-mode=mode=qat" 2>&1 | FileCheck %s --check-prefix=CE
// RUN: not qopt %s "-qnn-wrap-mode=mode=qat loss=ssd" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not qopt %s "-qnn-wrap-mode=mode=qat loss=fcos forward=bad_level" 2>&1 | FileCheck %s --check-prefix=LEVEL
// RUN: not qopt %s "-qnn-wrap-mode=mode=qat loss=fcos forward=two_results" 2>&1 | FileCheck %s --check-prefix=COUNT

// A two-level dense detector body (FCOS's split, models/detection/fcos.py):
// a shared conv head, the coarse level upsampled into the fine one (an
// FPN's top-down path). loss=fcos adds the per-level targets, npos and
// ctr_sum before the learning rate, and returns the loss alone.

// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: %{{.*}}: tensor<?x2x8x8xf32>,
// CHECK-SAME: %[[C0:[^:]*]]: tensor<?x4x4xi32>, %[[B0:[^:]*]]: tensor<?x4x4x4xf32>, %[[T0:[^:]*]]: tensor<?x1x4x4xf32>, %[[P0:[^:]*]]: tensor<?x1x4x4xf32>,
// CHECK-SAME: %[[C1:[^:]*]]: tensor<?x2x2xi32>, %[[B1:[^:]*]]: tensor<?x4x2x2xf32>, %[[T1:[^:]*]]: tensor<?x1x2x2xf32>, %[[P1:[^:]*]]: tensor<?x1x2x2xf32>,
// CHECK-SAME: %[[NPOS:[^:]*]]: tensor<f32>, %[[CSUM:[^:]*]]: tensor<f32>, %{{[^:]*}}: tensor<f32>) -> tensor<f32>
// CHECK: %[[L0:.*]], %[[D0:.*]] = qnn.sigmoid_focal_loss %{{.*}}, %[[C0]], %[[NPOS]] {alpha = 5.000000e-01 : f64, gamma = 1.500000e+00 : f64} : tensor<?x3x4x4xf32>, tensor<?x4x4xi32>
// CHECK: %[[R0:.*]] = qnn.relu %{{.*}} : tensor<?x4x4x4xf32>
// CHECK: qnn.giou_loss %[[R0]], %[[B0]], %[[T0]], %[[CSUM]] : tensor<?x4x4x4xf32>, tensor<?x1x4x4xf32>
// CHECK: qnn.bce_with_logits_loss %{{.*}}, %[[T0]], %[[P0]], %[[NPOS]] : tensor<?x1x4x4xf32>
// CHECK: qnn.sigmoid_focal_loss %{{.*}}, %[[C1]], %[[NPOS]]
// CHECK: qnn.giou_loss %{{.*}}, %[[B1]], %[[T1]], %[[CSUM]]
// CHECK: qnn.bce_with_logits_loss %{{.*}}, %[[T1]], %[[P1]], %[[NPOS]]
// The backward: each loss's own gradient, the relu's, and the upsampling's
// window sum (4 avg_pool(dy) for a factor of 2).
// CHECK-DAG: qnn.relu_grad
// CHECK-DAG: qnn.avg_pool %{{.*}} {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x8x4x4xf32>) -> tensor<?x8x2x2xf32>
// CHECK: qnn.sgd_update
// CHECK: return %{{.*}} : tensor<f32>

// CE: error: qnn-wrap-mode: mode=qat with loss=cross_entropy needs a forward function with one result (the logits), got 6 (a detector body trains with loss=fcos)
// UNKNOWN: error: qnn-wrap-mode: unknown loss 'ssd' (expected cross_entropy or fcos)
// LEVEL: error: qnn-wrap-mode: loss=fcos: level 0 (results 0..2) must be N x C x H x W class logits, N x 4 x H x W box distances and N x 1 x H x W centerness logits of one known H x W, got 'tensor<?x3x4x4xf32>', 'tensor<?x4x4x4xf32>', 'tensor<?x1x2x2xf32>'
// COUNT: error: qnn-wrap-mode: loss=fcos needs the forward to return (class logits, box distances, centerness logits) per level, got 2 result(s)

func.func @main(%x: tensor<?x2x8x8xf32>) -> (tensor<?x3x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x1x4x4xf32>, tensor<?x3x2x2xf32>, tensor<?x4x2x2xf32>, tensor<?x1x2x2xf32>) {
  %w0 = arith.constant dense<0.1> : tensor<8x2x3x3xf32> loc("stem")
  %w1 = arith.constant dense<0.05> : tensor<8x8x3x3xf32> loc("down")
  %wc = arith.constant dense<0.01> : tensor<3x8x1x1xf32> loc("cls")
  %wb = arith.constant dense<0.02> : tensor<4x8x1x1xf32> loc("box")
  %wt = arith.constant dense<0.03> : tensor<1x8x1x1xf32> loc("ctr")
  %s = qnn.conv2d %x, %w0 {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x2x8x8xf32>, tensor<8x2x3x3xf32>) -> tensor<?x8x4x4xf32> loc("stem")
  %sr = qnn.relu %s : tensor<?x8x4x4xf32>
  %d = qnn.conv2d %sr, %w1 {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x8x4x4xf32>, tensor<8x8x3x3xf32>) -> tensor<?x8x2x2xf32> loc("down")
  %up = qnn.resize nearest asymmetric %d {nearest_mode = #qnn<nearest_mode floor>} : (tensor<?x8x2x2xf32>) -> tensor<?x8x4x4xf32>
  %p3 = qnn.add %sr, %up : (tensor<?x8x4x4xf32>, tensor<?x8x4x4xf32>) -> tensor<?x8x4x4xf32>
  %c3 = qnn.conv2d %p3, %wc : (tensor<?x8x4x4xf32>, tensor<3x8x1x1xf32>) -> tensor<?x3x4x4xf32> loc("cls")
  %b3 = qnn.conv2d %p3, %wb : (tensor<?x8x4x4xf32>, tensor<4x8x1x1xf32>) -> tensor<?x4x4x4xf32> loc("box")
  %t3 = qnn.conv2d %p3, %wt : (tensor<?x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<?x1x4x4xf32> loc("ctr")
  %c4 = qnn.conv2d %d, %wc : (tensor<?x8x2x2xf32>, tensor<3x8x1x1xf32>) -> tensor<?x3x2x2xf32> loc("cls")
  %b4 = qnn.conv2d %d, %wb : (tensor<?x8x2x2xf32>, tensor<4x8x1x1xf32>) -> tensor<?x4x2x2xf32> loc("box")
  %t4 = qnn.conv2d %d, %wt : (tensor<?x8x2x2xf32>, tensor<1x8x1x1xf32>) -> tensor<?x1x2x2xf32> loc("ctr")
  return %c3, %b3, %t3, %c4, %b4, %t4 : tensor<?x3x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x1x4x4xf32>, tensor<?x3x2x2xf32>, tensor<?x4x2x2xf32>, tensor<?x1x2x2xf32>
}

func.func @bad_level(%x: tensor<?x3x4x4xf32>, %y: tensor<?x4x4x4xf32>, %z: tensor<?x1x2x2xf32>) -> (tensor<?x3x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x1x2x2xf32>) {
  return %x, %y, %z : tensor<?x3x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x1x2x2xf32>
}

func.func @two_results(%x: tensor<?x3x4x4xf32>) -> (tensor<?x3x4x4xf32>, tensor<?x3x4x4xf32>) {
  return %x, %x : tensor<?x3x4x4xf32>, tensor<?x3x4x4xf32>
}
