// RUN: qopt %s "-qnn-wrap-mode=mode=qat custom-decay-list=clip custom-decay=1e-4 custom-lr-list=fc custom-lr=0.1" | FileCheck %s
// RUN: qopt %s "-qnn-wrap-mode=mode=qat optimizer=adam weight-decay=0.01 decay-small=false" | FileCheck %s --check-prefix=ADAM
// RUN: qopt %s "-qnn-wrap-mode=mode=qat momentum=0 weight-decay=0" | FileCheck %s --check-prefix=PLAIN
// RUN: qopt %s "-qnn-wrap-mode=mode=qat" -qnn-freeze-globals -qnn-wrap-mode=mode=test | FileCheck %s --check-prefix=ROUNDTRIP
// RUN: qopt %S/apply-policy-resnet.mlir -qnn-apply-policy='policy="lsq,fm_bit=4,wt_bit=4,wt_quant_group=C,real_skip"' "-qnn-wrap-mode=mode=qat forward=resnet_block" | FileCheck %s --check-prefix=POLICY

// A policy-annotated classifier: LSQ weights (per channel), PACT
// activations, conv + batch_norm + relu, a linear head.

// State: one mutable global per trained tensor, marked with its kind and
// layer; the running statistics are state that is not trained.
// CHECK-DAG: ml_program.global private mutable @conv1.wt.scale(dense<5.000000e-02> : tensor<4xf32>) : tensor<4xf32> {qnn.kind = "quant_param", qnn.layer = "conv1.wt"}
// CHECK-DAG: ml_program.global private mutable @conv1.weight(dense<1.000000e-01> : tensor<4x3x3x3xf32>) : tensor<4x3x3x3xf32> {qnn.kind = "weight", qnn.layer = "conv1"}
// CHECK-DAG: ml_program.global private mutable @bn1.weight({{.*}}) : tensor<4xf32> {qnn.kind = "bn_weight", qnn.layer = "bn1"}
// CHECK-DAG: ml_program.global private mutable @bn1.bias({{.*}}) : tensor<4xf32> {qnn.kind = "bn_bias", qnn.layer = "bn1"}
// CHECK-DAG: ml_program.global private mutable @bn1.running_mean({{.*}}) : tensor<4xf32> {qnn.kind = "bn_stat", qnn.layer = "bn1"}
// CHECK-DAG: ml_program.global private mutable @bn1.running_var({{.*}}) : tensor<4xf32> {qnn.kind = "bn_stat", qnn.layer = "bn1"}
// CHECK-DAG: ml_program.global private mutable @fq1.clip(dense<6.000000e+00> : tensor<f32>) : tensor<f32> {qnn.kind = "quant_param", qnn.layer = "fq1"}
// CHECK-DAG: ml_program.global private mutable @fc.weight({{.*}}) : tensor<10x4xf32> {qnn.kind = "weight", qnn.layer = "fc"}
// CHECK-DAG: ml_program.global private mutable @fc.bias({{.*}}) : tensor<10xf32> {qnn.kind = "bias", qnn.layer = "fc"}
// CHECK-DAG: ml_program.global private mutable @conv1.weight.momentum_buffer(dense<0.000000e+00> : tensor<4x3x3x3xf32>) : tensor<4x3x3x3xf32> {qnn.kind = "optimizer_state", qnn.layer = "conv1"}
// CHECK-DAG: ml_program.global private mutable @fq1.clip.momentum_buffer(dense<0.000000e+00> : tensor<f32>) : tensor<f32> {qnn.kind = "optimizer_state", qnn.layer = "fq1"}
// CHECK-NOT: momentum_buffer{{.*}}qnn.kind = "bn_stat"
// CHECK-NOT: running_mean.momentum_buffer

// @main is the test-mode forward, reading the globals.
// CHECK-LABEL: func.func @main(%{{.*}}: tensor<?x3x8x8xf32>) -> tensor<?x10xf32>
// CHECK-NOT: arith.constant
// CHECK: %[[MW:.*]] = ml_program.global_load @conv1.weight : tensor<4x3x3x3xf32>
// CHECK: qnn.fake_quant lsq weight %[[MW]] scale(%{{.*}} : tensor<4xf32>)
// CHECK: qnn.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x4x8x8xf32>, tensor<4xf32>
// CHECK-NOT: global_store
// CHECK: return

