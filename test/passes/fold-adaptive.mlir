// RUN: qopt %s -split-input-file -qnn-fold-adaptive -verify-diagnostics | FileCheck %s

// var_mean per output channel (axis 0): (w - mean) / std, unbiased std, no
// epsilon (model-quantization's torch.std_mean on x.data, __EPS__ = 0):
// [1, 3] -> mean 2, std sqrt(2) -> [-1/sqrt(2), 1/sqrt(2)];
// [0.5, -0.5] -> mean 0, std sqrt(0.5) -> [1/sqrt(2), -1/sqrt(2)].
// The quantizer keeps its operands and loses `adaptive`.
// CHECK-LABEL: func.func @var_mean_channel
// CHECK: %[[N:.*]] = arith.constant dense<{{\[\[\[\[}}-0.707106769, 0.707106769]]], {{\[\[\[}}0.707106769, -0.707106769]]]]> : tensor<2x1x1x2xf32>
// CHECK: qnn.fake_quant lsq weight %[[N]] scale(%{{.*}} : tensor<2xf32>) {axis = 0 : i64, bits = 4 : i64} : tensor<2x1x1x2xf32>
// CHECK-NOT: adaptive
func.func @var_mean_channel() -> tensor<2x1x1x2xf32> {
  %w = arith.constant dense<[[[[1.0, 3.0]]], [[[0.5, -0.5]]]]> : tensor<2x1x1x2xf32>
  %s = arith.constant dense<0.25> : tensor<2xf32>
  %q = qnn.fake_quant lsq weight %w scale(%s : tensor<2xf32>) adaptive var_mean {axis = 0, bits = 4} : tensor<2x1x1x2xf32>
  return %q : tensor<2x1x1x2xf32>
}

// -----

// mean per output channel: w - mean.
// CHECK-LABEL: func.func @mean_channel
// CHECK: %[[N:.*]] = arith.constant dense<{{\[\[\[\[}}-1.000000e+00, 1.000000e+00]]], {{\[\[\[}}5.000000e-01, -5.000000e-01]]]]> : tensor<2x1x1x2xf32>
// CHECK: qnn.fake_quant lsq weight %[[N]]
// CHECK-NOT: adaptive
func.func @mean_channel() -> tensor<2x1x1x2xf32> {
  %w = arith.constant dense<[[[[1.0, 3.0]]], [[[0.5, -0.5]]]]> : tensor<2x1x1x2xf32>
  %s = arith.constant dense<0.25> : tensor<2xf32>
  %q = qnn.fake_quant lsq weight %w scale(%s : tensor<2xf32>) adaptive mean {axis = 0, bits = 4} : tensor<2x1x1x2xf32>
  return %q : tensor<2x1x1x2xf32>
}

// -----

// Per tensor (no axis): one mean and std over all 4 elements:
// [1, 3, 0.5, -0.5] -> mean 1, std sqrt(6.5 / 3).
// CHECK-LABEL: func.func @var_mean_tensor
// CHECK: arith.constant dense<{{\[\[\[\[}}0.000000e+00, 1.35873234]]], {{\[\[\[}}-0.339683086, -1.01904929]]]]> : tensor<2x1x1x2xf32>
// CHECK-NOT: adaptive
func.func @var_mean_tensor() -> tensor<2x1x1x2xf32> {
  %w = arith.constant dense<[[[[1.0, 3.0]]], [[[0.5, -0.5]]]]> : tensor<2x1x1x2xf32>
  %s = arith.constant dense<0.25> : tensor<f32>
  %q = qnn.fake_quant lsq weight %w scale(%s : tensor<f32>) adaptive var_mean {bits = 4} : tensor<2x1x1x2xf32>
  return %q : tensor<2x1x1x2xf32>
}

// -----

// A weight that is not a constant (a QAT global, an argument) is left alone.
// CHECK-LABEL: func.func @argument
// CHECK: qnn.fake_quant lsq weight %arg0 scale(%{{.*}} : tensor<2xf32>) adaptive var_mean
func.func @argument(%w: tensor<2x1x1x2xf32>) -> tensor<2x1x1x2xf32> {
  %s = arith.constant dense<0.25> : tensor<2xf32>
  // expected-remark @+1 {{adaptive normalization not folded: the weight is not a constant}}
  %q = qnn.fake_quant lsq weight %w scale(%s : tensor<2xf32>) adaptive var_mean {axis = 0, bits = 4} : tensor<2x1x1x2xf32>
  return %q : tensor<2x1x1x2xf32>
}
