// RUN: qopt %s -split-input-file -qnn-lower-to-integer -verify-diagnostics | FileCheck %s

// Weights are quantized now: w / s per channel, rounded half to even:
// [0.5, -0.25] / 0.25 = [2, -1]; [0.3, 0.1] / 0.2 = [1.5, 0.5] -> [2, 0].
// The activation becomes quantize; conv2d becomes qconv2d producing the i32
// accumulator (scale s_x * s_w[c]), dequantized, plus the float bias.
// CHECK-LABEL: func.func @conv
// CHECK-DAG: %[[W8:.*]] = arith.constant dense<{{\[\[\[\[}}2, -1]]], {{\[\[\[}}2, 0]]]]> : tensor<2x1x1x2xi8>
// CHECK-DAG: %[[W:.*]] = quant.scast %[[W8]] : tensor<2x1x1x2xi8> to tensor<2x1x1x2x!quant.uniform<i8<-127:127>:f32:0, {2.500000e-01,0.20000000298023224}>>
// CHECK-DAG: %[[X:.*]] = qnn.quantize %{{.*}} : tensor<?x1x4x4xf32> -> tensor<?x1x4x4x!quant.uniform<u8:f32, 0.10000000149011612:3>>
// CHECK: %[[ACC:.*]] = qnn.qconv2d %[[X]], %[[W]] {pads = array<i64: 0, 0, 0, 1>} : {{.*}} -> tensor<?x2x4x4x!quant.uniform<i32:f32:1, {0.02500000037252903,0.020000000596046452}>>
// CHECK: %[[F:.*]] = qnn.dequantize %[[ACC]] : {{.*}} -> tensor<?x2x4x4xf32>
// CHECK: %[[B:.*]] = qnn.reshape %{{.*}} : (tensor<2xf32>) -> tensor<1x2x1x1xf32>
// CHECK: %[[Y:.*]] = qnn.add %[[F]], %[[B]]
// CHECK: return %[[Y]]
func.func @conv(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = arith.constant dense<[[[[0.5, -0.25]]], [[[0.3, 0.1]]]]> : tensor<2x1x1x2xf32>
  %ws = arith.constant dense<[0.25, 0.2]> : tensor<2xf32>
  %wz = arith.constant dense<0.0> : tensor<2xf32>
  %xs = arith.constant dense<0.1> : tensor<f32>
  %xz = arith.constant dense<3.0> : tensor<f32>
  %b = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %wq = qnn.fake_quant uniform weight %w scale(%ws : tensor<2xf32>) zero_point(%wz : tensor<2xf32>) {axis = 0, bits = 8, narrow} : tensor<2x1x1x2xf32>
  %xq = qnn.fake_quant uniform activation %x scale(%xs : tensor<f32>) zero_point(%xz : tensor<f32>) {bits = 8, half_range} : tensor<?x1x4x4xf32>
  %y = qnn.conv2d %xq, %wq, %b {pads = array<i64: 0, 0, 0, 1>} : (tensor<?x1x4x4xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  return %y : tensor<?x2x4x4xf32>
}

// -----

// 4-bit LSQ weights are stored in i8 with the 4-bit range; linear becomes
// qlinear on the i32 accumulator. An unquantized layer stays float.
// CHECK-LABEL: func.func @linear_lsq
// CHECK: quant.scast %{{.*}} : tensor<3x2xi8> to tensor<3x2x!quant.uniform<i8<-8:7>:f32, 5.000000e-01>>
// CHECK: qnn.qlinear %{{.*}}, %{{.*}} : {{.*}} -> tensor<?x3x!quant.uniform<i32:f32, 0.05000000074505806>>
// CHECK: qnn.dequantize
// CHECK: qnn.add %{{.*}}, %{{.*}} : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
// CHECK: qnn.linear %{{.*}}, %{{.*}} : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
func.func @linear_lsq(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[1.0, -4.0], [0.2, 9.0], [-0.75, 0.25]]> : tensor<3x2xf32>
  %w2 = arith.constant dense<1.0> : tensor<2x3xf32>
  %s = arith.constant dense<0.5> : tensor<f32>
  %xs = arith.constant dense<0.1> : tensor<f32>
  %b = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<f32>) {bits = 4} : tensor<3x2xf32>
  %xq = qnn.fake_quant lsq activation %x scale(%xs : tensor<f32>) {bits = 8} : tensor<?x2xf32>
  %y = qnn.linear %xq, %wq, %b : (tensor<?x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %z = qnn.linear %y, %w2 : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
  return %z : tensor<?x2xf32>
}

// -----

// Methods without an integer form stay, with a remark naming the quantizer.
// CHECK-LABEL: func.func @pact
// CHECK: qnn.fake_quant pact
func.func @pact(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = arith.constant dense<6.0> : tensor<f32>
  // expected-remark @+1 {{quantizer 'fq0' not lowered: pact has no integer lowering yet}}
  %q = qnn.fake_quant pact activation %x clip(%c : tensor<f32>) {bits = 4, half_range} : tensor<4xf32>
  return %q : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @not_frozen
func.func @not_frozen(%x: tensor<4xf32>, %s: tensor<f32>) -> tensor<4xf32> {
  // expected-remark @+1 {{quantizer 'fq0' not lowered: its scale is not a constant (calibrate or train, then run qnn-wrap-mode{mode=test})}}
  %q = qnn.fake_quant lsq activation %x scale(%s : tensor<f32>) {bits = 8} : tensor<4xf32>
  return %q : tensor<4xf32>
}
