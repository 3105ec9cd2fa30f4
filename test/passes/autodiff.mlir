// RUN: qopt %s -split-input-file -qnn-autodiff | FileCheck %s

// conv2d + batch_norm_train + relu: gradients for the weight, the bias and
// BN's scale and shift; none for the running statistics (bn_stat) or the
// input. The loss op's own gradient seeds the backward.
ml_program.global private mutable @conv.weight(dense<0.1> : tensor<4x3x3x3xf32>) : tensor<4x3x3x3xf32> {qnn.kind = "weight", qnn.layer = "conv"}
ml_program.global private mutable @conv.bias(dense<0.0> : tensor<4xf32>) : tensor<4xf32> {qnn.kind = "bias", qnn.layer = "conv"}
ml_program.global private mutable @bn.weight(dense<1.0> : tensor<4xf32>) : tensor<4xf32> {qnn.kind = "bn_weight", qnn.layer = "bn"}
ml_program.global private mutable @bn.bias(dense<0.0> : tensor<4xf32>) : tensor<4xf32> {qnn.kind = "bn_bias", qnn.layer = "bn"}
ml_program.global private mutable @bn.running_mean(dense<0.0> : tensor<4xf32>) : tensor<4xf32> {qnn.kind = "bn_stat", qnn.layer = "bn"}
ml_program.global private mutable @bn.running_var(dense<1.0> : tensor<4xf32>) : tensor<4xf32> {qnn.kind = "bn_stat", qnn.layer = "bn"}

