// RUN: qopt %s -qnn-apply-policy='policy="xnor,quant_last,bireal,PReLU"' "-qnn-wrap-mode=mode=qat" | FileCheck %s

// QAT of a binary block with `bireal` + `PReLU`: the PReLU slope becomes a
// trained global (kind prelu_weight, no weight decay with decay-small),
// differentiated and updated by the optimizer like the BN parameters.

// CHECK-DAG: ml_program.global private mutable @act0.weight(dense<2.500000e-01> : tensor<4xf32>) : tensor<4xf32> {qnn.kind = "prelu_weight", qnn.layer = "act0"}
// CHECK-DAG: ml_program.global private mutable @act1.weight(dense<2.500000e-01> : tensor<4xf32>) : tensor<4xf32> {qnn.kind = "prelu_weight", qnn.layer = "act1"}
// CHECK-LABEL: func.func @train_step
// CHECK: %[[A0:.*]] = ml_program.global_load @act0.weight
// CHECK: qnn.prelu %{{.*}}, %[[A0]]
// CHECK: %[[NEW:.*]], %{{.*}} = qnn.sgd_update %[[A0]], %{{.*}}, %{{.*}}, %{{.*}} {momentum = 9.000000e-01 : f64} :
// CHECK: ml_program.global_store @act0.weight = %[[NEW]]
func.func @main(%x: tensor<2x4x8x8xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<0.5> : tensor<4x4x3x3xf32>
  %g = arith.constant dense<1.0> : tensor<4xf32>
  %b = arith.constant dense<0.0> : tensor<4xf32>
  %c0 = qnn.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<2x4x8x8xf32> loc("stem")
  %stem = qnn.relu %c0 : tensor<2x4x8x8xf32> loc("stem_relu")
  %c1 = qnn.conv2d %stem, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<2x4x8x8xf32> loc("conv1")
  %n1 = qnn.batch_norm %c1, %g, %b, %b, %g {epsilon = 1.0e-5 : f64} : tensor<2x4x8x8xf32>, tensor<4xf32> loc("bn1")
  %r1 = qnn.relu %n1 : tensor<2x4x8x8xf32> loc("act0")
  %c2 = qnn.conv2d %r1, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<2x4x8x8xf32> loc("conv2")
  %n2 = qnn.batch_norm %c2, %g, %b, %b, %g {epsilon = 1.0e-5 : f64} : tensor<2x4x8x8xf32>, tensor<4xf32> loc("bn2")
  %s = qnn.add %n2, %stem : (tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %r2 = qnn.relu %s : tensor<2x4x8x8xf32> loc("act1")
  %p = qnn.global_avg_pool %r2 : (tensor<2x4x8x8xf32>) -> tensor<2x4x1x1xf32>
  %logits = qnn.flatten %p : (tensor<2x4x1x1xf32>) -> tensor<2x4xf32>
  return %logits : tensor<2x4xf32>
}
