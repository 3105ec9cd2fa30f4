// Binarized convs as packed binary_conv2d steps (codegen/BinarySteps.cpp,
// docs/codegen.md "Packed binary convs"): which convs are picked, what the
// steps carry, and what they compute against the float conv over the same
// +-1 values (the same network with its weight as an argument, which no
// packed step can read, keeps the fp32 path: the independent oracle).
// RUN: qemit %s --name t --entry xnor_pad_before --print-cpp | FileCheck %s --check-prefix=BEFORE
// RUN: qemit %s --name t --entry gamma_pad_after --print-cpp | FileCheck %s --check-prefix=AFTER
// RUN: qemit %s --name t --entry levels --print-cpp | FileCheck %s --check-prefix=LEVELS
// RUN: qemit %s --name t --entry not_binary --print-cpp | FileCheck %s --check-prefix=FLOAT
// RUN: qemit %s --name t --entry xnor_pad_before_float --print-cpp | FileCheck %s --check-prefix=FLOAT
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; r = np.random.default_rng(0); x = r.standard_normal((2, 3, 5, 5)).astype(np.float32); x[0, 0, 0, :2] = [0.0, -0.0]; np.save('%t/x.npy', x); np.save('%t/w.npy', np.array([-0.524, 0.088, -0.26, 0.208, 0.251, 0.0, -0.974, 0.675, -0.481, -0.531, 0.991, -0.059, 0.673, -0.047, 0.278, -0.699, 0.27, 0.736, 0.046, 0.483, 0.343, -0.872, 0.516, 0.182, -0.397, -0.938, 0.731, -0.055, 0.438, 0.758, 0.428, 0.842, -0.21, 0.602, -0.111, 0.871, 0.758, -0.805, -0.728, -0.566, 0.931, -0.128, 0.253, -0.398, 0.014, -0.228, -0.298, 0.17, 0.169, 0.808, 0.364, 0.858, 0.713, 0.982, 0.343, -0.674, 0.721, 0.929, 0.809, 0.138, 0.428, -0.578, 0.663, 0.147, -0.43, -0.873, 0.708, 0.98, -0.823, 0.601, -0.179, -0.698, -0.412, 0.538, 0.746, -0.912, 0.229, -0.91, 0.437, -0.338, 0.762, 0.961, 0.011, 0.997, -0.381, -0.846, 0.2, -0.937, -0.605, -0.184, 0.221, -0.688, -0.915, 0.736, -0.372, 0.917, 0.793, -0.244, -0.079, 0.04, 0.288, 0.191, 0.119, 0.24, 0.881, 0.014, -0.138, 0.441], np.float32).reshape(4, 3, 3, 3))"
// RUN: qrun %s --function xnor_pad_before --input %t/x.npy --output %t/packed.npy
// RUN: qrun %s --function xnor_pad_before_float --input %t/x.npy --input %t/w.npy --output %t/float.npy
// RUN: %compare %t/packed.npy %t/float.npy --rtol 1e-5 --atol 1e-6
// RUN: qrun %s --function gamma_pad_after --input %t/x.npy --output %t/packed2.npy
// RUN: qrun %s --function gamma_pad_after_float --input %t/x.npy --input %t/w.npy --output %t/float2.npy
// RUN: %compare %t/packed2.npy %t/float2.npy --rtol 1e-5 --atol 1e-6
// And the portable popcount gives the same bits.
// RUN: env QRT_BINARY_PORTABLE=1 qrun %s --function gamma_pad_after --input %t/x.npy --output %t/portable2.npy
// RUN: %compare %t/portable2.npy %t/packed2.npy --exact