// CHECK-LABEL: func.func @conv_bn_relu
// CHECK-SAME: -> (tensor<f32>, tensor<4x3x3x3xf32> {qnn.grad_of = @conv.weight}, tensor<4xf32> {qnn.grad_of = @conv.bias}, tensor<4xf32> {qnn.grad_of = @bn.weight}, tensor<4xf32> {qnn.grad_of = @bn.bias})
// CHECK-NOT: qnn.loss
func.func @conv_bn_relu(%x: tensor<2x3x8x8xf32>, %t: tensor<2x4x8x8xf32>) -> tensor<f32> attributes {qnn.loss} {
  %w = ml_program.global_load @conv.weight : tensor<4x3x3x3xf32>
  %cb = ml_program.global_load @conv.bias : tensor<4xf32>
  %g = ml_program.global_load @bn.weight : tensor<4xf32>
  %b = ml_program.global_load @bn.bias : tensor<4xf32>
  %m = ml_program.global_load @bn.running_mean : tensor<4xf32>
  %v = ml_program.global_load @bn.running_var : tensor<4xf32>
  // CHECK: %[[CONV:.*]] = qnn.conv2d %[[X:[^,]*]],
  %c = qnn.conv2d %x, %w, %cb {pads = array<i64: 1, 1, 1, 1>} : (tensor<2x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<2x4x8x8xf32>
  // CHECK: %[[Y:.*]], %[[MEAN:.*]], %[[INVSTD:.*]], %[[RM:.*]], %[[RV:.*]] = qnn.batch_norm_train %[[CONV]], %[[G:[^,]*]],
  %y, %mean, %invstd, %rm, %rv = qnn.batch_norm_train %c, %g, %b, %m, %v : tensor<2x4x8x8xf32>, tensor<4xf32>
  // CHECK: %[[R:.*]] = qnn.relu %[[Y]]
  %r = qnn.relu %y : tensor<2x4x8x8xf32>
  // CHECK: %[[LOSS:.*]], %[[DR:.*]] = qnn.mse_loss %[[R]]
  %loss, %d = qnn.mse_loss %r, %t : tensor<2x4x8x8xf32>
  ml_program.global_store @bn.running_mean = %rm : tensor<4xf32>
  ml_program.global_store @bn.running_var = %rv : tensor<4xf32>
  // CHECK-NOT: arith.constant
  // CHECK: %[[DY:.*]] = qnn.relu_grad %[[DR]], %[[R]] : tensor<2x4x8x8xf32>
  // CHECK: %[[DC:.*]], %[[DG:.*]], %[[DB:.*]] = qnn.batch_norm_grad %[[DY]], %[[CONV]], %[[G]], %[[MEAN]], %[[INVSTD]] : tensor<2x4x8x8xf32>, tensor<4xf32>
  // CHECK-NOT: conv2d_grad_input
  // CHECK: %[[DW:.*]] = qnn.conv2d_grad_weight %[[DC]], %[[X]] {pads = array<i64: 1, 1, 1, 1>} : (tensor<2x4x8x8xf32>, tensor<2x3x8x8xf32>) -> tensor<4x3x3x3xf32>
  // CHECK: %[[DCB:.*]] = qnn.bias_grad %[[DC]] : (tensor<2x4x8x8xf32>) -> tensor<4xf32>
  // CHECK: return %[[LOSS]], %[[DW]], %[[DCB]], %[[DG]], %[[DB]]
  return %loss : tensor<f32>
}

// -----

// linear after flatten, softmax cross-entropy; the first layer also needs
// the gradient of its input.
ml_program.global private mutable @fc1.weight(dense<0.1> : tensor<16x32xf32>) : tensor<16x32xf32> {qnn.kind = "weight"}
ml_program.global private mutable @fc2.weight(dense<0.1> : tensor<10x16xf32>) : tensor<10x16xf32> {qnn.kind = "weight"}
ml_program.global private mutable @fc2.bias(dense<0.0> : tensor<10xf32>) : tensor<10xf32> {qnn.kind = "bias"}

// CHECK-LABEL: func.func @linear
// CHECK-SAME: -> (tensor<f32>, tensor<16x32xf32> {qnn.grad_of = @fc1.weight}, tensor<10x16xf32> {qnn.grad_of = @fc2.weight}, tensor<10xf32> {qnn.grad_of = @fc2.bias})
func.func @linear(%x: tensor<?x2x4x4xf32>, %labels: tensor<?xi32>) -> tensor<f32> attributes {qnn.loss} {
  %w1 = ml_program.global_load @fc1.weight : tensor<16x32xf32>
  %w2 = ml_program.global_load @fc2.weight : tensor<10x16xf32>
  %b2 = ml_program.global_load @fc2.bias : tensor<10xf32>
  // CHECK: %[[F:.*]] = qnn.flatten
  %f = qnn.flatten %x : (tensor<?x2x4x4xf32>) -> tensor<?x32xf32>
  // CHECK: %[[H:.*]] = qnn.linear %[[F]], %[[W1:[^ ]*]] :
  %h = qnn.linear %f, %w1 : (tensor<?x32xf32>, tensor<16x32xf32>) -> tensor<?x16xf32>
  // CHECK: %[[Y:.*]] = qnn.linear %[[H]], %[[W2:[^,]*]],
  %y = qnn.linear %h, %w2, %b2 : (tensor<?x16xf32>, tensor<10x16xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  // CHECK: %[[LOSS:.*]], %[[DY:.*]] = qnn.softmax_cross_entropy %[[Y]]
  %loss, %dy = qnn.softmax_cross_entropy %y, %labels : tensor<?x10xf32>, tensor<?xi32>
  // CHECK: %[[DH:.*]] = qnn.linear_grad_input %[[DY]], %[[W2]] : (tensor<?x10xf32>, tensor<10x16xf32>) -> tensor<?x16xf32>
  // CHECK: %[[DW2:.*]] = qnn.linear_grad_weight %[[DY]], %[[H]] : (tensor<?x10xf32>, tensor<?x16xf32>) -> tensor<10x16xf32>
  // CHECK: %[[DB2:.*]] = qnn.bias_grad %[[DY]] : (tensor<?x10xf32>) -> tensor<10xf32>
  // CHECK-NOT: qnn.linear_grad_input
  // CHECK: %[[DW1:.*]] = qnn.linear_grad_weight %[[DH]], %[[F]] : (tensor<?x16xf32>, tensor<?x32xf32>) -> tensor<16x32xf32>
  // CHECK-NOT: qnn.reshape
  // CHECK: return %[[LOSS]], %[[DW1]], %[[DW2]], %[[DB2]]
  return %loss : tensor<f32>
}

// -----

// Pools, pad and flatten between two trainable layers: every backward op
// gets the forward's attributes and input type.
ml_program.global private mutable @conv.weight(dense<0.1> : tensor<4x4x1x1xf32>) : tensor<4x4x1x1xf32> {qnn.kind = "weight"}
ml_program.global private mutable @fc.weight(dense<0.1> : tensor<10x4xf32>) : tensor<10x4xf32> {qnn.kind = "weight"}

// CHECK-LABEL: func.func @pools
func.func @pools(%x: tensor<?x4x8x8xf32>, %labels: tensor<?xi32>) -> tensor<f32> attributes {qnn.loss} {
  %w = ml_program.global_load @conv.weight : tensor<4x4x1x1xf32>
  %fw = ml_program.global_load @fc.weight : tensor<10x4xf32>
  // CHECK: %[[C:.*]] = qnn.conv2d
  %c = qnn.conv2d %x, %w : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  // CHECK: %[[MP:.*]] = qnn.max_pool %[[C]]
  %mp = qnn.max_pool %c {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x4x4xf32>
  // CHECK: %[[P:.*]] = qnn.pad %[[MP]]
  %p = qnn.pad %mp {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<?x4x4x4xf32>) -> tensor<?x4x6x6xf32>
  %ap = qnn.avg_pool %p {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, count_include_pad} : (tensor<?x4x6x6xf32>) -> tensor<?x4x4x4xf32>
  %gp = qnn.global_avg_pool %ap : (tensor<?x4x4x4xf32>) -> tensor<?x4x1x1xf32>
  %f = qnn.reshape %gp : (tensor<?x4x1x1xf32>) -> tensor<?x4xf32>
  %y = qnn.linear %f, %fw : (tensor<?x4xf32>, tensor<10x4xf32>) -> tensor<?x10xf32>
  %loss, %dy = qnn.softmax_cross_entropy %y, %labels : tensor<?x10xf32>, tensor<?xi32>
  // CHECK: %[[DF:.*]] = qnn.linear_grad_input
  // CHECK: %[[DGP:.*]] = qnn.reshape %[[DF]] : (tensor<?x4xf32>) -> tensor<?x4x1x1xf32>
  // CHECK: %[[DAP:.*]] = qnn.global_avg_pool_grad %[[DGP]] : (tensor<?x4x1x1xf32>) -> tensor<?x4x4x4xf32>
  // CHECK: %[[DP:.*]] = qnn.avg_pool_grad %[[DAP]] {count_include_pad, kernel = array<i64: 3, 3>} : (tensor<?x4x4x4xf32>) -> tensor<?x4x6x6xf32>
  // CHECK: %[[DMP:.*]] = qnn.pad_grad %[[DP]] {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<?x4x6x6xf32>) -> tensor<?x4x4x4xf32>
  // CHECK: %[[DC:.*]] = qnn.max_pool_grad %[[DMP]], %[[C]] {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x4x4x4xf32>, tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  // CHECK: qnn.conv2d_grad_weight %[[DC]]
  return %loss : tensor<f32>
}

// -----

// A residual block: %h is used by the relu and by the add, so its two
// gradients are summed; the weight is loaded twice (tied), so its two
// gradients are summed too. A per-channel scale broadcasts and its
// gradient is reduced back.
ml_program.global private mutable @conv.weight(dense<0.1> : tensor<4x4x1x1xf32>) : tensor<4x4x1x1xf32> {qnn.kind = "weight"}
ml_program.global private mutable @scale(dense<1.0> : tensor<1x4x1x1xf32>) : tensor<1x4x1x1xf32>

// CHECK-LABEL: func.func @residual
// CHECK-SAME: -> (tensor<f32>, tensor<4x4x1x1xf32> {qnn.grad_of = @conv.weight}, tensor<1x4x1x1xf32> {qnn.grad_of = @scale})
func.func @residual(%x: tensor<2x4x4x4xf32>, %t: tensor<2x4x4x4xf32>) -> tensor<f32> attributes {qnn.loss} {
  %w = ml_program.global_load @conv.weight : tensor<4x4x1x1xf32>
  %s = ml_program.global_load @scale : tensor<1x4x1x1xf32>
  %w2 = ml_program.global_load @conv.weight : tensor<4x4x1x1xf32>
  // CHECK: %[[H:.*]] = qnn.conv2d %{{.*}}, %[[W:[^ ]*]] :
  %h = qnn.conv2d %x, %w : (tensor<2x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<2x4x4x4xf32>
  // CHECK: %[[R:.*]] = qnn.relu %[[H]]
  %r = qnn.relu %h : tensor<2x4x4x4xf32>
  // CHECK: %[[SUM:.*]] = qnn.add %[[H]], %[[R]]
  %sum = qnn.add %h, %r : (tensor<2x4x4x4xf32>, tensor<2x4x4x4xf32>) -> tensor<2x4x4x4xf32>
  // CHECK: %[[SC:.*]] = qnn.mul %[[SUM]], %[[S:[^ ]*]] :
  %sc = qnn.mul %sum, %s : (tensor<2x4x4x4xf32>, tensor<1x4x1x1xf32>) -> tensor<2x4x4x4xf32>
  // CHECK: %[[Z:.*]] = qnn.conv2d %[[SC]], %[[W2:[^ ]*]] :
  %z = qnn.conv2d %sc, %w2 : (tensor<2x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<2x4x4x4xf32>
  %loss, %dz = qnn.mse_loss %z, %t : tensor<2x4x4x4xf32>
  // CHECK: %[[DSC:.*]] = qnn.conv2d_grad_input %[[DZ:[^,]*]], %[[W2]]
  // CHECK: %[[DW2:.*]] = qnn.conv2d_grad_weight %[[DZ]], %[[SC]]
  // CHECK: %[[M1:.*]] = qnn.mul %[[DSC]], %[[S]]
  // CHECK: %[[M2:.*]] = qnn.mul %[[DSC]], %[[SUM]]
  // CHECK: %[[DS:.*]] = qnn.reduce_to %[[M2]] : (tensor<2x4x4x4xf32>) -> tensor<1x4x1x1xf32>
  // CHECK: %[[DR:.*]] = qnn.relu_grad %[[M1]], %[[R]]
  // CHECK: %[[DH:.*]] = qnn.add %[[M1]], %[[DR]]
  // CHECK: %[[DW:.*]] = qnn.conv2d_grad_weight %[[DH]],
  // CHECK: %[[DWSUM:.*]] = qnn.add %[[DW]], %[[DW2]]
  // CHECK: return %{{.*}}, %[[DWSUM]], %[[DS]]
  return %loss : tensor<f32>
}

// -----

// Fake-quantized layer: LSQ weights (gradient for the step size, scaled by
// grad_scale) and PACT activations (gradient for the clip value). The
// uniform quantizer's calibrated scale is not learned: no gradient.
ml_program.global private mutable @conv.weight(dense<0.1> : tensor<4x4x3x3xf32>) : tensor<4x4x3x3xf32> {qnn.kind = "weight"}
ml_program.global private mutable @fq0.scale(dense<0.05> : tensor<4xf32>) : tensor<4xf32> {qnn.kind = "quant_param"}
ml_program.global private mutable @fq1.clip(dense<6.0> : tensor<f32>) : tensor<f32> {qnn.kind = "quant_param"}

// CHECK-LABEL: func.func @fake_quant
// CHECK-SAME: -> (tensor<f32>, tensor<4x4x3x3xf32> {qnn.grad_of = @conv.weight}, tensor<4xf32> {qnn.grad_of = @fq0.scale}, tensor<f32> {qnn.grad_of = @fq1.clip})
func.func @fake_quant(%x: tensor<2x4x6x6xf32>, %t: tensor<2x4x4x4xf32>) -> tensor<f32> attributes {qnn.loss} {
  %w = ml_program.global_load @conv.weight : tensor<4x4x3x3xf32>
  %s = ml_program.global_load @fq0.scale : tensor<4xf32>
  %alpha = ml_program.global_load @fq1.clip : tensor<f32>
  %us = arith.constant dense<0.1> : tensor<f32>
  %uz = arith.constant dense<0.0> : tensor<f32>
  // CHECK: %[[XQ:.*]] = qnn.fake_quant pact activation %[[X:[^ ]*]] clip(%[[ALPHA:[^ ]*]] : tensor<f32>)
  %xq = qnn.fake_quant pact activation %x clip(%alpha : tensor<f32>) {bits = 4, half_range} : tensor<2x4x6x6xf32>
  // CHECK: %[[WQ:.*]] = qnn.fake_quant lsq weight %[[W:[^ ]*]] scale(%[[S:[^ ]*]] : tensor<4xf32>)
  %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<4xf32>) grad_scale fan_scale {axis = 0, bits = 4} : tensor<4x4x3x3xf32>
  // CHECK: %[[C:.*]] = qnn.conv2d %[[XQ]], %[[WQ]]
  %c = qnn.conv2d %xq, %wq : (tensor<2x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<2x4x4x4xf32>
  // CHECK: %[[CQ:.*]] = qnn.fake_quant uniform
  %cq = qnn.fake_quant uniform activation %c scale(%us : tensor<f32>) zero_point(%uz : tensor<f32>) {bits = 8} : tensor<2x4x4x4xf32>
  %loss, %d = qnn.mse_loss %cq, %t : tensor<2x4x4x4xf32>
  // CHECK: %[[DC:.*]] = qnn.fake_quant_grad uniform activation %{{.*}}, %[[C]] scale({{.*}}) zero_point({{.*}}) {bits = 8 : i64} : tensor<2x4x4x4xf32>
  // CHECK: %[[DXQ:.*]] = qnn.conv2d_grad_input %[[DC]], %[[WQ]]
  // CHECK: %[[DWQ:.*]] = qnn.conv2d_grad_weight %[[DC]], %[[XQ]]
  // CHECK: %[[DW:.*]], %[[DS:.*]] = qnn.fake_quant_grad lsq weight %[[DWQ]], %[[W]] scale(%[[S]] : tensor<4xf32>) grad_scale fan_scale {axis = 0 : i64, bits = 4 : i64} : tensor<4x4x3x3xf32>
  // CHECK: %{{.*}}, %[[DALPHA:.*]] = qnn.fake_quant_grad pact activation %[[DXQ]], %[[X]] clip(%[[ALPHA]] : tensor<f32>) {bits = 4 : i64, half_range} : tensor<2x4x6x6xf32>
  // CHECK: return %{{.*}}, %[[DW]], %[[DS]], %[[DALPHA]]
  return %loss : tensor<f32>
}

// -----

// concat backward slices the gradient; sub negates the subtrahend's
// gradient; transpose applies the inverse permutation; a global the loss
// does not depend on gets zeros; an immutable global is not trained.
ml_program.global private mutable @a(dense<1.0> : tensor<2x3xf32>) : tensor<2x3xf32>
ml_program.global private mutable @b(dense<1.0> : tensor<2x5xf32>) : tensor<2x5xf32>
ml_program.global private mutable @unused(dense<1.0> : tensor<3xf32>) : tensor<3xf32>
ml_program.global private @frozen(dense<1.0> : tensor<8x2xf32>) : tensor<8x2xf32>

// CHECK-LABEL: func.func @data_movement
// CHECK-SAME: -> (tensor<f32>, tensor<2x3xf32> {qnn.grad_of = @a}, tensor<2x5xf32> {qnn.grad_of = @b}, tensor<3xf32> {qnn.grad_of = @unused})
func.func @data_movement(%t: tensor<8x2xf32>) -> tensor<f32> attributes {qnn.loss} {
  %a = ml_program.global_load @a : tensor<2x3xf32>
  %b = ml_program.global_load @b : tensor<2x5xf32>
  %u = ml_program.global_load @unused : tensor<3xf32>
  %f = ml_program.global_load @frozen : tensor<8x2xf32>
  // CHECK: %[[CAT:.*]] = qnn.concat
  %cat = qnn.concat %a, %b {axis = 1} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  %tr = qnn.transpose %cat {perm = array<i64: 1, 0>} : (tensor<2x8xf32>) -> tensor<8x2xf32>
  %d = qnn.sub %f, %tr : (tensor<8x2xf32>, tensor<8x2xf32>) -> tensor<8x2xf32>
  %loss, %dd = qnn.mse_loss %d, %t : tensor<8x2xf32>
  // CHECK: %[[M1:.*]] = arith.constant dense<-1.000000e+00> : tensor<f32>
  // CHECK: %[[NEG:.*]] = qnn.mul %{{.*}}, %[[M1]] : (tensor<8x2xf32>, tensor<f32>) -> tensor<8x2xf32>
  // CHECK: %[[DCAT:.*]] = qnn.transpose %[[NEG]] {perm = array<i64: 1, 0>} : (tensor<8x2xf32>) -> tensor<2x8xf32>
  // CHECK: %[[DA:.*]] = qnn.slice %[[DCAT]] {axis = 1 : i64, start = 0 : i64} : (tensor<2x8xf32>) -> tensor<2x3xf32>
  // CHECK: %[[DB:.*]] = qnn.slice %[[DCAT]] {axis = 1 : i64, start = 3 : i64} : (tensor<2x8xf32>) -> tensor<2x5xf32>
  // CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<3xf32>
  // CHECK: return %{{.*}}, %[[DA]], %[[DB]], %[[ZERO]]
  return %loss : tensor<f32>
}

// -----

// prelu: dx = dy where x > 0, slope * dy elsewhere (the slope reshaped to
// broadcast along the channels); the slope's gradient is dy * min(x, 0)
// summed to [1, C, 1, 1] and reshaped to [C]. Checked numerically in
// autodiff-gradcheck.test.
ml_program.global private mutable @act.weight(dense<0.25> : tensor<4xf32>) : tensor<4xf32> {qnn.kind = "weight", qnn.layer = "act"}

// CHECK-LABEL: func.func @prelu
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8x8xf32>, %{{.*}}: tensor<2x4x8x8xf32>) -> (tensor<f32>, tensor<4xf32> {qnn.grad_of = @act.weight})
func.func @prelu(%x: tensor<2x4x8x8xf32>, %t: tensor<2x4x8x8xf32>) -> tensor<f32> attributes {qnn.loss} {
  %a = ml_program.global_load @act.weight : tensor<4xf32>
  %y = qnn.prelu %x, %a : tensor<2x4x8x8xf32>, tensor<4xf32>
  // CHECK: %[[LOSS:.*]], %[[DY:.*]] = qnn.mse_loss
  %loss, %d = qnn.mse_loss %y, %t : tensor<2x4x8x8xf32>
  // CHECK: %[[POS:.*]] = qnn.relu %[[X]]
  // CHECK: %[[NEG:.*]] = qnn.sub %[[X]], %[[POS]]
  // CHECK: %[[G:.*]] = qnn.mul %[[DY]], %[[NEG]]
  // CHECK: %[[SUM:.*]] = qnn.reduce_to %[[G]] : (tensor<2x4x8x8xf32>) -> tensor<1x4x1x1xf32>
  // CHECK: %[[DA:.*]] = qnn.reshape %[[SUM]] : (tensor<1x4x1x1xf32>) -> tensor<4xf32>
  // CHECK: return %[[LOSS]], %[[DA]]
  return %loss : tensor<f32>
}

// -----

// conv2d + group_norm + relu (an FCOS-GN head): one qnn.group_norm_grad
// gives the gradients of the conv's output and of the norm's scale and
// bias; it takes the forward's num_groups and epsilon and recomputes the
// statistics from the conv's output. Checked numerically in
// autodiff-gradcheck.test.
ml_program.global private mutable @head.weight(dense<0.1> : tensor<8x4x3x3xf32>) : tensor<8x4x3x3xf32> {qnn.kind = "weight", qnn.layer = "head"}
ml_program.global private mutable @gn.weight(dense<1.0> : tensor<8xf32>) : tensor<8xf32> {qnn.kind = "weight", qnn.layer = "gn"}
ml_program.global private mutable @gn.bias(dense<0.0> : tensor<8xf32>) : tensor<8xf32> {qnn.kind = "bias", qnn.layer = "gn"}

// CHECK-LABEL: func.func @conv_gn_relu
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>, %{{.*}}: tensor<?x8x8x8xf32>) -> (tensor<f32>, tensor<8x4x3x3xf32> {qnn.grad_of = @head.weight}, tensor<8xf32> {qnn.grad_of = @gn.weight}, tensor<8xf32> {qnn.grad_of = @gn.bias})
func.func @conv_gn_relu(%x: tensor<?x4x8x8xf32>, %t: tensor<?x8x8x8xf32>) -> tensor<f32> attributes {qnn.loss} {
  %w = ml_program.global_load @head.weight : tensor<8x4x3x3xf32>
  %g = ml_program.global_load @gn.weight : tensor<8xf32>
  %b = ml_program.global_load @gn.bias : tensor<8xf32>
  // CHECK: %[[CONV:.*]] = qnn.conv2d %[[X]], %[[W:[^ ]*]]
  %c = qnn.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x8x8xf32>
  // CHECK: %[[Y:.*]] = qnn.group_norm %[[CONV]], %[[G:[^,]*]], %{{[^ ]*}} {epsilon = 1.000000e-03 : f64, num_groups = 2 : i64}
  %y = qnn.group_norm %c, %g, %b {num_groups = 2 : i64, epsilon = 1.0e-3 : f64} : tensor<?x8x8x8xf32>, tensor<8xf32>
  // CHECK: %[[R:.*]] = qnn.relu %[[Y]]
  %r = qnn.relu %y : tensor<?x8x8x8xf32>
  // CHECK: %[[LOSS:.*]], %[[DR:.*]] = qnn.mse_loss %[[R]]
  %loss, %d = qnn.mse_loss %r, %t : tensor<?x8x8x8xf32>
  // CHECK: %[[DY:.*]] = qnn.relu_grad %[[DR]], %[[R]] : tensor<?x8x8x8xf32>
  // CHECK: %[[DC:.*]], %[[DG:.*]], %[[DB:.*]] = qnn.group_norm_grad %[[DY]], %[[CONV]], %[[G]] {epsilon = 1.000000e-03 : f64, num_groups = 2 : i64} : tensor<?x8x8x8xf32>, tensor<8xf32>
  // CHECK-NOT: conv2d_grad_input
  // CHECK: %[[DW:.*]] = qnn.conv2d_grad_weight %[[DC]], %[[X]]
  // CHECK: return %[[LOSS]], %[[DW]], %[[DG]], %[[DB]]
  return %loss : tensor<f32>
}
