// Round trip of every qnn op: parse, print, parse the printed form again, and
// check the printed (custom) form; the generic form must round-trip too.
// RUN: qopt %s | qopt | FileCheck %s
// RUN: qopt %s --mlir-print-op-generic | qopt | FileCheck %s

// CHECK-LABEL: func.func @network
func.func @network(%x: tensor<?x1x28x28xf32>, %w: tensor<16x1x3x3xf32>,
                   %b: tensor<16xf32>, %fw: tensor<10x64xf32>,
                   %fb: tensor<10xf32>) -> tensor<?x10xf32> {
  // CHECK: %[[CONV:.*]] = qnn.conv2d %{{.*}}, %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x1x28x28xf32>, tensor<16x1x3x3xf32>, tensor<16xf32>) -> tensor<?x16x28x28xf32>
  %c = qnn.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>}
      : (tensor<?x1x28x28xf32>, tensor<16x1x3x3xf32>, tensor<16xf32>) -> tensor<?x16x28x28xf32>
  // CHECK: qnn.batch_norm %[[CONV]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64} : tensor<?x16x28x28xf32>, tensor<16xf32>
  %bn = qnn.batch_norm %c, %b, %b, %b, %b {epsilon = 1.0e-3 : f64}
      : tensor<?x16x28x28xf32>, tensor<16xf32>
  // CHECK: qnn.relu %{{.*}} : tensor<?x16x28x28xf32>
  %r = qnn.relu %bn : tensor<?x16x28x28xf32>
  // CHECK: qnn.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 2, 2>, groups = 16 : i64, strides = array<i64: 2, 2>} : (tensor<?x16x28x28xf32>, tensor<16x1x3x3xf32>) -> tensor<?x16x12x12xf32>
  %dw = qnn.conv2d %r, %w {strides = array<i64: 2, 2>, dilations = array<i64: 2, 2>, groups = 16}
      : (tensor<?x16x28x28xf32>, tensor<16x1x3x3xf32>) -> tensor<?x16x12x12xf32>
  // CHECK: qnn.max_pool %{{.*}} {ceil_mode, kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<?x16x12x12xf32>) -> tensor<?x16x6x6xf32>
  %mp = qnn.max_pool %dw {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode}
      : (tensor<?x16x12x12xf32>) -> tensor<?x16x6x6xf32>
  // CHECK: qnn.avg_pool %{{.*}} {count_include_pad, kernel = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x16x6x6xf32>) -> tensor<?x16x4x4xf32>
  %ap = qnn.avg_pool %mp {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, count_include_pad}
      : (tensor<?x16x6x6xf32>) -> tensor<?x16x4x4xf32>
  // CHECK: qnn.concat %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<?x16x4x4xf32>, tensor<?x16x4x4xf32>, tensor<?x16x4x4xf32>, tensor<?x16x4x4xf32>) -> tensor<?x64x4x4xf32>
  %cat = qnn.concat %ap, %ap, %ap, %ap {axis = 1}
      : (tensor<?x16x4x4xf32>, tensor<?x16x4x4xf32>, tensor<?x16x4x4xf32>, tensor<?x16x4x4xf32>) -> tensor<?x64x4x4xf32>
  // CHECK: qnn.global_avg_pool %{{.*}} : (tensor<?x64x4x4xf32>) -> tensor<?x64x1x1xf32>
  %gap = qnn.global_avg_pool %cat : (tensor<?x64x4x4xf32>) -> tensor<?x64x1x1xf32>
  // CHECK: qnn.flatten %{{.*}} : (tensor<?x64x1x1xf32>) -> tensor<?x64xf32>
  %flat = qnn.flatten %gap : (tensor<?x64x1x1xf32>) -> tensor<?x64xf32>
  // CHECK: qnn.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %fc = qnn.linear %flat, %fw, %fb
      : (tensor<?x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  // CHECK: qnn.softmax %{{.*}} {axis = 1 : i64} : tensor<?x10xf32>
  %sm = qnn.softmax %fc {axis = 1} : tensor<?x10xf32>
  return %sm : tensor<?x10xf32>
}