// The policy's default order: zero pad, then sign (the zeros read +1); the
// pad and the sign get no step, the conv reads x.
// BEFORE-NOT: qrt::exec::pad(
// BEFORE-NOT: qrt::exec::fake_quant(
// BEFORE: static const qrt::exec::BinaryConvParams conv = {.conv = {.padTop = 1, .padLeft = 1, .padBottom = 1, .padRight = 1}, .pad = qrt::xnor::BinaryPad::PlusOne, .scale = qrt::exec::f32({
// BEFORE: qrt::exec::binary_conv2d(
// BEFORE-NOT: qrt::exec::fake_quant(
func.func @xnor_pad_before(%x: tensor<?x3x5x5xf32>) -> tensor<?x4x5x5xf32> {
  %w4 = arith.constant dense<[[[[-0.524, 0.088, -0.26], [0.208, 0.251, 0.0], [-0.974, 0.675, -0.481]], [[-0.531, 0.991, -0.059], [0.673, -0.047, 0.278], [-0.699, 0.27, 0.736]], [[0.046, 0.483, 0.343], [-0.872, 0.516, 0.182], [-0.397, -0.938, 0.731]]], [[[-0.055, 0.438, 0.758], [0.428, 0.842, -0.21], [0.602, -0.111, 0.871]], [[0.758, -0.805, -0.728], [-0.566, 0.931, -0.128], [0.253, -0.398, 0.014]], [[-0.228, -0.298, 0.17], [0.169, 0.808, 0.364], [0.858, 0.713, 0.982]]], [[[0.343, -0.674, 0.721], [0.929, 0.809, 0.138], [0.428, -0.578, 0.663]], [[0.147, -0.43, -0.873], [0.708, 0.98, -0.823], [0.601, -0.179, -0.698]], [[-0.412, 0.538, 0.746], [-0.912, 0.229, -0.91], [0.437, -0.338, 0.762]]], [[[0.961, 0.011, 0.997], [-0.381, -0.846, 0.2], [-0.937, -0.605, -0.184]], [[0.221, -0.688, -0.915], [0.736, -0.372, 0.917], [0.793, -0.244, -0.079]], [[0.04, 0.288, 0.191], [0.119, 0.24, 0.881], [0.014, -0.138, 0.441]]]]> : tensor<4x3x3x3xf32>
  %b = arith.constant dense<[0.5, -0.25, 0.0, 1.0]> : tensor<4xf32>
  %p = qnn.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<?x3x5x5xf32>) -> tensor<?x3x7x7xf32>
  %s = qnn.fake_quant xnor activation %p {bits = 1 : i64} : tensor<?x3x7x7xf32>
  %wq = qnn.fake_quant xnor weight %w4 {axis = 0 : i64, bits = 1 : i64} : tensor<4x3x3x3xf32>
  %y = qnn.conv2d %s, %wq, %b : (tensor<?x3x7x7xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x5x5xf32> loc("conv")
  return %y : tensor<?x4x5x5xf32>
}
func.func @xnor_pad_before_float(%x: tensor<?x3x5x5xf32>, %w4: tensor<4x3x3x3xf32>) -> tensor<?x4x5x5xf32> {
  %b = arith.constant dense<[0.5, -0.25, 0.0, 1.0]> : tensor<4xf32>
  %p = qnn.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<?x3x5x5xf32>) -> tensor<?x3x7x7xf32>
  %s = qnn.fake_quant xnor activation %p {bits = 1 : i64} : tensor<?x3x7x7xf32>
  %wq = qnn.fake_quant xnor weight %w4 {axis = 0 : i64, bits = 1 : i64} : tensor<4x3x3x3xf32>
  %y = qnn.conv2d %s, %wq, %b : (tensor<?x3x7x7xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x5x5xf32> loc("conv")
  return %y : tensor<?x4x5x5xf32>
}

