// RUN: qopt %s -split-input-file "-qnn-wrap-mode=mode=calibrate" -verify-diagnostics | FileCheck %s
// RUN: qopt %s -split-input-file "-qnn-wrap-mode=mode=test" | FileCheck %s --check-prefix=TEST

// Calibration observes what the quantizer quantizes: a constant weight's
// `adaptive` normalization is folded first, so the observer sees
// (w - mean) / std per channel (unbiased std, no epsilon).
// CHECK-LABEL: func.func @constant
// CHECK: %[[N:.*]] = arith.constant dense<{{\[\[}}-0.707106769, 0.707106769], [0.707106769, -0.707106769]]> : tensor<2x2xf32>
// CHECK: qnn.observe min_max weight %[[N]]
// Test mode folds it as well; the quantizer keeps its scale.
// TEST-LABEL: func.func @constant
// TEST: %[[N:.*]] = arith.constant dense<{{\[\[}}-0.707106769, 0.707106769], [0.707106769, -0.707106769]]> : tensor<2x2xf32>
// TEST: qnn.fake_quant uniform weight %[[N]] scale(%{{.*}}) zero_point(%{{.*}}) {axis = 0 : i64, bits = 4 : i64}
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
