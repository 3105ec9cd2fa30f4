// RUN: qopt %s -qnn-build-reconstruction | FileCheck %s
// RUN: qopt %s -qnn-build-reconstruction=qdrop=true | FileCheck %s --check-prefix=QDROP
// RUN: qopt %s -qnn-build-reconstruction=unit=block | FileCheck %s --check-prefix=BLOCK
// RUN: not qopt %s -qnn-build-reconstruction=unit=net 2>&1 | FileCheck %s --check-prefix=BADUNIT
// RUN: not qopt %s -qnn-build-reconstruction=forward=nope 2>&1 | FileCheck %s --check-prefix=NOFWD

// A conv with an AdaRound weight and a quantized input, a relu, a linear
// head with an AdaRound weight: two units.

// V of each unit is a global that @main reads; Adam's state is optimizer
// state.
// CHECK-DAG: ml_program.global private mutable @conv1.offset(dense<{{.*}}> : tensor<2x1x3x3xf32>) : tensor<2x1x3x3xf32> {qnn.kind = "quant_param", qnn.layer = "conv1"}
// CHECK-DAG: ml_program.global private mutable @fc.offset({{.*}}) : tensor<3x8xf32> {qnn.kind = "quant_param", qnn.layer = "fc"}
// CHECK-DAG: ml_program.global private mutable @recon.conv1.step(dense<0.000000e+00> : tensor<f32>) : tensor<f32> {qnn.kind = "optimizer_state", qnn.layer = "conv1"}
// CHECK-DAG: ml_program.global private mutable @recon.conv1.offset.exp_avg(dense<0.000000e+00> : tensor<2x1x3x3xf32>)
// CHECK-DAG: ml_program.global private mutable @recon.conv1.offset.exp_avg_sq(dense<0.000000e+00> : tensor<2x1x3x3xf32>)
// CHECK-DAG: ml_program.global private mutable @recon.fc.step(

// CHECK-LABEL: func.func @main
// CHECK: %[[V:.*]] = ml_program.global_load @conv1.offset
// CHECK: qnn.fake_quant adaround weight %{{.*}} scale(%{{.*}}) offset(%[[V]] : tensor<2x1x3x3xf32>) {axis = 0 : i64, bits = 4 : i64}
// CHECK-NOT: relaxed

// Unit 0's data: its input in the quantized model is the model input; its
// target is the float conv + relu (no fake_quant left).
// CHECK-LABEL: func.func @recon_data_0(
// CHECK-SAME: %[[X:.*]]: tensor<?x1x4x4xf32>) -> (tensor<?x1x4x4xf32>, tensor<?x2x2x2xf32>)
// CHECK-NOT: qnn.fake_quant
// CHECK: %[[C:.*]] = qnn.conv2d %[[X]]
// CHECK: %[[R:.*]] = qnn.relu %[[C]]
// CHECK-NOT: qnn.linear
// CHECK: return %[[X]], %[[R]]

// Unit 0's step: input quantizer, relaxed weight quantizer, conv, relu, the
// loss C * mse + regularizer, d/dV, Adam, stores.
// CHECK-LABEL: func.func @recon_step_0(
// CHECK-SAME: %[[IN:.*]]: tensor<?x1x4x4xf32>, %[[T:.*]]: tensor<?x2x2x2xf32>, %[[LR:.*]]: tensor<f32>, %[[BETA:.*]]: tensor<f32>, %[[LAMBDA:.*]]: tensor<f32>) -> (tensor<f32>, tensor<f32>) attributes {qnn.layer = "conv1", qnn.recon_args = ["in", "target", "lr", "beta", "lambda"]}
// CHECK: %[[XQ:.*]] = qnn.fake_quant uniform activation %[[IN]]
// CHECK: %[[V0:.*]] = ml_program.global_load @conv1.offset
// CHECK: %[[WQ:.*]] = qnn.fake_quant adaround weight %{{.*}} offset(%[[V0]] : tensor<2x1x3x3xf32>) {axis = 0 : i64, bits = 4 : i64, relaxed}
// CHECK: %[[Y:.*]] = qnn.conv2d %[[XQ]], %[[WQ]]
// CHECK: %[[YR:.*]] = qnn.relu %[[Y]]
// CHECK: %[[MSE:.*]], %{{.*}} = qnn.mse_loss %[[YR]], %[[T]]
// CHECK: %[[REC:.*]] = qnn.mul %[[MSE]], %{{.*}}
// CHECK: %[[REG:.*]], %[[DREG:.*]] = qnn.adaround_regularizer %[[V0]], %[[BETA]], %[[LAMBDA]] : tensor<2x1x3x3xf32>
// CHECK: qnn.add %[[REC]], %[[REG]]
// CHECK: qnn.relu_grad
// CHECK: qnn.conv2d_grad_weight
// CHECK-NOT: qnn.conv2d_grad_input
// CHECK: qnn.fake_quant_grad adaround weight
// CHECK: %[[DV:.*]] = qnn.add %[[DREG]], %{{.*}}
// CHECK: qnn.adam_update %[[V0]], %[[DV]], %{{.*}}, %{{.*}}, %[[LR]], %{{.*}} : tensor<2x1x3x3xf32>
// CHECK: ml_program.global_store @recon.conv1.step
// CHECK: ml_program.global_store @conv1.offset
// CHECK: return %[[REC]], %[[REG]]

