// RUN: qopt %s -split-input-file "-qnn-wrap-mode=mode=calibrate" -verify-diagnostics | FileCheck %s
// RUN: qopt %s -split-input-file "-qnn-wrap-mode=mode=test" | FileCheck %s --check-prefix=TEST

// Calibration observes what the quantizer quantizes: a constant weight's
// `adaptive` normalization is folded first, so the observer sees
// (w - mean) / std per channel (unbiased std, no epsilon).
// CHECK-LABEL: func.func @constant
// CHECK: %[[N:.*]] = arith.constant dense<{{\[\[}}-0.707106769, 0.707106769], [0.707106769, -0.707106769]]> : tensor<2x2xf32>
// CHECK: qnn.observe min_max weight %[[N]]
// Test mode keeps it on a signed grid (QAT hoists test-mode weights into
// globals and trains the raw weight through the normalization; integer
// lowering folds it) ...
// TEST-LABEL: func.func @constant
// TEST: %[[W:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00], [5.000000e-01, -5.000000e-01]]> : tensor<2x2xf32>
// TEST: qnn.fake_quant uniform weight %[[W]] scale(%{{.*}}) zero_point(%{{.*}}) adaptive var_mean {axis = 0 : i64, bits = 4 : i64}
func.func @constant() -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 3.0], [0.5, -0.5]]> : tensor<2x2xf32>
  %s = arith.constant dense<0.25> : tensor<2xf32>
  %z = arith.constant dense<0.0> : tensor<2xf32>
  %q = qnn.fake_quant uniform weight %w scale(%s : tensor<2xf32>) zero_point(%z : tensor<2xf32>) adaptive var_mean {axis = 0, bits = 4} : tensor<2x2xf32>
  return %q : tensor<2x2xf32>
}

// -----

// A weight that is not a constant cannot be observed normalized (calibrate
// fails); test mode leaves it to the interpreter, which normalizes it.
// TEST-LABEL: func.func @argument
// TEST: qnn.fake_quant uniform weight %arg0 {{.*}} adaptive var_mean
func.func @argument(%w: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %s = arith.constant dense<0.25> : tensor<2xf32>
  %z = arith.constant dense<0.0> : tensor<2xf32>
  // expected-error @+1 {{normalizes a weight that is not a constant (adaptive); calibration observes constant weights only}}
  %q = qnn.fake_quant uniform weight %w scale(%s : tensor<2xf32>) zero_point(%z : tensor<2xf32>) adaptive var_mean {axis = 0, bits = 4} : tensor<2x2xf32>
  return %q : tensor<2x2xf32>
}

// -----

// ... and folds it where a weight rewrite needs the quantized weight: an
// unsigned grid is stored as its signed levels of the normalized weight.
// TEST-LABEL: func.func @unsigned
// TEST-NOT: adaptive
// TEST: qnn.fake_quant uniform weight %{{.*}} {axis = 0 : i64, bits = 5 : i64, narrow}
func.func @unsigned() -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 3.0], [0.5, -0.5]]> : tensor<2x2xf32>
  %s = arith.constant dense<0.25> : tensor<2xf32>
  %z = arith.constant dense<8.0> : tensor<2xf32>
  %q = qnn.fake_quant uniform weight %w scale(%s : tensor<2xf32>) zero_point(%z : tensor<2xf32>) adaptive var_mean {axis = 0, bits = 4, half_range} : tensor<2x2xf32>
  return %q : tensor<2x2xf32>
}
