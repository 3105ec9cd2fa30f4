// RUN: qopt %s -split-input-file -qnn-lower-to-integer -verify-diagnostics | FileCheck %s

// model-quantization's non-uniform quantizers (docs/semantics.md): the
// ternary weight becomes its levels on the s8 grid [-1, 1] of scale 1,
// computed as the quantizer does: w a0 = [1, -0.5 -> -0 (half to even)],
// [0.6 -> 1, -1.2 -> -1]. The activation quantizer stays (the encoder) and
// a quantize onto u8 [0, 3] of scale 1 follows it; the conv reads that.
// CHECK-LABEL: func.func @conv
// CHECK-DAG: %[[W8:.*]] = arith.constant dense<{{\[\[\[\[}}1, 0]]], {{\[\[\[}}1, -1]]]]> : tensor<2x1x1x2xi8>
// CHECK-DAG: %[[W:.*]] = quant.scast %[[W8]] : tensor<2x1x1x2xi8> to tensor<2x1x1x2x!quant.uniform<i8<-1:1>:f32, 1.000000e+00>>
// CHECK: %[[XQ:.*]] = qnn.fake_quant non_uniform activation %arg0 clip(%{{.*}} : tensor<3xf32>) {bits = 2 : i64, half_range} : tensor<?x1x4x4xf32>
// CHECK: %[[X:.*]] = qnn.quantize %[[XQ]] : tensor<?x1x4x4xf32> -> tensor<?x1x4x4x!quant.uniform<u8<0:3>:f32, 1.000000e+00>>
// CHECK: %[[ACC:.*]] = qnn.qconv2d %[[X]], %[[W]] {pads = array<i64: 0, 0, 0, 1>} : {{.*}} -> tensor<?x2x4x4x!quant.uniform<i32:f32, 1.000000e+00>>
// CHECK: qnn.dequantize %[[ACC]]
// CHECK-NOT: qnn.conv2d
func.func @conv(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = arith.constant dense<[[[[0.5, -0.25]]], [[[0.3, -0.6]]]]> : tensor<2x1x1x2xf32>
  %aw = arith.constant dense<2.0> : tensor<2xf32>
  %ax = arith.constant dense<[1.0, 0.5, 2.0]> : tensor<3xf32>
  %wq = qnn.fake_quant non_uniform weight %w clip(%aw : tensor<2xf32>) {bits = 2} : tensor<2x1x1x2xf32>
  %xq = qnn.fake_quant non_uniform activation %x clip(%ax : tensor<3xf32>) {bits = 2, half_range} : tensor<?x1x4x4xf32>
  %y = qnn.conv2d %xq, %wq {pads = array<i64: 0, 0, 0, 1>} : (tensor<?x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<?x2x4x4xf32>
  return %y : tensor<?x2x4x4xf32>
}

// -----

// A conv -> relu feeding a non-uniform quantizer is not a requantized
// layer (the quantizer is not a uniform grid of the accumulator): the conv
// lowers to its accumulator and float epilogue, the relu and the encoder
// stay, and the next layer (LSQ weight) reads the u8 [0, 1] grid.
// CHECK-LABEL: func.func @chain
// CHECK: %[[A:.*]] = qnn.qconv2d %{{.*}}, %{{.*}} : {{.*}} -> tensor<?x2x4x4x!quant.uniform<i32:f32, {{.*}}>>
// CHECK: %[[F:.*]] = qnn.dequantize %[[A]]
// CHECK: %[[R:.*]] = qnn.relu %[[F]]
// CHECK: %[[H:.*]] = qnn.fake_quant non_uniform activation %[[R]]
// CHECK: %[[HQ:.*]] = qnn.quantize %[[H]] : tensor<?x2x4x4xf32> -> tensor<?x2x4x4x!quant.uniform<u8<0:1>:f32, 1.000000e+00>>
// CHECK: qnn.qconv2d %[[HQ]], %{{.*}} : {{.*}} -> tensor<?x2x4x4x!quant.uniform<i32:f32, 5.000000e-01>>
func.func @chain(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = arith.constant dense<[[[[0.5, -0.25]]], [[[0.3, -0.6]]]]> : tensor<2x1x1x2xf32>
  %w2 = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %s = arith.constant dense<0.25> : tensor<f32>
  %s2 = arith.constant dense<0.5> : tensor<f32>
  %xs = arith.constant dense<0.1> : tensor<f32>
  %a = arith.constant dense<1.0> : tensor<1xf32>
  %xq = qnn.fake_quant lsq activation %x scale(%xs : tensor<f32>) {bits = 8} : tensor<?x1x4x4xf32>
  %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<f32>) {bits = 4} : tensor<2x1x1x2xf32>
  %c = qnn.conv2d %xq, %wq {pads = array<i64: 0, 0, 0, 1>} : (tensor<?x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<?x2x4x4xf32>
  %r = qnn.relu %c : tensor<?x2x4x4xf32>
  %h = qnn.fake_quant non_uniform activation %r clip(%a : tensor<1xf32>) {bits = 1, half_range} : tensor<?x2x4x4xf32>
  %w2q = qnn.fake_quant lsq weight %w2 scale(%s2 : tensor<f32>) {bits = 4} : tensor<2x2x1x1xf32>
  %y = qnn.conv2d %h, %w2q : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  return %y : tensor<?x2x4x4xf32>
}

// -----

// Slopes that are not constants (not frozen: training) cannot be lowered.
// CHECK-LABEL: func.func @trainable
// CHECK: qnn.fake_quant non_uniform activation
// CHECK-NOT: qnn.quantize
func.func @trainable(%x: tensor<?x4xf32>, %a: tensor<3xf32>) -> tensor<?x4xf32> {
  // expected-remark @+1 {{quantizer 'fq0' not lowered: its slopes are not constants (train, then run qnn-wrap-mode{mode=test})}}
  %xq = qnn.fake_quant non_uniform activation %x clip(%a : tensor<3xf32>) {bits = 2, half_range} : tensor<?x4xf32>
  return %xq : tensor<?x4xf32>
}
