// RUN: qopt %s -qnn-uniform-activations -split-input-file -verify-diagnostics | FileCheck %s

// PACT, 4 bit, alpha = 3: step 3 / 15 = 0.2; qnn.name and grad are kept.
// CHECK-LABEL: func.func @pact
// CHECK-DAG: %[[S:.*]] = arith.constant dense<2.000000e-01> : tensor<f32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<f32>
// CHECK: %[[Q:.*]] = qnn.fake_quant uniform activation %arg0 scale(%[[S]] : tensor<f32>) zero_point(%[[Z]] : tensor<f32>) grad clipped_ste {bits = 4 : i64, half_range, qnn.name = "l1.fm"} : tensor<?x4xf32>
// CHECK-NOT: pact
// CHECK: return %[[Q]]
func.func @pact(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %alpha = arith.constant dense<3.0> : tensor<f32>
  %q = qnn.fake_quant pact activation %x clip(%alpha : tensor<f32>) grad clipped_ste {bits = 4, half_range, qnn.name = "l1.fm"} : tensor<?x4xf32>
  return %q : tensor<?x4xf32>
}

// -----

// DoReFa without a clip: [0, 1], 2 bit: step 1 / 3. With clip 6: 6 / 3 = 2.
// CHECK-LABEL: func.func @dorefa
// CHECK: %[[S1:.*]] = arith.constant dense<0.333333343> : tensor<f32>
// CHECK: qnn.fake_quant uniform activation %arg0 scale(%[[S1]] : tensor<f32>) zero_point(%{{.*}} : tensor<f32>) {bits = 2 : i64, half_range}
// CHECK: %[[S2:.*]] = arith.constant dense<2.000000e+00> : tensor<f32>
// CHECK: qnn.fake_quant uniform activation %{{.*}} scale(%[[S2]] : tensor<f32>) zero_point(%{{.*}} : tensor<f32>) {bits = 2 : i64, half_range}
// CHECK-NOT: dorefa activation
func.func @dorefa(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %c = arith.constant dense<6.0> : tensor<f32>
  %a = qnn.fake_quant dorefa activation %x {bits = 2, half_range} : tensor<?x4xf32>
  %b = qnn.fake_quant dorefa activation %a clip(%c : tensor<f32>) {bits = 2, half_range} : tensor<?x4xf32>
  return %b : tensor<?x4xf32>
}

// -----

// Weights and other methods are not touched; a clip that is not a constant
// stays, with a remark.
// CHECK-LABEL: func.func @untouched
// CHECK: qnn.fake_quant dorefa weight
// CHECK: qnn.fake_quant lsq activation
// CHECK: qnn.fake_quant pact activation
func.func @untouched(%x: tensor<?x4xf32>, %w: tensor<2x4xf32>, %alpha: tensor<f32>) -> tensor<?x4xf32> {
  %s = arith.constant dense<0.5> : tensor<f32>
  %wq = qnn.fake_quant dorefa weight %w {bits = 2} : tensor<2x4xf32>
  %a = qnn.fake_quant lsq activation %x scale(%s : tensor<f32>) {bits = 4, half_range} : tensor<?x4xf32>
  // expected-remark @+1 {{activation quantizer not made uniform: its clip is not a constant (freeze the globals first)}}
  %b = qnn.fake_quant pact activation %a clip(%alpha : tensor<f32>) {bits = 4, half_range} : tensor<?x4xf32>
  return %b : tensor<?x4xf32>
}

// -----

func.func @negative_clip(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %alpha = arith.constant dense<-1.0> : tensor<f32>
  // expected-remark @+1 {{activation quantizer not made uniform: its clip -1.000000 is not positive}}
  %q = qnn.fake_quant pact activation %x clip(%alpha : tensor<f32>) {bits = 4, half_range} : tensor<?x4xf32>
  return %q : tensor<?x4xf32>
}
