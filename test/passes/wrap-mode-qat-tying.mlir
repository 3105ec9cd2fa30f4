// RUN: qopt %s "-qnn-wrap-mode=mode=qat" | FileCheck %s

// Constants merged by CSE must not become one parameter: both batch norms
// read the same zero / one constants, yet each gets its own scale, shift
// and running statistics. The same non-splat weight used by two convs is a
// tied weight: one global, loaded once, its two gradients summed. A
// constant that is also read by an op training does not touch (the add)
// stays a constant.

// CHECK-DAG: ml_program.global private mutable @conv0.weight(dense<{{\[}}[{{\[}}[1.000000e+00]], {{\[}}[2.000000e+00]]]]> : tensor<1x2x1x1xf32>) : tensor<1x2x1x1xf32> {qnn.kind = "weight", qnn.layer = "conv0"}
// CHECK-DAG: ml_program.global private mutable @bn0.weight(dense<1.000000e+00> : tensor<1xf32>) : tensor<1xf32> {qnn.kind = "bn_weight", qnn.layer = "bn0"}
// CHECK-DAG: ml_program.global private mutable @bn0.bias(dense<0.000000e+00> : tensor<1xf32>) : tensor<1xf32> {qnn.kind = "bn_bias", qnn.layer = "bn0"}
// CHECK-DAG: ml_program.global private mutable @bn0.running_mean(dense<0.000000e+00> : tensor<1xf32>) : tensor<1xf32> {qnn.kind = "bn_stat", qnn.layer = "bn0"}
// CHECK-DAG: ml_program.global private mutable @bn0.running_var(dense<1.000000e+00> : tensor<1xf32>) : tensor<1xf32> {qnn.kind = "bn_stat", qnn.layer = "bn0"}
// CHECK-DAG: ml_program.global private mutable @bn1.weight(dense<1.000000e+00> : tensor<1xf32>) : tensor<1xf32> {qnn.kind = "bn_weight", qnn.layer = "bn1"}
// CHECK-DAG: ml_program.global private mutable @bn1.bias(dense<0.000000e+00> : tensor<1xf32>) : tensor<1xf32> {qnn.kind = "bn_bias", qnn.layer = "bn1"}
// CHECK-DAG: ml_program.global private mutable @bn1.running_mean(dense<0.000000e+00> : tensor<1xf32>) : tensor<1xf32> {qnn.kind = "bn_stat", qnn.layer = "bn1"}
// CHECK-DAG: ml_program.global private mutable @bn1.running_var(dense<1.000000e+00> : tensor<1xf32>) : tensor<1xf32> {qnn.kind = "bn_stat", qnn.layer = "bn1"}
// CHECK-NOT: @conv0.weight_

// CHECK-LABEL: func.func @main
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<1xf32>
// CHECK: qnn.add %{{.*}}, %[[ZERO]]

// CHECK-LABEL: func.func @train_step
// CHECK-COUNT-1: ml_program.global_load @conv0.weight
// CHECK-NOT: ml_program.global_load @conv0.weight :
// CHECK: %[[DW1:.*]] = qnn.conv2d_grad_weight
// CHECK: %[[DW0:.*]] = qnn.conv2d_grad_weight
// CHECK: %[[DW:.*]] = qnn.add %[[DW1]], %[[DW0]] : (tensor<1x2x1x1xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32>
// CHECK: qnn.sgd_update %{{.*}}, %[[DW]],
// CHECK: ml_program.global_store @bn0.running_mean
// CHECK: ml_program.global_store @bn0.running_var
// CHECK: ml_program.global_store @bn1.running_mean
// CHECK: ml_program.global_store @bn1.running_var
func.func @main(%x: tensor<?x2x4x4xf32>) -> tensor<?x1xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]]]> : tensor<1x2x1x1xf32>
  %zero = arith.constant dense<0.0> : tensor<1xf32>
  %one = arith.constant dense<1.0> : tensor<1xf32>
  %a = qnn.conv2d %x, %w : (tensor<?x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<?x1x4x4xf32>
  %an = qnn.batch_norm %a, %one, %zero, %zero, %one : tensor<?x1x4x4xf32>, tensor<1xf32>
  %b = qnn.conv2d %x, %w : (tensor<?x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<?x1x4x4xf32>
  %bn = qnn.batch_norm %b, %one, %zero, %zero, %one : tensor<?x1x4x4xf32>, tensor<1xf32>
  %s = qnn.add %an, %bn : (tensor<?x1x4x4xf32>, tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32>
  %p = qnn.global_avg_pool %s : (tensor<?x1x4x4xf32>) -> tensor<?x1x1x1xf32>
  %f = qnn.flatten %p : (tensor<?x1x1x1xf32>) -> tensor<?x1xf32>
  %o = qnn.add %f, %zero : (tensor<?x1xf32>, tensor<1xf32>) -> tensor<?x1xf32>
  return %o : tensor<?x1xf32>
}
