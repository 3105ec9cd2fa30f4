// qnn-wrap-mode{mode=calibrate}'s observer choice and options.
// RUN: qopt %s -qnn-wrap-mode="mode=calibrate observer=entropy" | FileCheck %s --check-prefix=ENT
// RUN: qopt %s -qnn-wrap-mode="mode=calibrate observer=percentile" | FileCheck %s --check-prefix=PCT
// RUN: qopt %s -qnn-wrap-mode="mode=calibrate observer=mse weight-norm=2.4" | FileCheck %s --check-prefix=NORM
// RUN: qopt %s -qnn-wrap-mode="mode=calibrate batch-statistics=true" | FileCheck %s --check-prefix=BN
// RUN: qopt %s -qnn-wrap-mode="mode=calibrate" | FileCheck %s --check-prefix=NOBN

// Entropy and percentile are per-tensor: the per-channel weight quantizer
// keeps min_max; entropy also skips the graph input (through its pad),
// percentile does not; a quantizer's own qnn.observer is kept.
// ENT: qnn.observe min_max activation %{{.*}} {bits = 8 : i64, half_range, name = "input"}
// ENT: qnn.observe min_max weight %{{.*}} {axis = 0 : i64
// ENT: qnn.observe entropy activation %{{.*}} name = "act"
// ENT: qnn.observe mse activation %{{.*}} name = "own"
// PCT: qnn.observe percentile activation %{{.*}} name = "input"
// PCT: qnn.observe min_max weight
// PCT: qnn.observe percentile activation %{{.*}} name = "act"
// weight-norm is the p of the option's MSE weight observers only.
// NORM: qnn.observe mse activation %{{.*}} name = "input"
// NORM-NOT: norm
// NORM: qnn.observe mse weight %{{.*}} norm = 2.400000e+00 : f64
// NORM: qnn.observe mse activation %{{.*}} name = "act"
// NORM-NOT: norm =
// batch-statistics: batch norms normalize with the batch's statistics.
// BN: qnn.batch_norm_train
// BN-NOT: qnn.batch_norm %
// NOBN-NOT: qnn.batch_norm_train
// NOBN: qnn.batch_norm
func.func @main(%x: tensor<?x1x8x8xf32>) -> tensor<?x2x10x10xf32> {
  %s = arith.constant dense<0.05> : tensor<f32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %w = arith.constant dense<0.5> : tensor<2x1x3x3xf32>
  %ws = arith.constant dense<[0.1, 0.2]> : tensor<2xf32>
  %p = qnn.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<?x1x8x8xf32>) -> tensor<?x1x10x10xf32>
  %xq = qnn.fake_quant uniform activation %p scale(%s : tensor<f32>) zero_point(%z : tensor<f32>) {bits = 8, half_range, qnn.name = "input"} : tensor<?x1x10x10xf32>
  %wq = qnn.fake_quant lsq weight %w scale(%ws : tensor<2xf32>) {axis = 0, bits = 4} : tensor<2x1x3x3xf32>
  %y = qnn.conv2d %xq, %wq {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x1x10x10xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x10x10xf32>
  %g = arith.constant dense<1.0> : tensor<2xf32>
  %b = arith.constant dense<0.0> : tensor<2xf32>
  %bn = qnn.batch_norm %y, %g, %b, %b, %g : tensor<?x2x10x10xf32>, tensor<2xf32>
  %a = qnn.fake_quant lsq activation %bn scale(%s : tensor<f32>) {bits = 4, half_range, qnn.name = "act"} : tensor<?x2x10x10xf32>
  %o = qnn.fake_quant lsq activation %a scale(%s : tensor<f32>) {bits = 4, half_range, qnn.name = "own", qnn.observer = #qnn<observer mse>} : tensor<?x2x10x10xf32>
  return %o : tensor<?x2x10x10xf32>
}
