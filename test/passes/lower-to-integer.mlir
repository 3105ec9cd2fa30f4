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

// -----

// A conv whose result only feeds relu -> zero pad -> the next layer's input
// quantizer is one requantized int8 layer: qconv2d with the bias folded into
// accumulator units as f32, unrounded (1.0 / fl(0.1 * 0.25) = 40,
// -1.0 / fl(0.1 * 0.2) = -49.9999962),
// relu fused, the result typed with the quantizer's grid. The pad moves into
// the consumer qconv2d's pads (it pads with the zero point), so no float
// tensor is left between the two layers.
// CHECK-LABEL: func.func @fused_relu_pad
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[4.000000e+01, -49.9999962]> : tensor<2xf32>
// CHECK-DAG: %[[X:.*]] = qnn.quantize %{{.*}} : tensor<?x1x4x4xf32> -> tensor<?x1x4x4x!quant.uniform<u8:f32, 0.10000000149011612:3>>
// CHECK: %[[Y:.*]] = qnn.qconv2d %[[X]], %{{.*}}, %[[B]] {relu} : {{.*}} -> tensor<?x2x4x4x!quant.uniform<u8:f32, 0.05000000074505806>>
// CHECK-NOT: qnn.quantize
// CHECK-NOT: qnn.pad
// CHECK: %[[Z:.*]] = qnn.qconv2d %[[Y]], %{{.*}} {pads = array<i64: 1, 1, 1, 1>} : {{.*}} -> tensor<?x1x4x4x!quant.uniform<i32:f32, 0.010000000298023226>>
// CHECK: qnn.dequantize %[[Z]]
func.func @fused_relu_pad(%x: tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32> {
  %w = arith.constant dense<[[[[0.5]]], [[[0.3]]]]> : tensor<2x1x1x1xf32>
  %ws = arith.constant dense<[0.25, 0.2]> : tensor<2xf32>
  %wz = arith.constant dense<0.0> : tensor<2xf32>
  %xs = arith.constant dense<0.1> : tensor<f32>
  %xz = arith.constant dense<3.0> : tensor<f32>
  %b = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %z0 = arith.constant dense<0.0> : tensor<f32>
  %w2 = arith.constant dense<0.2> : tensor<1x2x3x3xf32>
  %w2s = arith.constant dense<0.2> : tensor<f32>
  %ys = arith.constant dense<0.05> : tensor<f32>
  %wq = qnn.fake_quant uniform weight %w scale(%ws : tensor<2xf32>) zero_point(%wz : tensor<2xf32>) {axis = 0, bits = 8} : tensor<2x1x1x1xf32>
  %xq = qnn.fake_quant uniform activation %x scale(%xs : tensor<f32>) zero_point(%xz : tensor<f32>) {bits = 8, half_range} : tensor<?x1x4x4xf32>
  %y = qnn.conv2d %xq, %wq, %b : (tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %r = qnn.relu %y : tensor<?x2x4x4xf32>
  %p = qnn.pad %r {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<?x2x4x4xf32>) -> tensor<?x2x6x6xf32>
  %pq = qnn.fake_quant uniform activation %p scale(%ys : tensor<f32>) zero_point(%z0 : tensor<f32>) {bits = 8, half_range} : tensor<?x2x6x6xf32>
  %w2q = qnn.fake_quant uniform weight %w2 scale(%w2s : tensor<f32>) zero_point(%z0 : tensor<f32>) {bits = 8} : tensor<1x2x3x3xf32>
  %z = qnn.conv2d %pq, %w2q : (tensor<?x2x6x6xf32>, tensor<1x2x3x3xf32>) -> tensor<?x1x4x4xf32>
  return %z : tensor<?x1x4x4xf32>
}

// -----

// A residual add of a quantized value (same signedness as the result) and a
// relu fuse into the qconv2d; the float tensors of the block disappear.
// CHECK-LABEL: func.func @fused_residual
// CHECK: %[[R:.*]] = qnn.quantize %arg1 : tensor<?x2x4x4xf32> -> tensor<?x2x4x4x!quant.uniform<u8:f32, 2.500000e-01:1>>
// CHECK: %[[Y:.*]] = qnn.qconv2d %{{.*}}, %{{.*}} residual(%[[R]]) {relu} : {{.*}} -> tensor<?x2x4x4x!quant.uniform<u8:f32, 0.05000000074505806>>
// CHECK-NEXT: %[[F:.*]] = qnn.dequantize %[[Y]]
// CHECK-NEXT: return %[[F]]
func.func @fused_residual(%x: tensor<?x1x4x4xf32>, %res: tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = arith.constant dense<[[[[0.5]]], [[[0.3]]]]> : tensor<2x1x1x1xf32>
  %ws = arith.constant dense<[0.25, 0.2]> : tensor<2xf32>
  %xs = arith.constant dense<0.1> : tensor<f32>
  %z0 = arith.constant dense<0.0> : tensor<f32>
  %rs = arith.constant dense<0.25> : tensor<f32>
  %rz = arith.constant dense<1.0> : tensor<f32>
  %ys = arith.constant dense<0.05> : tensor<f32>
  %rq = qnn.fake_quant uniform activation %res scale(%rs : tensor<f32>) zero_point(%rz : tensor<f32>) {bits = 8, half_range} : tensor<?x2x4x4xf32>
  %wz = arith.constant dense<0.0> : tensor<2xf32>
  %wq = qnn.fake_quant uniform weight %w scale(%ws : tensor<2xf32>) zero_point(%wz : tensor<2xf32>) {axis = 0, bits = 8} : tensor<2x1x1x1xf32>
  %xq = qnn.fake_quant uniform activation %x scale(%xs : tensor<f32>) zero_point(%z0 : tensor<f32>) {bits = 8, half_range} : tensor<?x1x4x4xf32>
  %y = qnn.conv2d %xq, %wq : (tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<?x2x4x4xf32>
  %a = qnn.add %y, %rq : (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %r = qnn.relu %a : tensor<?x2x4x4xf32>
  %o = qnn.fake_quant uniform activation %r scale(%ys : tensor<f32>) zero_point(%z0 : tensor<f32>) {bits = 8, half_range} : tensor<?x2x4x4xf32>
  return %o : tensor<?x2x4x4xf32>
}

// -----

// Not one int8 layer: the residual is a float tensor (real_skip, or
// model-quantization's default where only layer inputs are quantized), and
// the conv result of @two_users feeds two ops. Both keep the i32
// accumulator with a float epilogue.
// CHECK-LABEL: func.func @float_residual
// CHECK: qnn.qconv2d {{.*}} -> tensor<?x2x4x4x!quant.uniform<i32:f32:1,
// CHECK: qnn.add
// CHECK: qnn.relu
// CHECK: qnn.quantize
func.func @float_residual(%x: tensor<?x1x4x4xf32>, %res: tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = arith.constant dense<[[[[0.5]]], [[[0.3]]]]> : tensor<2x1x1x1xf32>
  %ws = arith.constant dense<[0.25, 0.2]> : tensor<2xf32>
  %xs = arith.constant dense<0.1> : tensor<f32>
  %z0 = arith.constant dense<0.0> : tensor<f32>
  %ys = arith.constant dense<0.05> : tensor<f32>
  %wz = arith.constant dense<0.0> : tensor<2xf32>
  %wq = qnn.fake_quant uniform weight %w scale(%ws : tensor<2xf32>) zero_point(%wz : tensor<2xf32>) {axis = 0, bits = 8} : tensor<2x1x1x1xf32>
  %xq = qnn.fake_quant uniform activation %x scale(%xs : tensor<f32>) zero_point(%z0 : tensor<f32>) {bits = 8, half_range} : tensor<?x1x4x4xf32>
  %y = qnn.conv2d %xq, %wq : (tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<?x2x4x4xf32>
  %a = qnn.add %y, %res : (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %r = qnn.relu %a : tensor<?x2x4x4xf32>
  %o = qnn.fake_quant uniform activation %r scale(%ys : tensor<f32>) zero_point(%z0 : tensor<f32>) {bits = 8, half_range} : tensor<?x2x4x4xf32>
  return %o : tensor<?x2x4x4xf32>
}

// CHECK-LABEL: func.func @two_users
// CHECK: qnn.qconv2d {{.*}} -> tensor<?x2x4x4x!quant.uniform<i32:f32:1,
func.func @two_users(%x: tensor<?x1x4x4xf32>) -> (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) {
  %w = arith.constant dense<[[[[0.5]]], [[[0.3]]]]> : tensor<2x1x1x1xf32>
  %ws = arith.constant dense<[0.25, 0.2]> : tensor<2xf32>
  %xs = arith.constant dense<0.1> : tensor<f32>
  %z0 = arith.constant dense<0.0> : tensor<f32>
  %ys = arith.constant dense<0.05> : tensor<f32>
  %wz = arith.constant dense<0.0> : tensor<2xf32>
  %wq = qnn.fake_quant uniform weight %w scale(%ws : tensor<2xf32>) zero_point(%wz : tensor<2xf32>) {axis = 0, bits = 8} : tensor<2x1x1x1xf32>
  %xq = qnn.fake_quant uniform activation %x scale(%xs : tensor<f32>) zero_point(%z0 : tensor<f32>) {bits = 8, half_range} : tensor<?x1x4x4xf32>
  %y = qnn.conv2d %xq, %wq : (tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<?x2x4x4xf32>
  %o = qnn.fake_quant uniform activation %y scale(%ys : tensor<f32>) zero_point(%z0 : tensor<f32>) {bits = 8} : tensor<?x2x4x4xf32>
  return %o, %y : tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>
}

// -----

// An onnxruntime QDQ layer (imported QuantizeLinear / DequantizeLinear): the
// int32 bias is taken as is (its scale is s_x * s_w; as f32, exact), and the output
// QuantizeLinear becomes the qconv2d's result type.
// CHECK-LABEL: func.func @qdq_conv
// CHECK: %[[B:.*]] = arith.constant dense<[7.000000e+00, -9.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = qnn.qconv2d %{{.*}}, %{{.*}}, %[[B]] : {{.*}} -> tensor<?x2x4x4x!quant.uniform<u8:f32, 5.000000e-02>>
// CHECK: return %[[Y]]
func.func @qdq_conv(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x4x4x!quant.uniform<u8:f32, 0.05>> {
  %xq = qnn.quantize %x : tensor<?x1x4x4xf32> -> tensor<?x1x4x4x!quant.uniform<u8:f32, 0.1:3>>
  %xf = qnn.dequantize %xq : tensor<?x1x4x4x!quant.uniform<u8:f32, 0.1:3>> -> tensor<?x1x4x4xf32>
  %w8 = arith.constant dense<[[[[2]]], [[[-1]]]]> : tensor<2x1x1x1xi8>
  %w = quant.scast %w8 : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!quant.uniform<i8:f32:0, {0.25, 0.2}>>
  %wf = qnn.dequantize %w : tensor<2x1x1x1x!quant.uniform<i8:f32:0, {0.25, 0.2}>> -> tensor<2x1x1x1xf32>
  %b32 = arith.constant dense<[7, -9]> : tensor<2xi32>
  %b = quant.scast %b32 : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {0.025, 0.02}>>
  %bf = qnn.dequantize %b : tensor<2x!quant.uniform<i32:f32:0, {0.025, 0.02}>> -> tensor<2xf32>
  %y = qnn.conv2d %xf, %wf, %bf : (tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %yq = qnn.quantize %y : tensor<?x2x4x4xf32> -> tensor<?x2x4x4x!quant.uniform<u8:f32, 0.05>>
  return %yq : tensor<?x2x4x4x!quant.uniform<u8:f32, 0.05>>
}

// -----

// A QDQ residual add, dequantize + add + relu + quantize, is qadd (whose
// semantics are exactly that float computation).
// CHECK-LABEL: func.func @qdq_add
// CHECK: %[[Y:.*]] = qnn.qadd %arg0, %arg1 {relu} : {{.*}} -> tensor<1x4x!quant.uniform<u8:f32, 2.000000e-01>>
// CHECK-NEXT: return %[[Y]]
func.func @qdq_add(%a: tensor<1x4x!quant.uniform<u8:f32, 0.1:3>>, %b: tensor<1x4x!quant.uniform<i8:f32, 0.05>>) -> tensor<1x4x!quant.uniform<u8:f32, 0.2>> {
  %af = qnn.dequantize %a : tensor<1x4x!quant.uniform<u8:f32, 0.1:3>> -> tensor<1x4xf32>
  %bf = qnn.dequantize %b : tensor<1x4x!quant.uniform<i8:f32, 0.05>> -> tensor<1x4xf32>
  %s = qnn.add %af, %bf : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %r = qnn.relu %s : tensor<1x4xf32>
  %q = qnn.quantize %r : tensor<1x4xf32> -> tensor<1x4x!quant.uniform<u8:f32, 0.2>>
  return %q : tensor<1x4x!quant.uniform<u8:f32, 0.2>>
}

// -----

// A QDQ Gemm weight, imported as a transposed dequantized constant: the
// transpose is folded into the integer constant (the per-axis dimension
// follows it), so the program does not transpose weights on every run.
// CHECK-LABEL: func.func @qdq_gemm_weight
// CHECK: %[[W8:.*]] = arith.constant dense<{{\[\[}}1, 3], [2, 4], [-5, 6]]> : tensor<3x2xi8>
// CHECK: %[[W:.*]] = quant.scast %[[W8]] : tensor<3x2xi8> to tensor<3x2x!quant.uniform<i8:f32:1, {5.000000e-01,2.500000e-01}>>
// CHECK: %[[F:.*]] = qnn.dequantize %[[W]]
// CHECK-NOT: qnn.transpose
// CHECK: qnn.matmul %arg0, %[[F]]
func.func @qdq_gemm_weight(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w8 = arith.constant dense<[[1, 2, -5], [3, 4, 6]]> : tensor<2x3xi8>
  %w = quant.scast %w8 : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32:0, {0.5, 0.25}>>
  %wf = qnn.dequantize %w : tensor<2x3x!quant.uniform<i8:f32:0, {0.5, 0.25}>> -> tensor<2x3xf32>
  %wt = qnn.transpose %wf {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %y = qnn.matmul %x, %wt : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// A zero pad before an input quantizer moves into the qconv2d's pads even
// when the padded value is float (here a block input that also feeds a
// full-precision residual): the unpadded value is quantized instead.
// CHECK-LABEL: func.func @pad_into_conv
// CHECK-NOT: qnn.pad
// CHECK: %[[Q:.*]] = qnn.quantize %arg0 : tensor<?x1x4x4xf32> -> tensor<?x1x4x4x!quant.uniform<u8:f32, 0.10000000149011612>>
// CHECK: qnn.qconv2d %[[Q]], %{{.*}} {pads = array<i64: 1, 1, 1, 1>}
func.func @pad_into_conv(%x: tensor<?x1x4x4xf32>) -> (tensor<?x1x4x4xf32>, tensor<?x1x4x4xf32>) {
  %w = arith.constant dense<0.5> : tensor<1x1x3x3xf32>
  %ws = arith.constant dense<0.25> : tensor<f32>
  %xs = arith.constant dense<0.1> : tensor<f32>
  %z0 = arith.constant dense<0.0> : tensor<f32>
  %p = qnn.pad %x {pads = array<i64: 0, 0, 1, 0, 0, 0, 1, 1>} : (tensor<?x1x4x4xf32>) -> tensor<?x1x6x5xf32>
  %xq = qnn.fake_quant uniform activation %p scale(%xs : tensor<f32>) zero_point(%z0 : tensor<f32>) {bits = 8, half_range} : tensor<?x1x6x5xf32>
  %wq = qnn.fake_quant uniform weight %w scale(%ws : tensor<f32>) zero_point(%z0 : tensor<f32>) {bits = 8} : tensor<1x1x3x3xf32>
  %y = qnn.conv2d %xq, %wq {pads = array<i64: 0, 1, 0, 0>} : (tensor<?x1x6x5xf32>, tensor<1x1x3x3xf32>) -> tensor<?x1x4x4xf32>
  return %y, %x : tensor<?x1x4x4xf32>, tensor<?x1x4x4xf32>
}

// -----

// A learned LSQ step that turned negative in training: fq(w) = q s with
// s = -0.25 for channel 1, q = round(w / s) = [-2, 4, -2, 4] (w = [0.5,
// -1.0, 0.5, -1.0]); it is stored as the levels -q = [2, -4, 2, -4] on the
// step 0.25. Channel 0 (s = 0.25): w / s = [2, -1, 2, -4].
// CHECK-LABEL: func.func @negative_step
// CHECK-DAG: %[[W8:.*]] = arith.constant dense<{{\[\[\[\[}}2, -1], [2, -4]]], {{\[\[\[}}2, -4], [2, -4]]]]> : tensor<2x1x2x2xi8>
// CHECK-DAG: quant.scast %[[W8]] : tensor<2x1x2x2xi8> to tensor<2x1x2x2x!quant.uniform<i8<-8:7>:f32:0, {2.500000e-01,2.500000e-01}>>
func.func @negative_step(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<[[[[0.5, -0.25], [0.5, -1.0]]], [[[0.5, -1.0], [0.5, -1.0]]]]> : tensor<2x1x2x2xf32>
  %ws = arith.constant dense<[0.25, -0.25]> : tensor<2xf32>
  %wq = qnn.fake_quant lsq weight %w scale(%ws : tensor<2xf32>) {axis = 0, bits = 4} : tensor<2x1x2x2xf32>
  %y = qnn.conv2d %x, %wq : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// Its level q = -8 (w / s = -8) would be +8 on |s|: not on the 4-bit grid,
// so that quantizer stays a fake_quant.
// CHECK-LABEL: func.func @negative_step_off_grid
// CHECK: qnn.fake_quant lsq weight
func.func @negative_step_off_grid(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %w = arith.constant dense<[[[[2.0]]]]> : tensor<1x1x1x1xf32>
  %ws = arith.constant dense<-0.25> : tensor<f32>
  // expected-remark @+1 {{quantizer 'fq0' not lowered: its step -0.250000 is negative and the level -8 negated is outside the grid [-8, 7]}}
  %wq = qnn.fake_quant lsq weight %w scale(%ws : tensor<f32>) {bits = 4} : tensor<1x1x1x1xf32>
  %y = qnn.conv2d %x, %wq : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}
