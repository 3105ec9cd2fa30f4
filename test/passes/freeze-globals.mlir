// RUN: qopt %s -split-input-file -qnn-freeze-globals -verify-diagnostics | FileCheck %s

// Loads become constants of the globals' current values; the training step
// and the globals nothing loads any more (optimizer state) are erased.
ml_program.global private mutable @conv.weight(dense<0.25> : tensor<4x3x1x1xf32>) : tensor<4x3x1x1xf32> {qnn.kind = "weight", qnn.layer = "conv"}
ml_program.global private mutable @conv.weight.momentum_buffer(dense<0.0> : tensor<4x3x1x1xf32>) : tensor<4x3x1x1xf32> {qnn.kind = "optimizer_state", qnn.layer = "conv"}
ml_program.global private mutable @fq0.scale(dense<0.125> : tensor<f32>) : tensor<f32> {qnn.kind = "quant_param", qnn.layer = "fq0"}

// CHECK-NOT: ml_program.global
// CHECK-LABEL: func.func @main
func.func @main(%x: tensor<?x3x4x4xf32>) -> tensor<?x4x4x4xf32> {
  // CHECK: %[[W:.*]] = arith.constant dense<2.500000e-01> : tensor<4x3x1x1xf32>
  %w = ml_program.global_load @conv.weight : tensor<4x3x1x1xf32>
  // CHECK: %[[S:.*]] = arith.constant dense<1.250000e-01> : tensor<f32>
  %s = ml_program.global_load @fq0.scale : tensor<f32>
  // CHECK: qnn.fake_quant lsq weight %[[W]] scale(%[[S]] : tensor<f32>)
  %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<f32>) {bits = 4} : tensor<4x3x1x1xf32>
  %y = qnn.conv2d %x, %wq : (tensor<?x3x4x4xf32>, tensor<4x3x1x1xf32>) -> tensor<?x4x4x4xf32>
  return %y : tensor<?x4x4x4xf32>
}

// CHECK-NOT: train_step
func.func @train_step(%x: tensor<?x3x4x4xf32>, %labels: tensor<?xi32>, %lr: tensor<f32>) -> tensor<f32> {
  %w = ml_program.global_load @conv.weight : tensor<4x3x1x1xf32>
  %buf = ml_program.global_load @conv.weight.momentum_buffer : tensor<4x3x1x1xf32>
  ml_program.global_store @conv.weight = %w : tensor<4x3x1x1xf32>
  %zero = arith.constant dense<0.0> : tensor<f32>
  return %zero : tensor<f32>
}

// -----

ml_program.global private mutable @w(dense<0.25> : tensor<4xf32>) : tensor<4xf32>

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{qnn-freeze-globals: a global_store outside @train_step would change @w after freezing}}
  ml_program.global_store @w = %x : tensor<4xf32>
  return %x : tensor<4xf32>
}

// -----

ml_program.global private mutable @w : tensor<4xf32>

func.func @main() -> tensor<4xf32> {
  // expected-error @+1 {{qnn-freeze-globals: @w has no tensor value of type 'tensor<4xf32>' to freeze}}
  %w = ml_program.global_load @w : tensor<4xf32>
  return %w : tensor<4xf32>
}