// The training step: forward with batch statistics, loss, backward,
// optimizer updates, stores.
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x8x8xf32>, %[[LABELS:.*]]: tensor<?xi32>, %[[LR:.*]]: tensor<f32>) -> (tensor<f32>, tensor<?x10xf32>)
// CHECK-DAG: %[[W:.*]] = ml_program.global_load @conv1.weight
// CHECK-DAG: %[[G:.*]] = ml_program.global_load @bn1.weight
// CHECK-DAG: %[[B:.*]] = ml_program.global_load @bn1.bias
// CHECK-DAG: %[[S:.*]] = ml_program.global_load @conv1.wt.scale
// CHECK-DAG: %[[ALPHA:.*]] = ml_program.global_load @fq1.clip
// CHECK-DAG: %[[FW:.*]] = ml_program.global_load @fc.weight
// CHECK-DAG: %[[FB:.*]] = ml_program.global_load @fc.bias
// CHECK: %[[Y:.*]], %[[MEAN:.*]], %[[INVSTD:.*]], %[[NRM:.*]], %[[NRV:.*]] = qnn.batch_norm_train
// CHECK: %[[LOGITS:.*]] = qnn.linear
// CHECK: %[[LOSS:.*]], %[[DLOGITS:.*]] = qnn.softmax_cross_entropy %[[LOGITS]], %[[LABELS]] : tensor<?x10xf32>, tensor<?xi32>
// CHECK: %[[DFW:.*]] = qnn.linear_grad_weight %[[DLOGITS]]
// CHECK: %[[DFB:.*]] = qnn.bias_grad %[[DLOGITS]]
// CHECK: %{{.*}}, %[[DALPHA:.*]] = qnn.fake_quant_grad pact activation
// CHECK: %{{.*}}, %[[DG:.*]], %[[DB:.*]] = qnn.batch_norm_grad
// CHECK: %[[DWQ:.*]] = qnn.conv2d_grad_weight
// CHECK: %[[DW:.*]], %[[DS:.*]] = qnn.fake_quant_grad lsq weight %[[DWQ]], %[[W]] scale(%[[S]] : tensor<4xf32>)
// Weights decay; BN and quantizer parameters do not (decay-small), except
// the PACT clip, which is in custom-decay-list; the head (custom-lr-list)
// learns at lr * 0.1.
// CHECK: %[[WBUF:.*]] = ml_program.global_load @conv1.weight.momentum_buffer
// CHECK: %[[NW:.*]], %[[NWBUF:.*]] = qnn.sgd_update %[[W]], %[[DW]], %[[WBUF]], %[[LR]] {momentum = 9.000000e-01 : f64, weight_decay = 5.000000e-05 : f64} : tensor<4x3x3x3xf32>
// CHECK: %[[NG:.*]], %{{.*}} = qnn.sgd_update %[[G]], %[[DG]], %{{.*}}, %[[LR]] {momentum = 9.000000e-01 : f64} : tensor<4xf32>
// CHECK: %[[NB:.*]], %{{.*}} = qnn.sgd_update %[[B]], %[[DB]], %{{.*}}, %[[LR]] {momentum = 9.000000e-01 : f64} : tensor<4xf32>
// CHECK: %[[NS:.*]], %{{.*}} = qnn.sgd_update %[[S]], %[[DS]], %{{.*}}, %[[LR]] {momentum = 9.000000e-01 : f64} : tensor<4xf32>
// CHECK: %[[NALPHA:.*]], %{{.*}} = qnn.sgd_update %[[ALPHA]], %[[DALPHA]], %{{.*}}, %[[LR]] {momentum = 9.000000e-01 : f64, weight_decay = 1.000000e-04 : f64} : tensor<f32>
// CHECK: %[[TENTH:.*]] = arith.constant dense<1.000000e-01> : tensor<f32>
// CHECK: %[[HEADLR:.*]] = qnn.mul %[[LR]], %[[TENTH]]
// CHECK: %[[NFW:.*]], %{{.*}} = qnn.sgd_update %[[FW]], %[[DFW]], %{{.*}}, %[[HEADLR]] {momentum = 9.000000e-01 : f64, weight_decay = 5.000000e-05 : f64} : tensor<10x4xf32>
// CHECK: %[[NFB:.*]], %{{.*}} = qnn.sgd_update %[[FB]], %[[DFB]], %{{.*}}, %[[HEADLR]]
// CHECK: ml_program.global_store @bn1.running_mean = %[[NRM]]
// CHECK: ml_program.global_store @bn1.running_var = %[[NRV]]
// CHECK: ml_program.global_store @conv1.weight.momentum_buffer = %[[NWBUF]]
// CHECK: ml_program.global_store @conv1.weight = %[[NW]]
// CHECK: ml_program.global_store @bn1.weight = %[[NG]]
// CHECK: ml_program.global_store @bn1.bias = %[[NB]]
// CHECK: ml_program.global_store @conv1.wt.scale = %[[NS]]
// CHECK: ml_program.global_store @fq1.clip = %[[NALPHA]]
// CHECK: ml_program.global_store @fc.weight = %[[NFW]]
// CHECK: ml_program.global_store @fc.bias = %[[NFB]]
// CHECK-NEXT: return %[[LOSS]], %[[LOGITS]] : tensor<f32>, tensor<?x10xf32>

