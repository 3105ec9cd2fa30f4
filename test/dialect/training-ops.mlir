// Round trip of every training op (backward, loss, optimizer): parse,
// print, parse again; the generic form must round-trip too.
// RUN: qopt %s | qopt | FileCheck %s
// RUN: qopt %s --mlir-print-op-generic | qopt | FileCheck %s

// CHECK-LABEL: func.func @layers
func.func @layers(%x: tensor<?x8x8x8xf32>, %w: tensor<16x8x3x3xf32>, %dy: tensor<?x16x8x8xf32>,
                  %fx: tensor<?x64xf32>, %fw: tensor<10x64xf32>, %fdy: tensor<?x10xf32>,
                  %g: tensor<16xf32>) {
  // CHECK: %{{.*}} = qnn.conv2d_grad_input %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x16x8x8xf32>, tensor<16x8x3x3xf32>) -> tensor<?x8x8x8xf32>
  // CHECK-NEXT: %{{.*}} = qnn.conv2d_grad_weight %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x16x8x8xf32>, tensor<?x8x8x8xf32>) -> tensor<16x8x3x3xf32>
  // CHECK-NEXT: %{{.*}} = qnn.conv2d_grad_weight %{{.*}}, %{{.*}} {groups = 8 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x16x8x8xf32>, tensor<?x8x8x8xf32>) -> tensor<16x1x3x3xf32>
  // CHECK-NEXT: %{{.*}} = qnn.bias_grad %{{.*}} : (tensor<?x16x8x8xf32>) -> tensor<16xf32>
  // CHECK-NEXT: %{{.*}} = qnn.linear_grad_input %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<10x64xf32>) -> tensor<?x64xf32>
  // CHECK-NEXT: %{{.*}} = qnn.linear_grad_weight %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<?x64xf32>) -> tensor<10x64xf32>
  // CHECK-NEXT: %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} = qnn.batch_norm_train %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64} : tensor<?x16x8x8xf32>, tensor<16xf32>
  // CHECK-NEXT: %{{.*}}, %{{.*}}, %{{.*}} = qnn.batch_norm_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64} : tensor<?x16x8x8xf32>, tensor<16xf32>
  %dx = qnn.conv2d_grad_input %dy, %w {pads = array<i64: 1, 1, 1, 1>}
      : (tensor<?x16x8x8xf32>, tensor<16x8x3x3xf32>) -> tensor<?x8x8x8xf32>
  %dw = qnn.conv2d_grad_weight %dy, %x {pads = array<i64: 1, 1, 1, 1>}
      : (tensor<?x16x8x8xf32>, tensor<?x8x8x8xf32>) -> tensor<16x8x3x3xf32>
  %dgw = qnn.conv2d_grad_weight %dy, %x {groups = 8, pads = array<i64: 1, 1, 1, 1>}
      : (tensor<?x16x8x8xf32>, tensor<?x8x8x8xf32>) -> tensor<16x1x3x3xf32>
  %db = qnn.bias_grad %dy : (tensor<?x16x8x8xf32>) -> tensor<16xf32>
  %lx = qnn.linear_grad_input %fdy, %fw : (tensor<?x10xf32>, tensor<10x64xf32>) -> tensor<?x64xf32>
  %lw = qnn.linear_grad_weight %fdy, %fx : (tensor<?x10xf32>, tensor<?x64xf32>) -> tensor<10x64xf32>
  %y, %mean, %invstd, %rm, %rv = qnn.batch_norm_train %dy, %g, %g, %g, %g {epsilon = 1.0e-3 : f64, momentum = 0.9 : f64}
      : tensor<?x16x8x8xf32>, tensor<16xf32>
  %bx, %bg, %bb = qnn.batch_norm_grad %dy, %y, %g, %mean, %invstd {epsilon = 1.0e-3 : f64}
      : tensor<?x16x8x8xf32>, tensor<16xf32>
  return
}

