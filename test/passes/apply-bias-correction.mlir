// RUN: qopt %s -split-input-file -verify-diagnostics -qnn-apply-bias-correction | FileCheck %s

// The measured shift of each output channel leaves the bias; the attribute
// goes; a layer without a shift is untouched.
// CHECK-LABEL: func.func @conv
// CHECK: %[[B:.*]] = arith.constant dense<[5.000000e-01, 2.250000e+00]> : tensor<2xf32>
// CHECK: qnn.conv2d %{{.*}}, %{{.*}}, %[[B]] {pads = array<i64: 1, 1, 1, 1>} :
// CHECK: %[[KEEP:.*]] = arith.constant dense<1.000000e+00> : tensor<3xf32>
// CHECK: qnn.linear %{{.*}}, %{{.*}}, %[[KEEP]] :
func.func @conv(%x: tensor<?x1x4x4xf32>, %v: tensor<?x2xf32>) -> (tensor<?x2x4x4xf32>, tensor<?x3xf32>) {
  %w = arith.constant dense<0.5> : tensor<2x1x3x3xf32>
  %b = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %y = qnn.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, qnn.bias_shift = array<f64: 0.5, -0.25>} : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %lw = arith.constant dense<0.5> : tensor<3x2xf32>
  %lb = arith.constant dense<1.0> : tensor<3xf32>
  %z = qnn.linear %v, %lw, %lb : (tensor<?x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y, %z : tensor<?x2x4x4xf32>, tensor<?x3xf32>
}

// -----

// A shift needs a constant bias of its length.
func.func @no_bias(%x: tensor<?x2xf32>) -> tensor<?x3xf32> {
  %w = arith.constant dense<0.5> : tensor<3x2xf32>
  // expected-error @+1 {{qnn-apply-bias-correction: the layer has no bias to correct}}
  %z = qnn.linear %x, %w {qnn.bias_shift = array<f64: 1.0, 1.0, 1.0>} : (tensor<?x2xf32>, tensor<3x2xf32>) -> tensor<?x3xf32>
  return %z : tensor<?x3xf32>
}

// -----

func.func @wrong_length(%x: tensor<?x2xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  %w = arith.constant dense<0.5> : tensor<3x2xf32>
  %c = arith.constant dense<0.0> : tensor<3xf32>
  // expected-error @+1 {{qnn-apply-bias-correction: 2 shift(s) for a bias of 3}}
  %z = qnn.linear %x, %w, %c {qnn.bias_shift = array<f64: 1.0, 1.0>} : (tensor<?x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %z : tensor<?x3xf32>
}

// -----

func.func @not_constant(%x: tensor<?x2xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  %w = arith.constant dense<0.5> : tensor<3x2xf32>
  // expected-error @+1 {{qnn-apply-bias-correction: the bias is not a constant f32 tensor}}
  %z = qnn.linear %x, %w, %b {qnn.bias_shift = array<f64: 1.0, 1.0, 1.0>} : (tensor<?x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %z : tensor<?x3xf32>
}