// Unit 1: its input comes from the quantized model (conv1 with V hardened).
// CHECK-LABEL: func.func @recon_data_1
// CHECK: ml_program.global_load @conv1.offset
// CHECK: qnn.fake_quant adaround weight
// CHECK-NOT: relaxed
// CHECK: qnn.linear
// CHECK-LABEL: func.func @recon_step_1
// CHECK: qnn.fake_quant adaround weight {{.*}} relaxed
// CHECK: qnn.linear

// QDrop: the data also returns the unit's float input, and the input
// quantizer's result is quantized + keep * (float - quantized), one keep
// mask (the last argument) per activation quantizer.
// QDROP-LABEL: func.func @recon_data_0(
// QDROP-SAME: -> (tensor<?x1x4x4xf32>, tensor<?x1x4x4xf32>, tensor<?x2x2x2xf32>)
// QDROP-LABEL: func.func @recon_step_0(
// QDROP-SAME: %[[IN:[a-z0-9]+]]: tensor<?x1x4x4xf32>, %[[FLOAT:[a-z0-9]+]]: tensor<?x1x4x4xf32>, %{{.*}}: tensor<?x2x2x2xf32>, %{{.*}}: tensor<f32>, %{{.*}}: tensor<f32>, %{{.*}}: tensor<f32>, %[[KEEP:[a-z0-9]+]]: tensor<?x1x4x4xf32>)
// QDROP-SAME: qnn.recon_args = ["in", "in_float", "target", "lr", "beta", "lambda", "keep"]
// QDROP: %[[XQ:.*]] = qnn.fake_quant uniform activation %[[IN]]
// QDROP: %[[D:.*]] = qnn.sub %[[FLOAT]], %[[XQ]]
// QDROP: %[[K:.*]] = qnn.mul %[[KEEP]], %[[D]]
// QDROP: %[[MIX:.*]] = qnn.add %[[XQ]], %[[K]]
// QDROP: qnn.conv2d %[[MIX]],

// Blocks: cuts where one activation is live; a chain cuts after every op,
// so layer-less pieces join a neighbour: here the input quantizer, conv and
// relu form unit 0, and the flatten joins the fc in unit 1.
// BLOCK-LABEL: func.func @recon_data_0(
// BLOCK-SAME: -> (tensor<?x1x4x4xf32>, tensor<?x2x2x2xf32>)
// BLOCK-LABEL: func.func @recon_step_0(
// BLOCK: qnn.fake_quant uniform activation
// BLOCK: qnn.fake_quant adaround weight {{.*}} relaxed
// BLOCK: qnn.conv2d
// BLOCK: qnn.relu
// BLOCK-LABEL: func.func @recon_data_1(
// BLOCK-SAME: -> (tensor<?x2x2x2xf32>, tensor<?x3xf32>)
// BLOCK-LABEL: func.func @recon_step_1(
// BLOCK-SAME: %{{.*}}: tensor<?x2x2x2xf32>, %{{.*}}: tensor<?x3xf32>,
// BLOCK: qnn.flatten
// BLOCK: qnn.linear
// BADUNIT: error: qnn-build-reconstruction: unknown unit 'net' (expected layer or block)

// NOFWD: error: qnn-build-reconstruction: the module has no function @nope

func.func @main(%x: tensor<?x1x4x4xf32>) -> tensor<?x3xf32> {
  %xs = arith.constant dense<0.05> : tensor<f32>
  %xz = arith.constant dense<0.0> : tensor<f32>
  %xq = qnn.fake_quant uniform activation %x scale(%xs : tensor<f32>) zero_point(%xz : tensor<f32>) {bits = 8} : tensor<?x1x4x4xf32>
  %w = arith.constant dense<[[[[0.11, -0.23, 0.37], [0.41, -0.52, 0.06], [0.17, 0.29, -0.33]]], [[[-0.12, 0.24, -0.38], [0.44, 0.05, -0.16], [0.27, -0.31, 0.09]]]]> : tensor<2x1x3x3xf32>
  %ws = arith.constant dense<[0.07, 0.06]> : tensor<2xf32>
  %wv = arith.constant dense<0.5> : tensor<2x1x3x3xf32>
  %wq = qnn.fake_quant adaround weight %w scale(%ws : tensor<2xf32>) offset(%wv : tensor<2x1x3x3xf32>) {axis = 0 : i64, bits = 4 : i64} : tensor<2x1x3x3xf32>
  %b = arith.constant dense<[0.1, -0.1]> : tensor<2xf32>
  %c = qnn.conv2d %xq, %wq, %b : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<?x2x2x2xf32> loc("conv1")
  %r = qnn.relu %c : tensor<?x2x2x2xf32>
  %f = qnn.flatten %r : (tensor<?x2x2x2xf32>) -> tensor<?x8xf32>
  %l = arith.constant dense<0.125> : tensor<3x8xf32>
  %ls = arith.constant dense<0.05> : tensor<3xf32>
  %lv = arith.constant dense<-0.5> : tensor<3x8xf32>
  %lq = qnn.fake_quant adaround weight %l scale(%ls : tensor<3xf32>) offset(%lv : tensor<3x8xf32>) {axis = 0 : i64, bits = 4 : i64} : tensor<3x8xf32>
  %y = qnn.linear %f, %lq : (tensor<?x8xf32>, tensor<3x8xf32>) -> tensor<?x3xf32> loc("fc")
  return %y : tensor<?x3xf32>
}