// CHECK-LABEL: func.func @activations
func.func @activations(%dy: tensor<?x16x8x8xf32>, %x: tensor<?x16x8x8xf32>,
                       %pdy: tensor<?x16x4x4xf32>, %gdy: tensor<?x16x1x1xf32>,
                       %ppdy: tensor<?x16x10x10xf32>) {
  // CHECK: %{{.*}} = qnn.relu_grad %{{.*}}, %{{.*}} : tensor<?x16x8x8xf32>
  // CHECK-NEXT: %{{.*}} = qnn.clip_grad %{{.*}}, %{{.*}} {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : tensor<?x16x8x8xf32>
  // CHECK-NEXT: %{{.*}} = qnn.max_pool_grad %{{.*}}, %{{.*}} {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x16x4x4xf32>, tensor<?x16x8x8xf32>) -> tensor<?x16x8x8xf32>
  // CHECK-NEXT: %{{.*}} = qnn.avg_pool_grad %{{.*}} {count_include_pad, kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x16x4x4xf32>) -> tensor<?x16x8x8xf32>
  // CHECK-NEXT: %{{.*}} = qnn.global_avg_pool_grad %{{.*}} : (tensor<?x16x1x1xf32>) -> tensor<?x16x7x7xf32>
  // CHECK-NEXT: %{{.*}} = qnn.pad_grad %{{.*}} {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<?x16x10x10xf32>) -> tensor<?x16x8x8xf32>
  // CHECK-NEXT: %{{.*}} = qnn.reduce_to %{{.*}} : (tensor<?x16x8x8xf32>) -> tensor<16x1x1xf32>
  // CHECK-NEXT: %{{.*}} = qnn.slice %{{.*}} {axis = 1 : i64, start = 4 : i64} : (tensor<?x16x8x8xf32>) -> tensor<?x8x8x8xf32>
  %r = qnn.relu_grad %dy, %x : tensor<?x16x8x8xf32>
  %c = qnn.clip_grad %dy, %x {max = 6.0 : f64, min = 0.0 : f64} : tensor<?x16x8x8xf32>
  %m = qnn.max_pool_grad %pdy, %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : (tensor<?x16x4x4xf32>, tensor<?x16x8x8xf32>) -> tensor<?x16x8x8xf32>
  %a = qnn.avg_pool_grad %pdy {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, count_include_pad}
      : (tensor<?x16x4x4xf32>) -> tensor<?x16x8x8xf32>
  %ga = qnn.global_avg_pool_grad %gdy : (tensor<?x16x1x1xf32>) -> tensor<?x16x7x7xf32>
  %p = qnn.pad_grad %ppdy {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>}
      : (tensor<?x16x10x10xf32>) -> tensor<?x16x8x8xf32>
  %rt = qnn.reduce_to %dy : (tensor<?x16x8x8xf32>) -> tensor<16x1x1xf32>
  %s = qnn.slice %dy {axis = 1, start = 4} : (tensor<?x16x8x8xf32>) -> tensor<?x8x8x8xf32>
  return
}

// CHECK-LABEL: func.func @quantizers
func.func @quantizers(%dy: tensor<16x8x3x3xf32>, %w: tensor<16x8x3x3xf32>, %s: tensor<16xf32>,
                      %ady: tensor<?x8x4x4xf32>, %a: tensor<?x8x4x4xf32>, %alpha: tensor<f32>,
                      %z: tensor<f32>, %basis: tensor<2xf32>) {
  // CHECK: %{{.*}}, %{{.*}} = qnn.fake_quant_grad lsq weight %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<16xf32>) grad_scale fan_scale {axis = 0 : i64, bits = 4 : i64} : tensor<16x8x3x3xf32>
  // CHECK-NEXT: %{{.*}}, %{{.*}} = qnn.fake_quant_grad pact activation %{{.*}}, %{{.*}} clip(%{{.*}} : tensor<f32>) {bits = 4 : i64, half_range} : tensor<?x8x4x4xf32>
  // CHECK-NEXT: %{{.*}}, %{{.*}}:2 = qnn.fake_quant_grad lsq_plus activation %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<f32>) zero_point(%{{.*}} : tensor<f32>) {bits = 4 : i64} : tensor<?x8x4x4xf32>
  // CHECK-NEXT: %{{.*}} = qnn.fake_quant_grad uniform activation %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<f32>) zero_point(%{{.*}} : tensor<f32>) {bits = 8 : i64} : tensor<?x8x4x4xf32>
  // CHECK-NEXT: %{{.*}} = qnn.fake_quant_grad lqnet activation %{{.*}}, %{{.*}} basis(%{{.*}} : tensor<2xf32>) {bits = 2 : i64, half_range} : tensor<?x8x4x4xf32>
  %dx, %ds = qnn.fake_quant_grad lsq weight %dy, %w scale(%s : tensor<16xf32>) grad_scale fan_scale {axis = 0, bits = 4}
      : tensor<16x8x3x3xf32>
  %dxa, %dalpha = qnn.fake_quant_grad pact activation %ady, %a clip(%alpha : tensor<f32>) {bits = 4, half_range}
      : tensor<?x8x4x4xf32>
  %dxp, %dsp, %dzp = qnn.fake_quant_grad lsq_plus activation %ady, %a scale(%alpha : tensor<f32>) zero_point(%z : tensor<f32>) {bits = 4}
      : tensor<?x8x4x4xf32>
  %dxu = qnn.fake_quant_grad uniform activation %ady, %a scale(%alpha : tensor<f32>) zero_point(%z : tensor<f32>) {bits = 8}
      : tensor<?x8x4x4xf32>
  %dxl = qnn.fake_quant_grad lqnet activation %ady, %a basis(%basis : tensor<2xf32>) {bits = 2, half_range}
      : tensor<?x8x4x4xf32>
  return
}

