// RUN: qopt %s -split-input-file -verify-diagnostics -qnn-wrap-mode=mode=qat | FileCheck %s
// RUN: qopt %s -split-input-file -verify-diagnostics -qnn-wrap-mode=mode=qat -qnn-freeze-globals -qnn-wrap-mode=mode=test | FileCheck %s --check-prefix=FROZEN

// LQ-Nets: each lqnet quantizer's basis becomes a global of kind
// quant_stat (state, not trained by the optimizer), even when two
// quantizers start from the same constant. @train_step refits it by the
// QEM step (qnn.lqnet_basis_update) on the quantizer's input, after the
// fake_quant that reads the loaded basis, and stores the result; no
// optimizer update, momentum buffer or gradient exists for it.
// CHECK-DAG: ml_program.global private mutable @fc.wt.basis(dense<[1.000000e-01, 2.000000e-01]> : tensor<2xf32>) : tensor<2xf32> {qnn.kind = "quant_stat", qnn.layer = "fc.wt"}
// CHECK-DAG: ml_program.global private mutable @fc.fm.basis(dense<[1.000000e-01, 2.000000e-01]> : tensor<2xf32>) : tensor<2xf32> {qnn.kind = "quant_stat", qnn.layer = "fc.fm"}
// CHECK-DAG: ml_program.global private mutable @conv.wt.basis(dense<{{.*}}> : tensor<2x2xf32>) : tensor<2x2xf32> {qnn.kind = "quant_stat", qnn.layer = "conv.wt"}
// CHECK-NOT: basis.momentum_buffer

// @main evaluates with the current basis and does not change it.
// CHECK-LABEL: func.func @main
// CHECK-NOT: lqnet_basis_update
// CHECK-NOT: global_store
// CHECK: return

// CHECK-LABEL: func.func @train_step
// CHECK-DAG: %[[CV:.*]] = ml_program.global_load @conv.wt.basis : tensor<2x2xf32>
// CHECK-DAG: %[[CW:.*]] = ml_program.global_load @conv.weight : tensor<2x1x3x3xf32>
// CHECK-DAG: %[[AV:.*]] = ml_program.global_load @fc.fm.basis : tensor<2xf32>
// CHECK-DAG: %[[WV:.*]] = ml_program.global_load @fc.wt.basis : tensor<2xf32>
// CHECK: qnn.fake_quant lqnet weight %[[CW]] basis(%[[CV]] : tensor<2x2xf32>) {axis = 0 : i64, bits = 2 : i64}
// CHECK: %[[NCV:.*]] = qnn.lqnet_basis_update weight %[[CW]], %[[CV]] {axis = 0 : i64, bits = 2 : i64} : tensor<2x1x3x3xf32>, tensor<2x2xf32>
// CHECK: %[[R:.*]] = qnn.relu
// CHECK: qnn.fake_quant lqnet activation %[[FLAT:.*]] basis(%[[AV]] : tensor<2xf32>) {bits = 2 : i64, half_range}
// CHECK: %[[NAV:.*]] = qnn.lqnet_basis_update activation %[[FLAT]], %[[AV]] {bits = 2 : i64, half_range} : tensor<?x8xf32>, tensor<2xf32>
// CHECK: %[[NWV:.*]] = qnn.lqnet_basis_update weight %{{.*}}, %[[WV]] {bits = 2 : i64} : tensor<10x8xf32>, tensor<2xf32>
// CHECK: qnn.softmax_cross_entropy
// LQ-Nets passes the gradient straight through and has none for its basis.
// CHECK: %[[DX:.*]] = qnn.fake_quant_grad lqnet activation %{{.*}}, %[[FLAT]] basis(%[[AV]] : tensor<2xf32>)
// CHECK-NOT: sgd_update %[[CV]]
// CHECK-NOT: sgd_update %[[AV]]
// CHECK-NOT: sgd_update %[[WV]]
// CHECK-DAG: ml_program.global_store @conv.wt.basis = %[[NCV]] : tensor<2x2xf32>
// CHECK-DAG: ml_program.global_store @fc.fm.basis = %[[NAV]] : tensor<2xf32>
// CHECK-DAG: ml_program.global_store @fc.wt.basis = %[[NWV]] : tensor<2xf32>
// CHECK: return

// Freezing turns the bases back into constants for test mode.
// FROZEN-LABEL: func.func @main
// FROZEN-NOT: ml_program
// FROZEN: qnn.fake_quant lqnet weight %{{.*}} basis(%{{.*}} : tensor<2x2xf32>)
// FROZEN-NOT: lqnet_basis_update
module {
  func.func @main(%x: tensor<?x1x4x4xf32>) -> tensor<?x10xf32> {
    %w = arith.constant dense<0.1> : tensor<2x1x3x3xf32>
    %cv = arith.constant dense<[[0.1, 0.2], [0.3, 0.6]]> : tensor<2x2xf32>
    %v = arith.constant dense<[0.1, 0.2]> : tensor<2xf32>
    %fw = arith.constant dense<0.05> : tensor<10x8xf32>
    %wq = qnn.fake_quant lqnet weight %w basis(%cv : tensor<2x2xf32>) {axis = 0, bits = 2} : tensor<2x1x3x3xf32> loc("conv.wt")
    %y = qnn.conv2d %x, %wq : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x2x2xf32> loc("conv")
    %r = qnn.relu %y : tensor<?x2x2x2xf32>
    %f = qnn.flatten %r {axis = 1} : (tensor<?x2x2x2xf32>) -> tensor<?x8xf32>
    %fq = qnn.fake_quant lqnet activation %f basis(%v : tensor<2xf32>) {bits = 2, half_range} : tensor<?x8xf32> loc("fc.fm")
    %fwq = qnn.fake_quant lqnet weight %fw basis(%v : tensor<2xf32>) {bits = 2} : tensor<10x8xf32> loc("fc.wt")
    %o = qnn.linear %fq, %fwq : (tensor<?x8xf32>, tensor<10x8xf32>) -> tensor<?x10xf32> loc("fc")
    return %o : tensor<?x10xf32>
  }
}

// -----

// Adaptive normalization before an lqnet quantizer has no basis update yet.
module {
  func.func @main(%x: tensor<?x8xf32>) -> tensor<?x10xf32> {
    %w = arith.constant dense<0.05> : tensor<10x8xf32>
    %v = arith.constant dense<[0.1, 0.2]> : tensor<2xf32>
    // expected-error @+1 {{qnn-wrap-mode: the LQ-Nets basis update does not support adaptive normalization yet}}
    %wq = qnn.fake_quant lqnet weight %w basis(%v : tensor<2xf32>) adaptive var_mean {bits = 2} : tensor<10x8xf32>
    %o = qnn.linear %x, %wq : (tensor<?x8xf32>, tensor<10x8xf32>) -> tensor<?x10xf32>
    return %o : tensor<?x10xf32>
  }
}