// Adam: two moment globals per parameter and a step counter incremented
// once per step; decay-small=false decays everything.
// ADAM-DAG: ml_program.global private mutable @optimizer.step(dense<0.000000e+00> : tensor<f32>) : tensor<f32> {qnn.kind = "optimizer_state", qnn.layer = ""}
// ADAM-DAG: ml_program.global private mutable @conv1.weight.exp_avg(dense<0.000000e+00> : tensor<4x3x3x3xf32>) : tensor<4x3x3x3xf32> {qnn.kind = "optimizer_state", qnn.layer = "conv1"}
// ADAM-DAG: ml_program.global private mutable @conv1.weight.exp_avg_sq(dense<0.000000e+00> : tensor<4x3x3x3xf32>) : tensor<4x3x3x3xf32> {qnn.kind = "optimizer_state", qnn.layer = "conv1"}
// ADAM-LABEL: func.func @train_step
// ADAM: %[[OLD:.*]] = ml_program.global_load @optimizer.step : tensor<f32>
// ADAM: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// ADAM: %[[STEP:.*]] = qnn.add %[[OLD]], %[[ONE]]
// ADAM: ml_program.global_store @optimizer.step = %[[STEP]]
// ADAM: %[[M:.*]] = ml_program.global_load @conv1.weight.exp_avg
// ADAM: %[[V:.*]] = ml_program.global_load @conv1.weight.exp_avg_sq
// ADAM: qnn.adam_update %{{.*}}, %{{.*}}, %[[M]], %[[V]], %{{.*}}, %[[STEP]] {weight_decay = 1.000000e-02 : f64} : tensor<4x3x3x3xf32>
// ADAM: qnn.adam_update {{.*}} {weight_decay = 1.000000e-02 : f64} : tensor<4xf32>

// Plain SGD (momentum 0) keeps no buffers: the update gets zeros.
// PLAIN-NOT: @{{.*}}momentum_buffer
// PLAIN-LABEL: func.func @train_step
// PLAIN: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<4x3x3x3xf32>
// PLAIN: qnn.sgd_update %{{.*}}, %{{.*}}, %[[ZERO]], %{{.*}} : tensor<4x3x3x3xf32>
// PLAIN-NOT: @{{.*}}momentum_buffer

// Freezing after training gives back a graph of constants that test mode
// accepts.
// ROUNDTRIP-NOT: ml_program
// ROUNDTRIP-LABEL: func.func @main
// ROUNDTRIP: arith.constant dense<1.000000e-01> : tensor<4x3x3x3xf32>
// ROUNDTRIP-NOT: train_step
// ROUNDTRIP-NOT: ml_program
func.func @main(%x: tensor<?x3x8x8xf32>) -> tensor<?x10xf32> {
  %w = arith.constant dense<0.1> : tensor<4x3x3x3xf32> loc("conv1")
  %g = arith.constant dense<1.0> : tensor<4xf32>
  %b = arith.constant dense<0.0> : tensor<4xf32>
  %m = arith.constant dense<0.0> : tensor<4xf32>
  %v = arith.constant dense<1.0> : tensor<4xf32>
  %s = arith.constant dense<0.05> : tensor<4xf32>
  %alpha = arith.constant dense<6.0> : tensor<f32>
  %fw = arith.constant dense<0.1> : tensor<10x4xf32>
  %fb = arith.constant dense<0.0> : tensor<10xf32>
  %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<4xf32>) {axis = 0, bits = 4, qnn.name = "conv1.wt"} : tensor<4x3x3x3xf32>
  %c = qnn.conv2d %x, %wq {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x8x8xf32> loc("conv1")
  %y = qnn.batch_norm %c, %g, %b, %m, %v {epsilon = 1.0e-5 : f64} : tensor<?x4x8x8xf32>, tensor<4xf32> loc("bn1")
  %r = qnn.relu %y : tensor<?x4x8x8xf32>
  %rq = qnn.fake_quant pact activation %r clip(%alpha : tensor<f32>) {bits = 4, half_range} : tensor<?x4x8x8xf32>
  %p = qnn.global_avg_pool %rq : (tensor<?x4x8x8xf32>) -> tensor<?x4x1x1xf32>
  %f = qnn.flatten %p : (tensor<?x4x1x1xf32>) -> tensor<?x4xf32>
  %o = qnn.linear %f, %fw, %fb : (tensor<?x4xf32>, tensor<10x4xf32>, tensor<10xf32>) -> tensor<?x10xf32> loc("fc")
  return %o : tensor<?x10xf32>
}

// After qnn-apply-policy: quantizer parameters are named by the policy's
// locations; the residual block's backward goes through the explicit
// padding the policy inserted before each activation quantizer.
// POLICY-DAG: ml_program.global private mutable @layer1.conv1.wt.scale({{.*}}) : tensor<8xf32> {qnn.kind = "quant_param", qnn.layer = "layer1.conv1.wt"}
// POLICY-DAG: ml_program.global private mutable @layer1.conv1.fm.scale({{.*}}) : tensor<f32> {qnn.kind = "quant_param", qnn.layer = "layer1.conv1.fm"}
// POLICY-DAG: ml_program.global private mutable @layer1.downsample.weight({{.*}}) : tensor<8x4x1x1xf32> {qnn.kind = "weight", qnn.layer = "layer1.downsample"}
// POLICY-LABEL: func.func @train_step
// POLICY: qnn.fake_quant_grad lsq activation
// POLICY-NEXT: qnn.pad_grad
// POLICY: qnn.sgd_update %layer1.conv1.fm.scale
