// Regressions found by fuzz-mlir (docs/reliability.md, "Fuzzing"): .mlir
// that crashed qopt's verifiers.
// RUN: qopt %s -split-input-file -verify-diagnostics

// groups = 0 with a result type: Conv2dOp::verify divided by groups before
// the inferred type (whose check rejects it) was compared; SIGFPE in qopt.
func.func @conv_groups_zero(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'qnn.conv2d' op groups must be positive, got 0}}
  %0 = qnn.conv2d %x, %w {groups = 0} : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}
