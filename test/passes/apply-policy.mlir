// RUN: qopt %s -split-input-file -qnn-apply-policy | FileCheck %s

// One case per policy keyword. Each function carries its own policy in a
// `qnn.policy` attribute (which replaces the pass option); single-layer
// cases say quant_first,quant_last because first and last layers stay in
// float by default. The ResNet block with the option and YAML spellings is
// in apply-policy-resnet.mlir. Splat weights keep the initial values
// computable by hand.

// Default policy (empty string): uniform 8-bit PTQ quantizers with min-max
// observers; the first and last layers stay full precision. Weight scales
// are per channel, max|w| / 127: [2, 0.5, 0 (-> 1), 3] / 127.
// CHECK-LABEL: func.func @first_last_default
// CHECK: %[[H0:.*]] = qnn.linear %arg0, %{{[a-z0-9_]+}} :
// CHECK: %[[R0:.*]] = qnn.relu %[[H0]]
// CHECK: %[[WS:.*]] = arith.constant dense<[0.0157480314, 0.00393700786, 1.000000e+00, 0.0236220472]> : tensor<4xf32>
// CHECK: %[[WZ:.*]] = arith.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK: %[[WQ:.*]] = qnn.fake_quant uniform weight %{{.*}} scale(%[[WS]] : tensor<4xf32>) zero_point(%[[WZ]] : tensor<4xf32>) {axis = 0 : i64, bits = 8 : i64} : tensor<4x4xf32>
// CHECK: %[[AS:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[AZ:.*]] = arith.constant dense<0.000000e+00> : tensor<f32>
// CHECK: %[[AQ:.*]] = qnn.fake_quant uniform activation %[[R0]] scale(%[[AS]] : tensor<f32>) zero_point(%[[AZ]] : tensor<f32>) {bits = 8 : i64, half_range}
// CHECK: %[[H1:.*]] = qnn.linear %[[AQ]], %[[WQ]]
// CHECK-NOT: qnn.fake_quant
// CHECK: qnn.linear %[[H1]], %{{[a-z0-9_]+}} :
func.func @first_last_default(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = ""} {
  %w0 = arith.constant dense<0.5> : tensor<4x4xf32>
  %w1 = arith.constant dense<[[1.0, -2.0, 0.5, 0.5], [0.25, 0.25, -0.5, 0.0], [0.0, 0.0, 0.0, 0.0], [3.0, 1.0, 1.0, -1.0]]> : tensor<4x4xf32>
  %w2 = arith.constant dense<0.5> : tensor<2x4xf32>
  %h0 = qnn.linear %x, %w0 : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %r0 = qnn.relu %h0 : tensor<?x4xf32>
  %h1 = qnn.linear %r0, %w1 : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %y = qnn.linear %h1, %w2 : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// first_bit / last_bit quantize the first and last layers with their own
// bits (QDrop keeps them at 8). LSQ weight step 2 mean|w| / sqrt(Qp):
// 8 bits 1 / sqrt(127), 4 bits 1 / sqrt(7), 6 bits 1 / sqrt(31).
// CHECK-LABEL: func.func @first_last_bits
// CHECK: %[[S0:.*]] = arith.constant dense<0.0887356474> : tensor<f32>
// CHECK: qnn.fake_quant lsq weight %{{.*}} scale(%[[S0]] : tensor<f32>) {bits = 8 : i64} : tensor<4x4xf32>
// CHECK: qnn.fake_quant lsq activation %arg0 scale(%{{.*}} : tensor<f32>) {bits = 8 : i64}
// CHECK: %[[S1:.*]] = arith.constant dense<0.377964467> : tensor<f32>
// CHECK: qnn.fake_quant lsq weight %{{.*}} scale(%[[S1]] : tensor<f32>) {bits = 4 : i64}
// CHECK: qnn.fake_quant lsq activation %{{.*}} {bits = 4 : i64}
// CHECK: %[[S2:.*]] = arith.constant dense<0.179605305> : tensor<f32>
// CHECK: qnn.fake_quant lsq weight %{{.*}} scale(%[[S2]] : tensor<f32>) {bits = 6 : i64} : tensor<2x4xf32>
// CHECK: qnn.fake_quant lsq activation %{{.*}} {bits = 6 : i64}
func.func @first_last_bits(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = "lsq,fm_bit=4,wt_bit=4,first_bit=8,last_bit=6"} {
  %w0 = arith.constant dense<0.5> : tensor<4x4xf32>
  %w1 = arith.constant dense<0.5> : tensor<4x4xf32>
  %w2 = arith.constant dense<0.5> : tensor<2x4xf32>
  %h0 = qnn.linear %x, %w0 : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %h1 = qnn.linear %h0, %w1 : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %y = qnn.linear %h1, %w2 : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// quant_first / quant_last quantize the edge layers with the global bits.
// DoReFa needs no parameter operands; its activations are half range.
// CHECK-LABEL: func.func @quant_first_last
// CHECK: %[[W0:.*]] = qnn.fake_quant dorefa weight %{{.*}} {bits = 2 : i64} : tensor<4x4xf32>
// CHECK: %[[X0:.*]] = qnn.fake_quant dorefa activation %arg0 {bits = 2 : i64, half_range}
// CHECK: %[[H:.*]] = qnn.linear %[[X0]], %[[W0]]
// CHECK: %[[W1:.*]] = qnn.fake_quant dorefa weight %{{.*}} {bits = 2 : i64} : tensor<2x4xf32>
// CHECK: %[[X1:.*]] = qnn.fake_quant dorefa activation %[[H]] {bits = 2 : i64, half_range}
// CHECK: qnn.linear %[[X1]], %[[W1]]
func.func @quant_first_last(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = "dorefa,fm_bit=2,wt_bit=2,quant_first,quant_last"} {
  %w0 = arith.constant dense<0.5> : tensor<4x4xf32>
  %w1 = arith.constant dense<0.5> : tensor<2x4xf32>
  %h0 = qnn.linear %x, %w0 : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %y = qnn.linear %h0, %w1 : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// Default order: zero-pad first (an explicit qnn.pad, ONNX pad order
// [n, c, top, left, n, c, bottom, right]), quantize the padded tensor, and
// the conv no longer pads.
// CHECK-LABEL: func.func @pad_then_quantize
// CHECK: %[[WQ:.*]] = qnn.fake_quant lsq weight
// CHECK: %[[P:.*]] = qnn.pad %arg0 {pads = array<i64: 0, 0, 1, 2, 0, 0, 1, 0>} : (tensor<?x2x4x4xf32>) -> tensor<?x2x6x6xf32>
// CHECK: %[[XQ:.*]] = qnn.fake_quant lsq activation %[[P]] scale(%{{.*}} : tensor<f32>) {bits = 8 : i64} : tensor<?x2x6x6xf32>
// CHECK: qnn.conv2d %[[XQ]], %[[WQ]] : (tensor<?x2x6x6xf32>, tensor<2x2x3x3xf32>) -> tensor<?x2x4x4xf32>
func.func @pad_then_quantize(%x: tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> attributes {qnn.policy = "lsq,quant_first,quant_last"} {
  %w = arith.constant dense<0.5> : tensor<2x2x3x3xf32>
  %y = qnn.conv2d %x, %w {pads = array<i64: 1, 2, 1, 0>} : (tensor<?x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<?x2x4x4xf32>
  return %y : tensor<?x2x4x4xf32>
}

// -----

// padding_after_quant: quantize, then let the conv pad (the published
// order).
// CHECK-LABEL: func.func @padding_after_quant
// CHECK-NOT: qnn.pad
// CHECK: %[[WQ:.*]] = qnn.fake_quant lsq weight
// CHECK: %[[XQ:.*]] = qnn.fake_quant lsq activation %arg0 {{.*}} : tensor<?x2x4x4xf32>
// CHECK: qnn.conv2d %[[XQ]], %[[WQ]] {pads = array<i64: 1, 1, 1, 1>}
func.func @padding_after_quant(%x: tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> attributes {qnn.policy = "lsq,quant_first,quant_last,padding_after_quant"} {
  %w = arith.constant dense<0.5> : tensor<2x2x3x3xf32>
  %y = qnn.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<?x2x4x4xf32>
  return %y : tensor<?x2x4x4xf32>
}

// -----

// quant_group=C: one step per output channel for weights (axis 0) and per
// input channel for feature maps (axis 1). Per channel mean|w| = [1, 2,
// 0.25, 2], step = 2 mean|w| / sqrt(127).
// CHECK-LABEL: func.func @quant_group_per_channel
// CHECK: %[[WS:.*]] = arith.constant dense<[0.177471295, 0.35494259, 0.0443678237, 0.35494259]> : tensor<4xf32>
// CHECK: qnn.fake_quant lsq weight %{{.*}} scale(%[[WS]] : tensor<4xf32>) {axis = 0 : i64, bits = 8 : i64} : tensor<4x2x1x1xf32>
// CHECK: %[[AS:.*]] = arith.constant dense<1.000000e+00> : tensor<2xf32>
// CHECK: qnn.fake_quant lsq activation %arg0 scale(%[[AS]] : tensor<2xf32>) {axis = 1 : i64, bits = 8 : i64}
func.func @quant_group_per_channel(%x: tensor<?x2x4x4xf32>) -> tensor<?x4x4x4xf32> attributes {qnn.policy = "lsq,quant_first,quant_last,wt_quant_group=C,fm_quant_group=C"} {
  %w = arith.constant dense<[[[[1.0]], [[-1.0]]], [[[2.0]], [[2.0]]], [[[0.5]], [[0.0]]], [[[-3.0]], [[1.0]]]]> : tensor<4x2x1x1xf32>
  %y = qnn.conv2d %x, %w : (tensor<?x2x4x4xf32>, tensor<4x2x1x1xf32>) -> tensor<?x4x4x4xf32>
  return %y : tensor<?x4x4x4xf32>
}

// -----

// quant_group=2: two contiguous groups of output channels, mean|w| over
// channels {0, 1} = 1.5 and {2, 3} = 1.125.
// CHECK-LABEL: func.func @quant_group_n
// CHECK: %[[WS:.*]] = arith.constant dense<[0.26620695, 0.19965522]> : tensor<2xf32>
// CHECK: qnn.fake_quant lsq weight %{{.*}} scale(%[[WS]] : tensor<2xf32>) {axis = 0 : i64, bits = 8 : i64, groups = 2 : i64}
// CHECK: qnn.fake_quant lsq activation %arg0 scale(%{{.*}} : tensor<f32>) {bits = 8 : i64}
func.func @quant_group_n(%x: tensor<?x2x4x4xf32>) -> tensor<?x4x4x4xf32> attributes {qnn.policy = "lsq,quant_first,quant_last,wt_quant_group=2"} {
  %w = arith.constant dense<[[[[1.0]], [[-1.0]]], [[[2.0]], [[2.0]]], [[[0.5]], [[0.0]]], [[[-3.0]], [[1.0]]]]> : tensor<4x2x1x1xf32>
  %y = qnn.conv2d %x, %w : (tensor<?x2x4x4xf32>, tensor<4x2x1x1xf32>) -> tensor<?x4x4x4xf32>
  return %y : tensor<?x4x4x4xf32>
}

// -----

// pact: PACT activations with clip alpha = 6 (no boundary given), DoReFa
// weights as in the PACT paper.
// CHECK-LABEL: func.func @pact
// CHECK: %[[R:.*]] = qnn.relu %arg0
// CHECK: qnn.fake_quant dorefa weight %{{.*}} {bits = 3 : i64}
// CHECK: %[[ALPHA:.*]] = arith.constant dense<6.000000e+00> : tensor<f32>
// CHECK: qnn.fake_quant pact activation %[[R]] clip(%[[ALPHA]] : tensor<f32>) {bits = 3 : i64, half_range}
func.func @pact(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "pact,quant_first,quant_last,fm_bit=3,wt_bit=3"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %r = qnn.relu %x : tensor<?x4xf32>
  %y = qnn.linear %r, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// fm_boundary sets PACT's initial alpha; wt_enable=false leaves the weight
// in float.
// CHECK-LABEL: func.func @pact_boundary
// CHECK-NOT: weight
// CHECK: %[[ALPHA:.*]] = arith.constant dense<2.500000e+00> : tensor<f32>
// CHECK: %[[XQ:.*]] = qnn.fake_quant pact activation %arg0 clip(%[[ALPHA]] : tensor<f32>) {bits = 8 : i64, half_range}
// CHECK: qnn.linear %[[XQ]], %{{[a-z0-9_]+}} :
func.func @pact_boundary(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "pact,quant_first,quant_last,fm_boundary=2.5,wt_enable=false"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// DoReFa activations take an optional clip: given by fm_boundary.
// CHECK-LABEL: func.func @dorefa_boundary
// CHECK: qnn.fake_quant dorefa weight %{{.*}} {bits = 2 : i64}
// CHECK: %[[C:.*]] = arith.constant dense<1.500000e+00> : tensor<f32>
// CHECK: qnn.fake_quant dorefa activation %arg0 clip(%[[C]] : tensor<f32>) {bits = 2 : i64, half_range}
func.func @dorefa_boundary(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "dorefa,quant_first,quant_last,fm_bit=2,wt_bit=2,fm_boundary=1.5"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// LQ-Nets: basis v_i = c 2^i. Weights c = 0.6745 rms(w) / 2^(b-1) =
// 0.6745 * 0.5 / 4; activations c = boundary / (2^b - 1) = 3 / 3.
// CHECK-LABEL: func.func @lq
// CHECK: %[[WB:.*]] = arith.constant dense<[0.0843124985, 1.686250e-01, 3.372500e-01]> : tensor<3xf32>
// CHECK: qnn.fake_quant lqnet weight %{{.*}} basis(%[[WB]] : tensor<3xf32>) {bits = 3 : i64}
// CHECK: %[[AB:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: qnn.fake_quant lqnet activation %{{.*}} basis(%[[AB]] : tensor<2xf32>) {bits = 2 : i64, half_range}
func.func @lq(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lq,quant_first,quant_last,fm_bit=2,wt_bit=3,fm_boundary=3.0"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %r = qnn.relu %x : tensor<?x4xf32>
  %y = qnn.linear %r, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// An LQ-Nets activation quantizer on a signed input (a normalized image)
// uses {-1, 1} codes: no half_range (the seeds' LqNet_fm, half_range=False).
// CHECK-LABEL: func.func @lq_signed_input
// CHECK: qnn.fake_quant lqnet activation %arg0 basis(%{{.*}} : tensor<2xf32>) {bits = 2 : i64} : tensor<?x4xf32>
func.func @lq_signed_input(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lq,quant_first,quant_last,fm_bit=2,wt_bit=3"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// non-uniform: ramp slopes in the clip operand. Weights are ternary (the
// seed's form, no half_range): two slopes putting the threshold at TWN's
// 0.7 mean|w| = 0.35: 1 / (1.4 * 0.5) = 1.42857146; activations
// 2^2 - 1 = 3 ramps over [0, 3]: slope 1.
// CHECK-LABEL: func.func @non_uniform
// CHECK: %[[WA:.*]] = arith.constant dense<1.42857146> : tensor<2xf32>
// CHECK: qnn.fake_quant non_uniform weight %{{.*}} clip(%[[WA]] : tensor<2xf32>) {bits = 2 : i64}
// CHECK: %[[AA:.*]] = arith.constant dense<1.000000e+00> : tensor<3xf32>
// CHECK: qnn.fake_quant non_uniform activation %arg0 clip(%[[AA]] : tensor<3xf32>) {bits = 2 : i64, half_range}
func.func @non_uniform(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "non-uniform,quant_first,quant_last,fm_bit=2,wt_bit=2,fm_boundary=3.0"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// xnor: binary weights with a mean|w| per output channel (axis 0, no
// operand), sign activations; fm_grad_type picks the surrogate gradient.
// CHECK-LABEL: func.func @xnor
// CHECK: %[[WQ:.*]] = qnn.fake_quant xnor weight %{{.*}} {axis = 0 : i64, bits = 1 : i64} : tensor<2x4xf32>
// CHECK: %[[XQ:.*]] = qnn.fake_quant xnor activation %arg0 grad triangle {bits = 1 : i64}
// CHECK: qnn.linear %[[XQ]], %[[WQ]]
func.func @xnor(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = "xnor,quant_first,quant_last,fm_grad_type=triangle"} {
  %w = arith.constant dense<[[1.0, -1.0, 0.5, 0.5], [2.0, 2.0, -2.0, 2.0]]> : tensor<2x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// xnor,gamma = XNOR-Net++: a learned scale per output channel,
// initialized to mean|w| = [0.75, 2].
// CHECK-LABEL: func.func @xnor_gamma
// CHECK: %[[G:.*]] = arith.constant dense<[7.500000e-01, 2.000000e+00]> : tensor<2xf32>
// CHECK: qnn.fake_quant xnor_plus_plus weight %{{.*}} scale(%[[G]] : tensor<2xf32>) {axis = 0 : i64, bits = 1 : i64}
// CHECK: qnn.fake_quant xnor activation %arg0 {bits = 1 : i64}
func.func @xnor_gamma(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = "xnor,gamma,quant_first,quant_last"} {
  %w = arith.constant dense<[[1.0, -1.0, 0.5, 0.5], [2.0, 2.0, -2.0, 2.0]]> : tensor<2x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// sign_before_relu: a binarized layer input reads the value before the
// ReLU that produced it (sign(ReLU(x)) would be +1 everywhere); the ReLU
// stays for its other users. A non-binary input (the lsq override on layer
// 2) keeps reading the ReLU.
// CHECK-LABEL: func.func @sign_before_relu
// CHECK: %[[H0:.*]] = qnn.linear
// CHECK: %[[R0:.*]] = qnn.relu %[[H0]]
// CHECK: qnn.fake_quant xnor activation %[[H0]] {bits = 1 : i64}
// CHECK: %[[H1:.*]] = qnn.linear
// CHECK: %[[R1:.*]] = qnn.relu %[[H1]]
// CHECK: qnn.fake_quant lsq activation %[[R1]]
// CHECK: qnn.add %{{.*}}, %[[R0]]
func.func @sign_before_relu(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "xnor,sign_before_relu,layer.2.fm_method=lsq,layer.2.fm_bit=4"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %h0 = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %r0 = qnn.relu %h0 : tensor<?x4xf32>
  %h1 = qnn.linear %r0, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %r1 = qnn.relu %h1 : tensor<?x4xf32>
  %h2 = qnn.linear %r1, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %h3 = qnn.linear %h2, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %y = qnn.add %h3, %r0 : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// real_skip finds a 1x1 shortcut conv through its batch norm too (BN kept
// for training): the shortcut stays float, the 3x3 conv is quantized.
// CHECK-LABEL: func.func @real_skip_through_batch_norm
// CHECK: qnn.fake_quant lsq weight %{{.*}} : tensor<2x2x3x3xf32>
// CHECK: qnn.conv2d
// CHECK-NOT: qnn.fake_quant
// CHECK: qnn.conv2d %arg0, %{{[a-z0-9_]+}} :
func.func @real_skip_through_batch_norm(%x: tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> attributes {qnn.policy = "lsq,quant_first,quant_last,real_skip"} {
  %w3 = arith.constant dense<0.5> : tensor<2x2x3x3xf32>
  %w1 = arith.constant dense<0.5> : tensor<2x2x1x1xf32>
  %p = arith.constant dense<1.0> : tensor<2xf32>
  %a = qnn.conv2d %x, %w3 {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<?x2x4x4xf32>
  %an = qnn.batch_norm %a, %p, %p, %p, %p : tensor<?x2x4x4xf32>, tensor<2xf32>
  %s = qnn.conv2d %x, %w1 : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  %sn = qnn.batch_norm %s, %p, %p, %p, %p : tensor<?x2x4x4xf32>, tensor<2xf32>
  %y = qnn.add %an, %sn : (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  return %y : tensor<?x2x4x4xf32>
}

// -----

// No method keyword: uniform PTQ quantizers. wt_narrow: signed narrow
// range, step max|w| / 7 per channel; fm_observer sets the observer.
// CHECK-LABEL: func.func @uniform_narrow
// CHECK: %[[WS:.*]] = arith.constant dense<[0.142857149, 0.285714298]> : tensor<2xf32>
// CHECK: %[[WZ:.*]] = arith.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK: qnn.fake_quant uniform weight %{{.*}} scale(%[[WS]] : tensor<2xf32>) zero_point(%[[WZ]] : tensor<2xf32>) {axis = 0 : i64, bits = 4 : i64, narrow}
// CHECK: qnn.fake_quant uniform activation %arg0 scale(%{{.*}} : tensor<f32>) zero_point(%{{.*}} : tensor<f32>) {bits = 4 : i64, qnn.observer = #qnn<observer mse>}
func.func @uniform_narrow(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = "quant_first,quant_last,wt_narrow,fm_bit=4,wt_bit=4,fm_observer=mse"} {
  %w = arith.constant dense<[[1.0, -1.0, 0.5, 0.5], [2.0, 2.0, -2.0, 2.0]]> : tensor<2x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// wt_symmetric=false: an asymmetric (half range) uniform weight with a
// zero point, step (max - min) / 255 per channel; fm_method picks LSQ+ for
// the activations (offset beta = 0), initialized by LSQ's rule in
// calibration (fm_observer=lsq_init).
// CHECK-LABEL: func.func @lsq_plus_asymmetric
// CHECK: %[[WS:.*]] = arith.constant dense<[0.00784313772, 0.0156862754]> : tensor<2xf32>
// CHECK: %[[WZ:.*]] = arith.constant dense<1.270000e+02> : tensor<2xf32>
// CHECK: qnn.fake_quant uniform weight %{{.*}} scale(%[[WS]] : tensor<2xf32>) zero_point(%[[WZ]] : tensor<2xf32>) {axis = 0 : i64, bits = 8 : i64, half_range}
// CHECK: %[[AS:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[AB:.*]] = arith.constant dense<0.000000e+00> : tensor<f32>
// CHECK: qnn.fake_quant lsq_plus activation %arg0 scale(%[[AS]] : tensor<f32>) zero_point(%[[AB]] : tensor<f32>) {bits = 8 : i64, qnn.observer = #qnn<observer lsq_init>}
func.func @lsq_plus_asymmetric(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = "quant_first,quant_last,wt_symmetric=false,fm_method=lsq_plus,fm_observer=lsq_init"} {
  %w = arith.constant dense<[[1.0, -1.0, 0.5, 0.5], [2.0, 2.0, -2.0, 2.0]]> : tensor<2x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// grad_type, grad_scale and adaptive become the fake_quant's attributes.
// CHECK-LABEL: func.func @grad_options
// CHECK: qnn.fake_quant lsq weight %{{.*}} scale(%{{.*}} : tensor<f32>) grad ste_scale grad_scale fan_scale adaptive var_mean {bits = 8 : i64}
// CHECK: qnn.fake_quant lsq activation %arg0 scale(%{{.*}} : tensor<f32>) grad clipped_ste grad_scale scale_element {bits = 8 : i64}
func.func @grad_options(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = "lsq,quant_first,quant_last,wt_grad_scale=fan-scale,wt_adaptive=var-mean,wt_grad_type=ste_scale,fm_grad_type=clipped_ste,fm_grad_scale=scale-element"} {
  %w = arith.constant dense<0.5> : tensor<2x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// ot_enable quantizes the layer's output; all of its users read the
// quantized value.
// CHECK-LABEL: func.func @output_quant
// CHECK: %[[Y:.*]] = qnn.linear %arg0, %{{[a-z0-9_]+}} :
// CHECK: %[[YQ:.*]] = qnn.fake_quant lsq activation %[[Y]] scale(%{{.*}} : tensor<f32>) {bits = 6 : i64} : tensor<?x2xf32>
// CHECK: qnn.relu %[[YQ]]
func.func @output_quant(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = "lsq,quant_first,quant_last,fm_enable=false,wt_enable=false,ot_enable,ot_bit=6"} {
  %w = arith.constant dense<0.5> : tensor<2x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  %r = qnn.relu %y : tensor<?x2xf32>
  return %r : tensor<?x2xf32>
}

// -----

// Per-layer options: by index (layer.1, and layer.-2 from the end), by name
// (the `qnn.name` attribute or the location's name, also inside a fused
// location). layer.head.enable=true quantizes the last layer.
// CHECK-LABEL: func.func @overrides
// CHECK: %[[H0:.*]] = qnn.linear %arg0, %{{[a-z0-9_]+}} :
// CHECK: %[[S1:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: qnn.fake_quant lsq weight %{{.*}} scale(%[[S1]] : tensor<f32>) {bits = 2 : i64}
// CHECK: qnn.fake_quant lsq activation %[[H0]] {{.*}}{bits = 4 : i64}
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 4 : i64}
// CHECK-NOT: qnn.fake_quant lsq activation
// CHECK: qnn.linear %{{.*}} {qnn.name = "block.fc2"}
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 4 : i64} : tensor<2x4xf32>
// CHECK: qnn.fake_quant lsq activation %{{.*}} {bits = 8 : i64}
func.func @overrides(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = "lsq,fm_bit=4,wt_bit=4,layer.1.wt_bit=2,layer.head.enable=true,layer.head.fm_bit=8,layer.-2.fm_enable=false"} {
  %w0 = arith.constant dense<0.5> : tensor<4x4xf32>
  %w1 = arith.constant dense<0.5> : tensor<4x4xf32>
  %w2 = arith.constant dense<0.5> : tensor<4x4xf32>
  %w3 = arith.constant dense<0.5> : tensor<2x4xf32>
  %h0 = qnn.linear %x, %w0 : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("stem")
  %h1 = qnn.linear %h0, %w1 : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("block.fc1")
  %h2 = qnn.linear %h1, %w2 {qnn.name = "block.fc2"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %y = qnn.linear %h2, %w3 : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32> loc(fused["head", "bn"])
  return %y : tensor<?x2xf32>
}

// -----

// Selectors with several alternatives (`|`), index ranges (`A:B`, half
// open, negative ends from the end) and globs over the names: layer.1:3
// gives layers 1 and 2 2-bit weights, layer.block.*|-1 6-bit inputs to
// the two block layers and the head.
// CHECK-LABEL: func.func @override_selectors
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 4 : i64}
// CHECK: qnn.fake_quant lsq activation %arg0 {{.*}}{bits = 4 : i64}
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 2 : i64}
// CHECK: qnn.fake_quant lsq activation %{{.*}}{bits = 6 : i64}
// CHECK: qnn.linear {{.*}} {qnn.name = "block.fc1"}
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 2 : i64}
// CHECK: qnn.fake_quant lsq activation %{{.*}}{bits = 6 : i64}
// CHECK: qnn.linear {{.*}} {qnn.name = "block.fc2"}
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 4 : i64}
// CHECK: qnn.fake_quant lsq activation %{{.*}}{bits = 6 : i64}
// CHECK: qnn.linear {{.*}} {qnn.name = "head"}
func.func @override_selectors(%x: tensor<?x4xf32>) -> tensor<?x2xf32> attributes {qnn.policy = "lsq,fm_bit=4,wt_bit=4,quant_first,quant_last,layer.1:3.wt_bit=2,layer.block.*|-1.fm_bit=6"} {
  %w0 = arith.constant dense<0.5> : tensor<4x4xf32>
  %w1 = arith.constant dense<0.25> : tensor<4x4xf32>
  %w2 = arith.constant dense<0.125> : tensor<4x4xf32>
  %w3 = arith.constant dense<0.5> : tensor<2x4xf32>
  %h0 = qnn.linear %x, %w0 {qnn.name = "stem"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %h1 = qnn.linear %h0, %w1 {qnn.name = "block.fc1"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %h2 = qnn.linear %h1, %w2 {qnn.name = "block.fc2"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %y = qnn.linear %h2, %w3 {qnn.name = "head"} : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// A weight constant run by several convs (a detection head on every FPN
// level) gets one weight quantizer that all of them read, and each conv its
// own input quantizer (the levels' activations differ in range).
// CHECK-LABEL: func.func @shared_weight
// CHECK: %[[W:.*]] = arith.constant dense<5.000000e-01> : tensor<4x4x1x1xf32>
// CHECK: %[[WQ:.*]] = qnn.fake_quant lsq weight %[[W]]
// CHECK: %[[P3:.*]] = qnn.fake_quant lsq activation %arg0
// CHECK: qnn.conv2d %[[P3]], %[[WQ]]
// CHECK-NOT: qnn.fake_quant lsq weight
// CHECK: %[[P4:.*]] = qnn.fake_quant lsq activation %arg1
// CHECK: qnn.conv2d %[[P4]], %[[WQ]]
// CHECK-NOT: qnn.fake_quant lsq weight
// CHECK: %[[P5:.*]] = qnn.fake_quant lsq activation %arg2
// CHECK: qnn.conv2d %[[P5]], %[[WQ]]
func.func @shared_weight(%p3: tensor<?x4x8x8xf32>, %p4: tensor<?x4x4x4xf32>, %p5: tensor<?x4x2x2xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x4x4x4xf32>, tensor<?x4x2x2xf32>) attributes {qnn.policy = "lsq,fm_bit=4,wt_bit=4,quant_first,quant_last"} {
  %w = arith.constant dense<0.5> : tensor<4x4x1x1xf32>
  %y3 = qnn.conv2d %p3, %w : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %y4 = qnn.conv2d %p4, %w : (tensor<?x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x4x4xf32>
  %y5 = qnn.conv2d %p5, %w : (tensor<?x4x2x2xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x2x2xf32>
  return %y3, %y4, %y5 : tensor<?x4x8x8xf32>, tensor<?x4x4x4xf32>, tensor<?x4x2x2xf32>
}