// CHECK-LABEL: func.func @activations
func.func @activations(%x: tensor<2x8x4x4xf32>, %slope: tensor<8xf32>) -> tensor<2x8x4x4xf32> {
  // CHECK: qnn.sigmoid %{{.*}} : tensor<2x8x4x4xf32>
  %0 = qnn.sigmoid %x : tensor<2x8x4x4xf32>
  // CHECK: qnn.hard_sigmoid %{{.*}} {alpha = 0.16666666666666666 : f64} : tensor<2x8x4x4xf32>
  %1 = qnn.hard_sigmoid %0 {alpha = 0.16666666666666666 : f64, beta = 0.5 : f64} : tensor<2x8x4x4xf32>
  // CHECK: qnn.hard_swish %{{.*}} : tensor<2x8x4x4xf32>
  %2 = qnn.hard_swish %1 : tensor<2x8x4x4xf32>
  // CHECK: qnn.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f64} : tensor<2x8x4x4xf32>
  %3 = qnn.leaky_relu %2 {alpha = 0.1 : f64} : tensor<2x8x4x4xf32>
  // CHECK: qnn.clip %{{.*}} {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : tensor<2x8x4x4xf32>
  %4 = qnn.clip %3 {min = 0.0 : f64, max = 6.0 : f64} : tensor<2x8x4x4xf32>
  // CHECK: qnn.prelu %{{.*}}, %{{.*}} : tensor<2x8x4x4xf32>, tensor<8xf32>
  %5 = qnn.prelu %4, %slope : tensor<2x8x4x4xf32>, tensor<8xf32>
  return %5 : tensor<2x8x4x4xf32>
}

// CHECK-LABEL: func.func @zoo_activations
func.func @zoo_activations(%x: tensor<2x8x4x4xf32>) -> tensor<2x8x4x4xf32> {
  // CHECK: %[[SILU:.*]] = qnn.silu %{{.*}} : tensor<2x8x4x4xf32>
  %0 = qnn.silu %x : tensor<2x8x4x4xf32>
  // CHECK: %[[GELU:.*]] = qnn.gelu %[[SILU]] : tensor<2x8x4x4xf32>
  %1 = qnn.gelu %0 {approximate = "none"} : tensor<2x8x4x4xf32>
  // CHECK: %[[TANH:.*]] = qnn.gelu %[[GELU]] {approximate = "tanh"} : tensor<2x8x4x4xf32>
  %2 = qnn.gelu %1 {approximate = "tanh"} : tensor<2x8x4x4xf32>
  // CHECK: qnn.erf %[[TANH]] : tensor<2x8x4x4xf32>
  %3 = qnn.erf %2 : tensor<2x8x4x4xf32>
  return %3 : tensor<2x8x4x4xf32>
}

