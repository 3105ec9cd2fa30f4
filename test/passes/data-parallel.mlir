// RUN: qopt %s -qnn-wrap-mode=mode=qat -qnn-data-parallel | FileCheck %s
// RUN: qopt %s -qnn-wrap-mode=mode=qat -qnn-data-parallel -qnn-data-parallel | FileCheck %s --check-prefix=TWICE
// RUN: qopt %s -qnn-wrap-mode="mode=qat optimizer=adam" -qnn-data-parallel | FileCheck %s --check-prefix=ADAM
// RUN: qopt %s -qnn-data-parallel | FileCheck %s --check-prefix=FORWARD

// Every optimizer update reads its gradient through qnn.all_reduce, and the
// training form of batch norm (forward and backward) is synchronized.
// The conv weight, BN scale and bias, and linear weight: 4 gradients, each
// reduced right before its update.
// CHECK-LABEL: func.func @train_step(
// CHECK: qnn.batch_norm_train {{.*}} {sync}
// CHECK: qnn.batch_norm_grad {{.*}} {sync}
// CHECK: %[[G:.*]] = qnn.all_reduce %{{.*}} : tensor<2x1x3x3xf32>
// CHECK-NEXT: qnn.sgd_update %conv0.weight, %[[G]],
// CHECK: %[[S:.*]] = qnn.all_reduce %scale_grad : tensor<2xf32>
// CHECK-NEXT: qnn.sgd_update %bn0.weight, %[[S]],
// CHECK: %[[B:.*]] = qnn.all_reduce %bias_grad : tensor<2xf32>
// CHECK-NEXT: qnn.sgd_update %bn0.bias, %[[B]],
// CHECK: %[[L:.*]] = qnn.all_reduce %{{.*}} : tensor<3x32xf32>
// CHECK-NEXT: qnn.sgd_update %{{.*}}, %[[L]],
// CHECK-NOT: qnn.all_reduce

// Running it again reduces nothing twice.
// TWICE-COUNT-4: qnn.all_reduce
// TWICE-NOT: qnn.all_reduce

// ADAM-COUNT-4: qnn.adam_update

// Without an optimizer (the forward alone) nothing changes.
// FORWARD-LABEL: func.func @forward(
// FORWARD-NOT: all_reduce
// FORWARD-NOT: sync
func.func @forward(%x: tensor<?x1x4x4xf32>) -> tensor<?x3xf32> {
  %w = arith.constant dense<0.1> : tensor<2x1x3x3xf32>
  %g = arith.constant dense<1.0> : tensor<2xf32>
  %b = arith.constant dense<0.0> : tensor<2xf32>
  %m = arith.constant dense<0.0> : tensor<2xf32>
  %v = arith.constant dense<1.0> : tensor<2xf32>
  %c = qnn.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x4x4xf32>
  %n = qnn.batch_norm %c, %g, %b, %m, %v : tensor<?x2x4x4xf32>, tensor<2xf32>
  %r = qnn.relu %n : tensor<?x2x4x4xf32>
  %f = qnn.flatten %r {axis = 1 : i64} : (tensor<?x2x4x4xf32>) -> tensor<?x32xf32>
  %lw = arith.constant dense<0.01> : tensor<3x32xf32>
  %y = qnn.linear %f, %lw : (tensor<?x32xf32>, tensor<3x32xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
