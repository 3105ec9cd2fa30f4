// RUN: qopt %s -split-input-file -qnn-wrap-mode=mode=calibrate | FileCheck %s --check-prefix=CAL
// RUN: qopt %s -split-input-file -qnn-wrap-mode="mode=calibrate observer=mse" | FileCheck %s --check-prefix=MSE
// RUN: qopt %s -split-input-file -qnn-wrap-mode="mode=calibrate observer=lsq_init" | FileCheck %s --check-prefix=LSQI
// RUN: qopt %s -split-input-file -qnn-wrap-mode=mode=test -verify-diagnostics | FileCheck %s --check-prefix=TEST

// Calibrate: step-size quantizers become named observers with the same
// bits, range and granularity; weights and LSQ are symmetric, uniform
// activations get a zero point; DoReFa (no step size) is kept.
// CAL-LABEL: func.func @block
// CAL: %[[WO:.*]] = qnn.observe min_max weight %{{.*}} {axis = 0 : i64, bits = 4 : i64, name = "fq0", narrow, symmetric} : tensor<2x1x3x3xf32>
// CAL: %[[AO:.*]] = qnn.observe min_max activation %{{.*}} {bits = 8 : i64, half_range, name = "stem.act"} : tensor<?x1x8x8xf32>
// CAL: qnn.conv2d %[[AO]], %[[WO]]
// CAL: qnn.observe percentile activation %{{.*}} {bits = 4 : i64, half_range, name = "fq2", percentile = 9.990000e+01 : f64, symmetric}
// CAL: qnn.fake_quant dorefa weight
// CAL-NOT: qnn.fake_quant uniform
// MSE-LABEL: func.func @block
// MSE: qnn.observe mse weight
// MSE: qnn.observe mse activation
// MSE: qnn.observe percentile activation
// lsq_init is LSQ's step-size initialization: uniform quantizers start at
// their range (min_max); an explicit qnn.observer still wins.
// LSQI-LABEL: func.func @block
// LSQI: qnn.observe min_max weight
// LSQI: qnn.observe min_max activation
// LSQI: qnn.observe percentile activation
// TEST-LABEL: func.func @block
// TEST-COUNT-4: qnn.fake_quant
func.func @block(%x: tensor<?x1x8x8xf32>) -> tensor<?x2x8x8xf32> {
  %w = arith.constant dense<0.5> : tensor<2x1x3x3xf32>
  %ws = arith.constant dense<[0.1, 0.2]> : tensor<2xf32>
  %s = arith.constant dense<0.05> : tensor<f32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %wz = arith.constant dense<0.0> : tensor<2xf32>
  %wq = qnn.fake_quant uniform weight %w scale(%ws : tensor<2xf32>) zero_point(%wz : tensor<2xf32>) {axis = 0, bits = 4, narrow} : tensor<2x1x3x3xf32>
  %xq = qnn.fake_quant uniform activation %x scale(%s : tensor<f32>) zero_point(%z : tensor<f32>) {bits = 8, half_range, qnn.name = "stem.act"} : tensor<?x1x8x8xf32>
  %y = qnn.conv2d %xq, %wq {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x1x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x8x8xf32>
  %yq = qnn.fake_quant lsq activation %y scale(%s : tensor<f32>) {bits = 4, half_range, qnn.observer = #qnn<observer percentile>, qnn.percentile = 99.9 : f64} : tensor<?x2x8x8xf32>
  %dw = qnn.fake_quant dorefa weight %w {bits = 2} : tensor<2x1x3x3xf32>
  %y2 = qnn.conv2d %yq, %dw {pads = array<i64: 1, 1, 1, 1>, groups = 2} : (tensor<?x2x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x8x8xf32>
  return %y2 : tensor<?x2x8x8xf32>
}

// -----

// PACT is calibrated too: its clip starts at the observed range (an
// unsigned grid, α = s·(2^b - 1), written back by qc).
// CAL-LABEL: func.func @pact
// CAL: qnn.observe min_max activation %arg0 {bits = 4 : i64, half_range, name = "fq0", symmetric}
// LSQI-LABEL: func.func @pact
// LSQI: qnn.observe min_max activation %arg0 {bits = 4 : i64, half_range, name = "fq0", symmetric}
func.func @pact(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %a = arith.constant dense<10.0> : tensor<f32>
  %y = qnn.fake_quant pact activation %x clip(%a : tensor<f32>) {bits = 4, half_range} : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// LSQ and LSQ+ step sizes under lsq_init: the LSQ paper's 2 mean|x| /
// sqrt(Qp), per channel for per-channel weights.
// LSQI-LABEL: func.func @lsq
// LSQI: qnn.observe lsq_init weight %{{.*}} {axis = 0 : i64, bits = 2 : i64, name = "fq0", symmetric} : tensor<2x3xf32>
// LSQI: qnn.observe lsq_init activation %arg0 {bits = 2 : i64, half_range, name = "fq1", symmetric} : tensor<?x3xf32>
// LSQI: qnn.observe lsq_init activation %{{.*}} {bits = 4 : i64, name = "fq2", symmetric} : tensor<?x2xf32>
func.func @lsq(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[0.5, -1.0, 0.25], [2.0, 0.0, -0.5]]> : tensor<2x3xf32>
  %ws = arith.constant dense<[0.1, 0.2]> : tensor<2xf32>
  %s = arith.constant dense<1.0> : tensor<f32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %wq = qnn.fake_quant lsq weight %w scale(%ws : tensor<2xf32>) {axis = 0, bits = 2} : tensor<2x3xf32>
  %xq = qnn.fake_quant lsq activation %x scale(%s : tensor<f32>) {bits = 2, half_range} : tensor<?x3xf32>
  %y = qnn.linear %xq, %wq : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
  %yq = qnn.fake_quant lsq_plus activation %y scale(%s : tensor<f32>) zero_point(%z : tensor<f32>) {bits = 4} : tensor<?x2xf32>
  return %yq : tensor<?x2xf32>
}

// -----

// A DoReFa activation quantizer with a clip operand (a policy boundary) is
// calibrated as PACT (clip from the observed range; max|x| under min_max
// and lsq_init); without one it clamps to [0, 1] and is kept.
// CAL-LABEL: func.func @dorefa_clip
// CAL: %[[O:.*]] = qnn.observe min_max activation %arg0 {bits = 2 : i64, half_range, name = "fq0", symmetric}
// CAL: qnn.fake_quant dorefa activation %[[O]] {bits = 2 : i64, half_range}
// LSQI-LABEL: func.func @dorefa_clip
// LSQI: qnn.observe min_max activation %arg0
// LSQI: qnn.fake_quant dorefa activation
func.func @dorefa_clip(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %a = arith.constant dense<1.5> : tensor<f32>
  %y = qnn.fake_quant dorefa activation %x clip(%a : tensor<f32>) {bits = 2, half_range} : tensor<?x4xf32>
  %y2 = qnn.fake_quant dorefa activation %y {bits = 2, half_range} : tensor<?x4xf32>
  return %y2 : tensor<?x4xf32>
}

// -----

// LQ-Nets' basis starts as the observed uniform grid (written back as
// v_i = c 2^i by qc): its quantizers are observed with their bits, range
// and granularity.
// CAL-LABEL: func.func @lqnet
// CAL: qnn.observe min_max weight %{{.*}} {axis = 0 : i64, bits = 2 : i64, name = "fq0", symmetric} : tensor<2x3xf32>
// CAL: qnn.observe min_max activation %arg0 {bits = 2 : i64, half_range, name = "fq1", symmetric} : tensor<?x3xf32>
// MSE-LABEL: func.func @lqnet
// MSE-COUNT-2: qnn.observe mse
func.func @lqnet(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[0.5, -1.0, 0.25], [2.0, 0.0, -0.5]]> : tensor<2x3xf32>
  %wv = arith.constant dense<[[0.1, 0.2], [0.1, 0.2]]> : tensor<2x2xf32>
  %v = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %wq = qnn.fake_quant lqnet weight %w basis(%wv : tensor<2x2xf32>) {axis = 0, bits = 2} : tensor<2x3xf32>
  %xq = qnn.fake_quant lqnet activation %x basis(%v : tensor<2xf32>) {bits = 2, half_range} : tensor<?x3xf32>
  %y = qnn.linear %xq, %wq : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// Test mode strips observers and demands frozen parameters.
// CAL-LABEL: func.func @stripped
// TEST-LABEL: func.func @stripped
// TEST-NOT: qnn.observe
// TEST: return %arg0
func.func @stripped(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = qnn.observe min_max activation %x {bits = 8, name = "a"} : tensor<4xf32>
  return %o : tensor<4xf32>
}

// -----

// Test mode freezes AdaRound: the weight rounded as the hardened rounding
// rounds it (floor(w/s) + [V >= 0]), under a uniform quantizer with the
// same scale and granularity. s = 0.1: 0.14 rounds down (V < 0) to 0.1,
// 0.14 with V >= 0 up to 0.2; -0.26 with V >= 0 to -0.2, and 0.95 up to
// 1.0, clamped to the 4-bit top 7 * 0.1 = 0.7 as AdaRound clamps.
// TEST-LABEL: func.func @adaround
// TEST: %[[W:.*]] = arith.constant dense<{{\[}}[1.000000e-01, 2.000000e-01], [-2.000000e-01, 0.699999988]]> : tensor<2x2xf32>
// TEST: qnn.fake_quant uniform weight %[[W]] scale(%{{.*}} : tensor<2xf32>) zero_point(%{{.*}} : tensor<2xf32>) {axis = 0 : i64, bits = 4 : i64, qnn.name = "fc.wt"} : tensor<2x2xf32>
// TEST-NOT: adaround
func.func @adaround(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[0.14, 0.14], [-0.26, 0.95]]> : tensor<2x2xf32>
  %s = arith.constant dense<0.1> : tensor<2xf32>
  %v = arith.constant dense<[[-1.0, 0.5], [2.0, 3.0]]> : tensor<2x2xf32>
  %wq = qnn.fake_quant adaround weight %w scale(%s : tensor<2xf32>) offset(%v : tensor<2x2xf32>) {axis = 0 : i64, bits = 4 : i64, qnn.name = "fc.wt"} : tensor<2x2xf32>
  %y = qnn.linear %x, %wq : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// An unsigned 4-bit weight grid with zero points (QDrop's symmetric: False)
// becomes the signed narrow 5-bit grid of its levels q - z: s = 0.1, z = 8:
// 0.14 -> q = 9 -> 0.1; -0.93 -> q = -1 clamped to 0 -> -0.8; 0.81 -> q =
// 16 clamped to 15 -> 0.7 (7 * 0.1 in float: 0.699999988).
// TEST-LABEL: func.func @unsigned_weight
// TEST: %[[W:.*]] = arith.constant dense<{{\[}}[1.000000e-01, -8.000000e-01], [0.699999988, 0.000000e+00]]> : tensor<2x2xf32>
// TEST: %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<2xf32>
// TEST: qnn.fake_quant uniform weight %[[W]] scale(%{{.*}} : tensor<2xf32>) zero_point(%[[Z]] : tensor<2xf32>) {axis = 0 : i64, bits = 5 : i64, narrow} : tensor<2x2xf32>
func.func @unsigned_weight(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[0.14, -0.93], [0.81, 0.0]]> : tensor<2x2xf32>
  %s = arith.constant dense<0.1> : tensor<2xf32>
  %z = arith.constant dense<8.0> : tensor<2xf32>
  %wq = qnn.fake_quant uniform weight %w scale(%s : tensor<2xf32>) zero_point(%z : tensor<2xf32>) {axis = 0 : i64, bits = 4 : i64, half_range} : tensor<2x2xf32>
  %y = qnn.linear %x, %wq : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// A weight on an unsigned grid with a zero point is observed asymmetric (a
// symmetric observer would give zero point 0 and clamp negative weights).
// CAL-LABEL: func.func @asymmetric_weight
// CAL: qnn.observe min_max weight %{{.*}} {axis = 0 : i64, bits = 4 : i64, half_range, name = "fq0"}
func.func @asymmetric_weight(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[0.14, -0.93], [0.81, 0.0]]> : tensor<2x2xf32>
  %s = arith.constant dense<0.1> : tensor<2xf32>
  %z = arith.constant dense<8.0> : tensor<2xf32>
  %wq = qnn.fake_quant uniform weight %w scale(%s : tensor<2xf32>) zero_point(%z : tensor<2xf32>) {axis = 0 : i64, bits = 4 : i64, half_range} : tensor<2x2xf32>
  %y = qnn.linear %x, %wq : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