// CHECK-LABEL: func.func @layer_norm_pow_sqrt
func.func @layer_norm_pow_sqrt(%x: tensor<?x17x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<?x17x8xf32> {
  // CHECK: %[[LN:.*]] = qnn.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = 2 : i64, epsilon = 9.9999999999999995E-7 : f64} : tensor<?x17x8xf32>, tensor<8xf32>
  %0 = qnn.layer_norm %x, %g, %b {axis = 2 : i64, epsilon = 1.0e-6 : f64} : tensor<?x17x8xf32>, tensor<8xf32>
  // CHECK: %[[P:.*]] = qnn.pow %[[LN]] {exponent = 2.000000e+00 : f64} : tensor<?x17x8xf32>
  %1 = qnn.pow %0 {exponent = 2.0 : f64} : tensor<?x17x8xf32>
  // CHECK: %[[S:.*]] = qnn.sqrt %[[P]] : tensor<?x17x8xf32>
  %2 = qnn.sqrt %1 : tensor<?x17x8xf32>
  // CHECK: qnn.tanh %[[S]] : tensor<?x17x8xf32>
  %3 = qnn.tanh %2 : tensor<?x17x8xf32>
  return %3 : tensor<?x17x8xf32>
}

// CHECK-LABEL: func.func @group_norm
func.func @group_norm(%x: tensor<?x8x5x5xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<?x8x5x5xf32> {
  // CHECK: qnn.group_norm %{{.*}}, %{{.*}}, %{{.*}} {num_groups = 4 : i64} : tensor<?x8x5x5xf32>, tensor<8xf32>
  %0 = qnn.group_norm %x, %g, %b {num_groups = 4 : i64, epsilon = 1.0e-5 : f64} : tensor<?x8x5x5xf32>, tensor<8xf32>
  return %0 : tensor<?x8x5x5xf32>
}

// CHECK-LABEL: func.func @expand
func.func @expand(%t: tensor<1x1x8xf32>, %x: tensor<?x3x32x32xf32>) -> tensor<?x1x8xf32> {
  // CHECK: qnn.expand %{{.*}}, %{{.*}} {axes = array<i64: 0>} : (tensor<1x1x8xf32>, tensor<?x3x32x32xf32>) -> tensor<?x1x8xf32>
  %0 = qnn.expand %t, %x {axes = array<i64: 0>} : (tensor<1x1x8xf32>, tensor<?x3x32x32xf32>) -> tensor<?x1x8xf32>
  return %0 : tensor<?x1x8xf32>
}

// CHECK-LABEL: func.func @reduce_mean
func.func @reduce_mean(%x: tensor<?x8x4x4xf32>) -> (tensor<?x1x4x4xf32>, tensor<?x8xf32>) {
  // CHECK: qnn.reduce_mean %{{.*}} {axes = array<i64: 1>} : (tensor<?x8x4x4xf32>) -> tensor<?x1x4x4xf32>
  %0 = qnn.reduce_mean %x {axes = array<i64: 1>} : (tensor<?x8x4x4xf32>) -> tensor<?x1x4x4xf32>
  // CHECK: qnn.reduce_mean %{{.*}} {axes = array<i64: 2, 3>, keepdims = false} : (tensor<?x8x4x4xf32>) -> tensor<?x8xf32>
  %1 = qnn.reduce_mean %x {axes = array<i64: 2, 3>, keepdims = false} : (tensor<?x8x4x4xf32>) -> tensor<?x8xf32>
  return %0, %1 : tensor<?x1x4x4xf32>, tensor<?x8xf32>
}

// CHECK-LABEL: func.func @elementwise_and_layout
func.func @elementwise_and_layout(%a: tensor<2x8x4x4xf32>, %b: tensor<1x8x1x1xf32>,
                                  %m: tensor<3x4xf32>, %n: tensor<2x4x5xf32>) {
  // CHECK: qnn.add %{{.*}}, %{{.*}} : (tensor<2x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<2x8x4x4xf32>
  %0 = qnn.add %a, %b : (tensor<2x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<2x8x4x4xf32>
  // CHECK: qnn.sub
  %1 = qnn.sub %0, %b : (tensor<2x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<2x8x4x4xf32>
  // CHECK: qnn.mul
  %2 = qnn.mul %1, %b : (tensor<2x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<2x8x4x4xf32>
  // CHECK: qnn.div
  %3 = qnn.div %2, %b : (tensor<2x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<2x8x4x4xf32>
  // CHECK: qnn.matmul %{{.*}}, %{{.*}} : (tensor<3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  %4 = qnn.matmul %m, %n : (tensor<3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  // CHECK: qnn.pad %{{.*}} {pads = array<i64: 0, 0, 1, 2, 0, 0, 1, 2>, value = 5.000000e-01 : f64} : (tensor<2x8x4x4xf32>) -> tensor<2x8x6x8xf32>
  %5 = qnn.pad %3 {pads = array<i64: 0, 0, 1, 2, 0, 0, 1, 2>, value = 0.5 : f64}
      : (tensor<2x8x4x4xf32>) -> tensor<2x8x6x8xf32>
  // CHECK: qnn.reshape %{{.*}} : (tensor<2x8x6x8xf32>) -> tensor<16x48xf32>
  %6 = qnn.reshape %5 : (tensor<2x8x6x8xf32>) -> tensor<16x48xf32>
  // CHECK: qnn.transpose %{{.*}} {perm = array<i64: 0, 2, 3, 1>} : (tensor<2x8x4x4xf32>) -> tensor<2x4x4x8xf32>
  %7 = qnn.transpose %a {perm = array<i64: 0, 2, 3, 1>} : (tensor<2x8x4x4xf32>) -> tensor<2x4x4x8xf32>
  // CHECK: qnn.resize nearest asymmetric %{{.*}} {nearest_mode = #qnn<nearest_mode floor>} : (tensor<2x8x4x4xf32>) -> tensor<2x8x8x8xf32>
  %8 = qnn.resize nearest asymmetric %a {nearest_mode = #qnn<nearest_mode floor>}
      : (tensor<2x8x4x4xf32>) -> tensor<2x8x8x8xf32>
  // CHECK: qnn.resize linear half_pixel %{{.*}} : (tensor<2x8x4x4xf32>) -> tensor<2x8x7x9xf32>
  %9 = qnn.resize linear half_pixel %a : (tensor<2x8x4x4xf32>) -> tensor<2x8x7x9xf32>
  return
}

// CHECK-LABEL: func.func @fake_quant
func.func @fake_quant(%w: tensor<16x8x3x3xf32>, %a: tensor<?x8x28x28xf32>,
                      %s16: tensor<16xf32>, %s: tensor<f32>, %z: tensor<f32>,
                      %s4: tensor<4xf32>, %basis: tensor<2xf32>,
                      %gbasis: tensor<4x2xf32>, %slopes: tensor<3xf32>) {
  // CHECK: qnn.fake_quant uniform activation %{{.*}} scale(%{{.*}} : tensor<f32>) zero_point(%{{.*}} : tensor<f32>) {bits = 8 : i64, half_range} : tensor<?x8x28x28xf32>
  %0 = qnn.fake_quant uniform activation %a scale(%s : tensor<f32>) zero_point(%z : tensor<f32>) {bits = 8, half_range} : tensor<?x8x28x28xf32>
  // CHECK: qnn.fake_quant lsq weight %{{.*}} scale(%{{.*}} : tensor<16xf32>) grad_scale fan_scale {axis = 0 : i64, bits = 4 : i64} : tensor<16x8x3x3xf32>
  %1 = qnn.fake_quant lsq weight %w scale(%s16 : tensor<16xf32>) grad_scale fan_scale {axis = 0, bits = 4} : tensor<16x8x3x3xf32>
  // CHECK: qnn.fake_quant lsq weight %{{.*}} scale(%{{.*}} : tensor<4xf32>) adaptive var_mean {axis = 0 : i64, bits = 2 : i64, groups = 4 : i64} : tensor<16x8x3x3xf32>
  %2 = qnn.fake_quant lsq weight %w scale(%s4 : tensor<4xf32>) adaptive var_mean {axis = 0, groups = 4, bits = 2} : tensor<16x8x3x3xf32>
  // CHECK: qnn.fake_quant lsq_plus activation %{{.*}} scale(%{{.*}} : tensor<f32>) zero_point(%{{.*}} : tensor<f32>) {bits = 4 : i64} : tensor<?x8x28x28xf32>
  %3 = qnn.fake_quant lsq_plus activation %a scale(%s : tensor<f32>) zero_point(%z : tensor<f32>) {bits = 4} : tensor<?x8x28x28xf32>
  // CHECK: qnn.fake_quant pact activation %{{.*}} clip(%{{.*}} : tensor<f32>) {bits = 4 : i64, half_range} : tensor<?x8x28x28xf32>
  %4 = qnn.fake_quant pact activation %a clip(%s : tensor<f32>) {bits = 4, half_range} : tensor<?x8x28x28xf32>
  // CHECK: qnn.fake_quant dorefa weight %{{.*}} {bits = 2 : i64} : tensor<16x8x3x3xf32>
  %5 = qnn.fake_quant dorefa weight %w {bits = 2} : tensor<16x8x3x3xf32>
  // CHECK: qnn.fake_quant lqnet weight %{{.*}} basis(%{{.*}} : tensor<2xf32>) {bits = 2 : i64} : tensor<16x8x3x3xf32>
  %6 = qnn.fake_quant lqnet weight %w basis(%basis : tensor<2xf32>) {bits = 2} : tensor<16x8x3x3xf32>
  // CHECK: qnn.fake_quant lqnet weight %{{.*}} basis(%{{.*}} : tensor<4x2xf32>) {axis = 0 : i64, bits = 2 : i64, groups = 4 : i64} : tensor<16x8x3x3xf32>
  %7 = qnn.fake_quant lqnet weight %w basis(%gbasis : tensor<4x2xf32>) {axis = 0, groups = 4, bits = 2} : tensor<16x8x3x3xf32>
  // CHECK: qnn.fake_quant xnor activation %{{.*}} grad triangle {bits = 1 : i64} : tensor<?x8x28x28xf32>
  %8 = qnn.fake_quant xnor activation %a grad triangle {bits = 1} : tensor<?x8x28x28xf32>
  // CHECK: qnn.fake_quant xnor_plus_plus weight %{{.*}} scale(%{{.*}} : tensor<16xf32>) {axis = 0 : i64, bits = 1 : i64} : tensor<16x8x3x3xf32>
  %9 = qnn.fake_quant xnor_plus_plus weight %w scale(%s16 : tensor<16xf32>) {axis = 0, bits = 1} : tensor<16x8x3x3xf32>
  // CHECK: qnn.fake_quant non_uniform activation %{{.*}} clip(%{{.*}} : tensor<3xf32>) {bits = 2 : i64, half_range} : tensor<?x8x28x28xf32>
  %10 = qnn.fake_quant non_uniform activation %a clip(%slopes : tensor<3xf32>) {bits = 2, half_range} : tensor<?x8x28x28xf32>
  // CHECK: qnn.fake_quant adaround weight %{{.*}} scale(%{{.*}} : tensor<16xf32>) offset(%{{.*}} : tensor<16x8x3x3xf32>) {axis = 0 : i64, bits = 4 : i64, narrow} : tensor<16x8x3x3xf32>
  %11 = qnn.fake_quant adaround weight %w scale(%s16 : tensor<16xf32>) offset(%w : tensor<16x8x3x3xf32>) {axis = 0, bits = 4, narrow} : tensor<16x8x3x3xf32>
  // CHECK: qnn.fake_quant dorefa activation %{{.*}} clip(%{{.*}} : tensor<f32>) grad clipped_ste {bits = 3 : i64, half_range} : tensor<?x8x28x28xf32>
  %12 = qnn.fake_quant dorefa activation %a clip(%s : tensor<f32>) grad clipped_ste {bits = 3, half_range} : tensor<?x8x28x28xf32>
  return
}

// CHECK-LABEL: func.func @observers
func.func @observers(%a: tensor<?x8x28x28xf32>, %w: tensor<16x8x3x3xf32>) {
  // CHECK: qnn.observe min_max activation %{{.*}} {bits = 8 : i64, half_range, name = "stem.act"} : tensor<?x8x28x28xf32>
  %0 = qnn.observe min_max activation %a {bits = 8, half_range, name = "stem.act"} : tensor<?x8x28x28xf32>
  // CHECK: qnn.observe ema_min_max activation %{{.*}} {bits = 8 : i64, momentum = 5.000000e-01 : f64} : tensor<?x8x28x28xf32>
  %1 = qnn.observe ema_min_max activation %a {bits = 8, momentum = 0.5 : f64} : tensor<?x8x28x28xf32>
  // CHECK: qnn.observe percentile activation %{{.*}} {bits = 8 : i64, percentile = 9.950000e+01 : f64} : tensor<?x8x28x28xf32>
  %2 = qnn.observe percentile activation %a {bits = 8, percentile = 99.5 : f64} : tensor<?x8x28x28xf32>
  // CHECK: qnn.observe mse weight %{{.*}} {axis = 0 : i64, bits = 4 : i64, norm = 2.400000e+00 : f64, symmetric} : tensor<16x8x3x3xf32>
  %3 = qnn.observe mse weight %w {axis = 0, bits = 4, norm = 2.4 : f64, symmetric} : tensor<16x8x3x3xf32>
  // CHECK: qnn.observe min_max weight %{{.*}} {axis = 0 : i64, bits = 4 : i64, groups = 4 : i64, symmetric} : tensor<16x8x3x3xf32>
  %g = qnn.observe min_max weight %w {axis = 0, groups = 4, bits = 4, symmetric} : tensor<16x8x3x3xf32>
  // CHECK: qnn.observe avg_mse activation %{{.*}} {bits = 4 : i64} : tensor<?x8x28x28xf32>
  %4 = qnn.observe avg_mse activation %a {bits = 4} : tensor<?x8x28x28xf32>
  // CHECK: qnn.observe entropy activation %{{.*}} {bits = 8 : i64, half_range} : tensor<?x8x28x28xf32>
  %5 = qnn.observe entropy activation %a {bits = 8, half_range} : tensor<?x8x28x28xf32>
  return
}

!qx = !quant.uniform<u8:f32, 0.02>
!qw = !quant.uniform<i8:f32:0, {0.01, 0.02}>
!qy = !quant.uniform<u8:f32, 0.03:5>
!qr = !quant.uniform<i8:f32, 0.05:-3>
!q4 = !quant.uniform<i8<-8:7>:f32, 0.1>

// CHECK-LABEL: func.func @integer
func.func @integer(%x: tensor<?x4x8x8xf32>, %w: tensor<2x4x3x3x!qw>, %b: tensor<2xi32>,
                   %fw: tensor<3x2x!q4>, %fb: tensor<3xi32>,
                   %ws: tensor<2x2x3x3xf32>) -> tensor<?x3xf32> {
  // CHECK: %[[Q:.*]] = qnn.quantize %{{.*}} : tensor<?x4x8x8xf32> -> tensor<?x4x8x8x!quant.uniform<u8:f32, 2.000000e-02>>
  %q = qnn.quantize %x : tensor<?x4x8x8xf32> -> tensor<?x4x8x8x!qx>
  // CHECK: %[[C:.*]] = qnn.qconv2d %[[Q]], %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>, relu} : (tensor<?x4x8x8x!quant.uniform<u8:f32, 2.000000e-02>>, tensor<2x4x3x3x!quant.uniform<i8:f32:0, {1.000000e-02,2.000000e-02}>>, tensor<2xi32>) -> tensor<?x2x8x8x!quant.uniform<u8:f32, 3.000000e-02:5>>
  %c = qnn.qconv2d %q, %w, %b {pads = array<i64: 1, 1, 1, 1>, relu}
      : (tensor<?x4x8x8x!qx>, tensor<2x4x3x3x!qw>, tensor<2xi32>) -> tensor<?x2x8x8x!qy>
  // CHECK: qnn.qconv2d %{{.*}}, %{{.*}} residual(%[[C]]) {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x2x8x8x!quant.uniform<u8:f32, 3.000000e-02:5>>, tensor<2x2x3x3x!quant.uniform<i8:f32:0, {1.000000e-02,2.000000e-02}>>, tensor<?x2x8x8x!quant.uniform<u8:f32, 3.000000e-02:5>>) -> tensor<?x2x8x8x!quant.uniform<i8:f32, 5.000000e-02:-3>>
  %w2 = qnn.quantize %ws : tensor<2x2x3x3xf32> -> tensor<2x2x3x3x!qw>
  %c2 = qnn.qconv2d %c, %w2 residual(%c) {pads = array<i64: 1, 1, 1, 1>}
      : (tensor<?x2x8x8x!qy>, tensor<2x2x3x3x!qw>, tensor<?x2x8x8x!qy>) -> tensor<?x2x8x8x!qr>
  // CHECK: qnn.requantize %{{.*}} : tensor<?x2x8x8x!quant.uniform<i8:f32, 5.000000e-02:-3>> -> tensor<?x2x8x8x!quant.uniform<u8:f32, 3.000000e-02:5>>
  %rq = qnn.requantize %c2 : tensor<?x2x8x8x!qr> -> tensor<?x2x8x8x!qy>
  // CHECK: qnn.qadd %{{.*}}, %{{.*}} {relu} : (tensor<?x2x8x8x!quant.uniform<u8:f32, 3.000000e-02:5>>, tensor<?x2x8x8x!quant.uniform<u8:f32, 3.000000e-02:5>>) -> tensor<?x2x8x8x!quant.uniform<u8:f32, 3.000000e-02:5>>
  %sum = qnn.qadd %rq, %c {relu} : (tensor<?x2x8x8x!qy>, tensor<?x2x8x8x!qy>) -> tensor<?x2x8x8x!qy>
  %g = qnn.dequantize %sum : tensor<?x2x8x8x!qy> -> tensor<?x2x8x8xf32>
  %gp = qnn.global_avg_pool %g : (tensor<?x2x8x8xf32>) -> tensor<?x2x1x1xf32>
  %fl = qnn.flatten %gp : (tensor<?x2x1x1xf32>) -> tensor<?x2xf32>
  %fq = qnn.quantize %fl : tensor<?x2xf32> -> tensor<?x2x!qx>
  // CHECK: qnn.qlinear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x2x!quant.uniform<u8:f32, 2.000000e-02>>, tensor<3x2x!quant.uniform<i8<-8:7>:f32, 1.000000e-01>>, tensor<3xi32>) -> tensor<?x3xi32>
  %acc = qnn.qlinear %fq, %fw, %fb : (tensor<?x2x!qx>, tensor<3x2x!q4>, tensor<3xi32>) -> tensor<?x3xi32>
  // CHECK: qnn.qlinear %{{.*}}, %{{.*}} {relu} : (tensor<?x2x!quant.uniform<u8:f32, 2.000000e-02>>, tensor<3x2x!quant.uniform<i8<-8:7>:f32, 1.000000e-01>>) -> tensor<?x3x!quant.uniform<i8:f32, 5.000000e-02:-3>>
  %ql = qnn.qlinear %fq, %fw {relu} : (tensor<?x2x!qx>, tensor<3x2x!q4>) -> tensor<?x3x!qr>
  // CHECK: qnn.dequantize %{{.*}} : tensor<?x3x!quant.uniform<i8:f32, 5.000000e-02:-3>> -> tensor<?x3xf32>
  %out = qnn.dequantize %ql : tensor<?x3x!qr> -> tensor<?x3xf32>
  return %out : tensor<?x3xf32>
}