// CHECK-LABEL: func.func @lqnet_basis_update
func.func @lqnet_basis_update(%w: tensor<16x8x3x3xf32>, %wv: tensor<16x2xf32>,
                              %gv: tensor<4x3xf32>, %a: tensor<?x8x4x4xf32>,
                              %av: tensor<2xf32>) {
  // CHECK: %{{.*}} = qnn.lqnet_basis_update weight %{{.*}}, %{{.*}} {axis = 0 : i64, bits = 2 : i64} : tensor<16x8x3x3xf32>, tensor<16x2xf32>
  // CHECK-NEXT: %{{.*}} = qnn.lqnet_basis_update weight %{{.*}}, %{{.*}} {axis = 0 : i64, bits = 3 : i64, groups = 4 : i64, momentum = 5.000000e-01 : f64} : tensor<16x8x3x3xf32>, tensor<4x3xf32>
  // CHECK-NEXT: %{{.*}} = qnn.lqnet_basis_update activation %{{.*}}, %{{.*}} {bits = 2 : i64, half_range} : tensor<?x8x4x4xf32>, tensor<2xf32>
  %0 = qnn.lqnet_basis_update weight %w, %wv {axis = 0, bits = 2} : tensor<16x8x3x3xf32>, tensor<16x2xf32>
  %1 = qnn.lqnet_basis_update weight %w, %gv {axis = 0, bits = 3, groups = 4, momentum = 0.5 : f64} : tensor<16x8x3x3xf32>, tensor<4x3xf32>
  %2 = qnn.lqnet_basis_update activation %a, %av {bits = 2, half_range} : tensor<?x8x4x4xf32>, tensor<2xf32>
  return
}