// padding_after_quant: the conv pads the +-1 map with 0 (those taps count
// 0), stride 2; XNOR++ with a negative gamma.
// (BinaryPad::Zero is the default, so the initializer leaves it out.)
// AFTER-NOT: PlusOne
// AFTER: .strideH = 2, .strideW = 2, .padTop = 1, .padLeft = 1, .padBottom = 1, .padRight = 1}, .scale = qrt::exec::f32({0x1p-1f, -0x1p-2f, 0x1p-3f, 0x1p+0f})};
// AFTER: qrt::exec::binary_conv2d(
func.func @gamma_pad_after(%x: tensor<?x3x5x5xf32>) -> tensor<?x4x3x3xf32> {
  %w4 = arith.constant dense<[[[[-0.524, 0.088, -0.26], [0.208, 0.251, 0.0], [-0.974, 0.675, -0.481]], [[-0.531, 0.991, -0.059], [0.673, -0.047, 0.278], [-0.699, 0.27, 0.736]], [[0.046, 0.483, 0.343], [-0.872, 0.516, 0.182], [-0.397, -0.938, 0.731]]], [[[-0.055, 0.438, 0.758], [0.428, 0.842, -0.21], [0.602, -0.111, 0.871]], [[0.758, -0.805, -0.728], [-0.566, 0.931, -0.128], [0.253, -0.398, 0.014]], [[-0.228, -0.298, 0.17], [0.169, 0.808, 0.364], [0.858, 0.713, 0.982]]], [[[0.343, -0.674, 0.721], [0.929, 0.809, 0.138], [0.428, -0.578, 0.663]], [[0.147, -0.43, -0.873], [0.708, 0.98, -0.823], [0.601, -0.179, -0.698]], [[-0.412, 0.538, 0.746], [-0.912, 0.229, -0.91], [0.437, -0.338, 0.762]]], [[[0.961, 0.011, 0.997], [-0.381, -0.846, 0.2], [-0.937, -0.605, -0.184]], [[0.221, -0.688, -0.915], [0.736, -0.372, 0.917], [0.793, -0.244, -0.079]], [[0.04, 0.288, 0.191], [0.119, 0.24, 0.881], [0.014, -0.138, 0.441]]]]> : tensor<4x3x3x3xf32>
  %g = arith.constant dense<[0.5, -0.25, 0.125, 1.0]> : tensor<4xf32>
  %s = qnn.fake_quant xnor activation %x {bits = 1 : i64} : tensor<?x3x5x5xf32>
  %wq = qnn.fake_quant xnor_plus_plus weight %w4 scale(%g : tensor<4xf32>) {axis = 0 : i64, bits = 1 : i64} : tensor<4x3x3x3xf32>
  %y = qnn.conv2d %s, %wq {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x3x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x3x3xf32> loc("conv")
  return %y : tensor<?x4x3x3xf32>
}
func.func @gamma_pad_after_float(%x: tensor<?x3x5x5xf32>, %w4: tensor<4x3x3x3xf32>) -> tensor<?x4x3x3xf32> {
  %g = arith.constant dense<[0.5, -0.25, 0.125, 1.0]> : tensor<4xf32>
  %s = qnn.fake_quant xnor activation %x {bits = 1 : i64} : tensor<?x3x5x5xf32>
  %wq = qnn.fake_quant xnor_plus_plus weight %w4 scale(%g : tensor<4xf32>) {axis = 0 : i64, bits = 1 : i64} : tensor<4x3x3x3xf32>
  %y = qnn.conv2d %s, %wq {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x3x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x3x3xf32> loc("conv")
  return %y : tensor<?x4x3x3xf32>
}

// qnn-lower-to-integer's form of a folded binary weight: i8 levels +-1 on a
// per-channel step; the dequantize and the storage cast get no step.
// LEVELS-NOT: qrt::exec::dequantize(
// LEVELS: .scale = qrt::exec::f32({0x1p-1f, 0x1p-2f})};
// LEVELS: qrt::exec::binary_conv2d(
func.func @levels(%x: tensor<?x3x4x4xf32>) -> tensor<?x2x2x2xf32> {
  %c = arith.constant dense<[[[[1, -1, 1], [1, 1, -1], [-1, -1, 1]], [[1, 1, 1], [-1, -1, -1], [1, -1, 1]], [[-1, 1, -1], [1, -1, 1], [1, 1, 1]]], [[[-1, -1, -1], [1, 1, 1], [1, -1, 1]], [[1, -1, -1], [-1, 1, 1], [1, 1, -1]], [[1, 1, 1], [1, 1, 1], [-1, -1, -1]]]]> : tensor<2x3x3x3xi8>
  %q = quant.scast %c : tensor<2x3x3x3xi8> to tensor<2x3x3x3x!quant.uniform<i8<-1:1>:f32:0, {0.5,0.25}>>
  %w = qnn.dequantize %q : tensor<2x3x3x3x!quant.uniform<i8<-1:1>:f32:0, {0.5,0.25}>> -> tensor<2x3x3x3xf32>
  %s = qnn.fake_quant xnor activation %x {bits = 1 : i64} : tensor<?x3x4x4xf32>
  %y = qnn.conv2d %s, %w : (tensor<?x3x4x4xf32>, tensor<2x3x3x3xf32>) -> tensor<?x2x2x2xf32> loc("conv")
  return %y : tensor<?x2x2x2xf32>
}

// Not binary: an 8-bit input grid (no sign), so the conv keeps its float
// path; so does a weight that is not a constant (above).
// FLOAT-NOT: binary_conv2d
// FLOAT: qrt::exec::conv2d(
// FLOAT-NOT: binary_conv2d
func.func @not_binary(%x: tensor<?x3x4x4xf32>) -> tensor<?x2x2x2xf32> {
  %c = arith.constant dense<[[[[1, -1, 1], [1, 1, -1], [-1, -1, 1]], [[1, 1, 1], [-1, -1, -1], [1, -1, 1]], [[-1, 1, -1], [1, -1, 1], [1, 1, 1]]], [[[-1, -1, -1], [1, 1, 1], [1, -1, 1]], [[1, -1, -1], [-1, 1, 1], [1, 1, -1]], [[1, 1, 1], [1, 1, 1], [-1, -1, -1]]]]> : tensor<2x3x3x3xi8>
  %q = quant.scast %c : tensor<2x3x3x3xi8> to tensor<2x3x3x3x!quant.uniform<i8<-1:1>:f32:0, {0.5,0.25}>>
  %w = qnn.dequantize %q : tensor<2x3x3x3x!quant.uniform<i8<-1:1>:f32:0, {0.5,0.25}>> -> tensor<2x3x3x3xf32>
  %s = qnn.fake_quant dorefa activation %x {bits = 2 : i64} : tensor<?x3x4x4xf32>
  %y = qnn.conv2d %s, %w : (tensor<?x3x4x4xf32>, tensor<2x3x3x3xf32>) -> tensor<?x2x2x2xf32> loc("conv")
  return %y : tensor<?x2x2x2xf32>
}
