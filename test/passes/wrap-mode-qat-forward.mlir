// RUN: qopt %s -qnn-wrap-mode=mode=qat | FileCheck %s

// Without a @main, the module's only function is the model (as in qrun).
// CHECK: ml_program.global private mutable @linear0.weight(dense<1.000000e-01> : tensor<10x4xf32>) : tensor<10x4xf32> {qnn.kind = "weight", qnn.layer = "linear0"}
// CHECK-LABEL: func.func @forward(
// CHECK: ml_program.global_load @linear0.weight
// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: tensor<?x4xf32>, %{{.*}}: tensor<?xi32>, %{{.*}}: tensor<f32>) -> (tensor<f32>, tensor<?x10xf32>)
// CHECK: qnn.sgd_update
func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x10xf32> {
  %w = arith.constant dense<0.1> : tensor<10x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<10x4xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}