// CHECK-LABEL: func.func @losses
func.func @losses(%logits: tensor<?x10xf32>, %labels: tensor<?xi32>, %t: tensor<?x10xf32>) -> (tensor<f32>, tensor<f32>) {
  // CHECK: %{{.*}}, %{{.*}} = qnn.softmax_cross_entropy %{{.*}}, %{{.*}} : tensor<?x10xf32>, tensor<?xi32>
  // CHECK-NEXT: %{{.*}}, %{{.*}} = qnn.mse_loss %{{.*}}, %{{.*}} : tensor<?x10xf32>
  %loss, %dlogits = qnn.softmax_cross_entropy %logits, %labels : tensor<?x10xf32>, tensor<?xi32>
  %mse, %da = qnn.mse_loss %logits, %t : tensor<?x10xf32>
  return %loss, %mse : tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @detection_losses
func.func @detection_losses(%cls: tensor<?x10x12x12xf32>, %classes: tensor<?x12x12xi32>, %box: tensor<?x4x12x12xf32>, %box_t: tensor<?x4x12x12xf32>, %ctr: tensor<?x1x12x12xf32>, %ctr_t: tensor<?x1x12x12xf32>, %pos: tensor<?x1x12x12xf32>, %npos: tensor<f32>, %ctr_sum: tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) {
  // CHECK: %{{.*}}, %{{.*}} = qnn.sigmoid_focal_loss %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x10x12x12xf32>, tensor<?x12x12xi32>
  // CHECK-NEXT: %{{.*}}, %{{.*}} = qnn.sigmoid_focal_loss %{{.*}}, %{{.*}}, %{{.*}} {alpha = -1.000000e+00 : f64, gamma = 0.000000e+00 : f64} : tensor<?x10x12x12xf32>, tensor<?x12x12xi32>
  // CHECK-NEXT: %{{.*}}, %{{.*}} = qnn.giou_loss %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x4x12x12xf32>, tensor<?x1x12x12xf32>
  // CHECK-NEXT: %{{.*}}, %{{.*}} = qnn.bce_with_logits_loss %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x1x12x12xf32>
  %focal, %dcls = qnn.sigmoid_focal_loss %cls, %classes, %npos : tensor<?x10x12x12xf32>, tensor<?x12x12xi32>
  %ce, %dcls2 = qnn.sigmoid_focal_loss %cls, %classes, %npos {alpha = -1.0, gamma = 0.0} : tensor<?x10x12x12xf32>, tensor<?x12x12xi32>
  %giou, %dbox = qnn.giou_loss %box, %box_t, %ctr_t, %ctr_sum : tensor<?x4x12x12xf32>, tensor<?x1x12x12xf32>
  %bce, %dctr = qnn.bce_with_logits_loss %ctr, %ctr_t, %pos, %npos : tensor<?x1x12x12xf32>
  return %focal, %ce, %giou, %bce : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @adaround_regularizer
func.func @adaround_regularizer(%v: tensor<16x8x3x3xf32>, %beta: tensor<f32>, %lambda: tensor<f32>) -> tensor<f32> {
  // CHECK: %{{.*}}, %{{.*}} = qnn.adaround_regularizer %{{.*}}, %{{.*}}, %{{.*}} : tensor<16x8x3x3xf32>
  %reg, %dv = qnn.adaround_regularizer %v, %beta, %lambda : tensor<16x8x3x3xf32>
  return %reg : tensor<f32>
}

// CHECK-LABEL: func.func @optimizers
func.func @optimizers(%p: tensor<16x8x3x3xf32>, %g: tensor<16x8x3x3xf32>, %buf: tensor<16x8x3x3xf32>,
                      %v: tensor<16x8x3x3xf32>, %lr: tensor<f32>, %step: tensor<f32>) {
  // CHECK: %{{.*}}, %{{.*}} = qnn.sgd_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {momentum = 9.000000e-01 : f64, nesterov, weight_decay = 5.000000e-05 : f64} : tensor<16x8x3x3xf32>
  // CHECK-NEXT: %{{.*}}, %{{.*}}, %{{.*}} = qnn.adam_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<16x8x3x3xf32>
  %p1, %buf1 = qnn.sgd_update %p, %g, %buf, %lr {momentum = 0.9 : f64, nesterov, weight_decay = 5.0e-5 : f64}
      : tensor<16x8x3x3xf32>
  %p2, %m2, %v2 = qnn.adam_update %p, %g, %buf, %v, %lr, %step {beta1 = 0.9 : f64, weight_decay = 0.0 : f64}
      : tensor<16x8x3x3xf32>
  return
}

// CHECK-LABEL: func.func @data_parallel
func.func @data_parallel(%g: tensor<16x8x3x3xf32>) -> tensor<16x8x3x3xf32> {
  // CHECK: %{{.*}} = qnn.all_reduce %{{.*}} : tensor<16x8x3x3xf32>
  %r = qnn.all_reduce %g : tensor<16x8x3x3xf32>
  return %r : tensor<16x8x3x3xf32>
}

// CHECK-LABEL: func.func @group_norm_grad
func.func @group_norm_grad(%dy: tensor<?x32x12x12xf32>, %x: tensor<?x32x12x12xf32>, %g: tensor<32xf32>) -> (tensor<?x32x12x12xf32>, tensor<32xf32>, tensor<32xf32>) {
  // CHECK: %{{.*}}, %{{.*}}, %{{.*}} = qnn.group_norm_grad %{{.*}}, %{{.*}}, %{{.*}} {num_groups = 8 : i64} : tensor<?x32x12x12xf32>, tensor<32xf32>
  // CHECK-NEXT: %{{.*}}, %{{.*}}, %{{.*}} = qnn.group_norm_grad %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64, num_groups = 32 : i64} : tensor<?x32x12x12xf32>, tensor<32xf32>
  %dx, %dg, %db = qnn.group_norm_grad %dy, %x, %g {num_groups = 8 : i64} : tensor<?x32x12x12xf32>, tensor<32xf32>
  %i:3 = qnn.group_norm_grad %dy, %x, %g {num_groups = 32 : i64, epsilon = 1.0e-3 : f64} : tensor<?x32x12x12xf32>, tensor<32xf32>
  return %dx, %dg, %i#2 : tensor<?x32x12x12xf32>, tensor<32xf32>, tensor<32xf32>
}
