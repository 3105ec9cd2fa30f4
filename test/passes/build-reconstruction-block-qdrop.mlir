// RUN: qopt %s "-qnn-build-reconstruction=unit=block qdrop=true learn-activations=true" | FileCheck %s
// RUN: qopt %s "-qnn-build-reconstruction=unit=block learn-activations=true" | FileCheck %s --check-prefix=LEARN
// RUN: qopt %s "-qnn-build-reconstruction=unit=block qdrop=true" | FileCheck %s --check-prefix=FIXED

// QDrop inside a block (Wei et al. 2022): a residual block whose input is
// padded and quantized by LSQ (learnable), with an inner LSQ quantizer
// after conv1's relu and a uniform (calibrated, fixed) quantizer on the
// shortcut. Every activation quantizer of the block reads a keep mask; the
// learnable steps are globals learned at %act_lr.

// The LSQ steps become globals that @main loads; the uniform one does not.
// CHECK-DAG: ml_program.global private mutable @conv1.act_scale(dense<5.000000e-02> : tensor<f32>) : tensor<f32> {qnn.kind = "quant_param", qnn.layer = "conv1"}
// CHECK-DAG: ml_program.global private mutable @conv2.act_scale(dense<3.000000e-02> : tensor<f32>) : tensor<f32> {qnn.kind = "quant_param", qnn.layer = "conv2"}
// CHECK-DAG: ml_program.global private mutable @recon.conv1.act_scale.exp_avg(
// CHECK-DAG: ml_program.global private mutable @recon.conv2.act_scale.exp_avg_sq(
// CHECK-NOT: act_zero_point
// CHECK-NOT: @shortcut.act_scale

// CHECK-LABEL: func.func @main
// CHECK: %[[S1:.*]] = ml_program.global_load @conv1.act_scale
// CHECK: qnn.fake_quant lsq activation %{{.*}} scale(%[[S1]] : tensor<f32>)

// The data: the block's input in the quantized and in the float model.
// CHECK-LABEL: func.func @recon_data_0(
// CHECK-SAME: -> (tensor<?x2x5x5xf32>, tensor<?x2x5x5xf32>, tensor<?x3x5x5xf32>)

// The step: in, in_float, target, the schedule, act_lr, then one keep mask
// per activation quantizer in program order (conv1's input, padded; conv1's
// relu; the shortcut's input).
// CHECK-LABEL: func.func @recon_step_0(
// CHECK-SAME: %[[IN:[a-z0-9]+]]: tensor<?x2x5x5xf32>, %[[FLOAT:[a-z0-9]+]]: tensor<?x2x5x5xf32>, %{{.*}}: tensor<?x3x5x5xf32>, %[[LR:[a-z0-9]+]]: tensor<f32>, %{{.*}}: tensor<f32>, %{{.*}}: tensor<f32>, %[[ALR:[a-z0-9]+]]: tensor<f32>, %[[K1:[a-z0-9]+]]: tensor<?x2x7x7xf32>, %[[K2:[a-z0-9]+]]: tensor<?x3x5x5xf32>, %[[K3:[a-z0-9]+]]: tensor<?x2x5x5xf32>)
// CHECK-SAME: qnn.recon_args = ["in", "in_float", "target", "lr", "beta", "lambda", "act_lr", "keep", "keep", "keep"]
// The padded input's quantizer: its dropped value is the float input, padded
// the same way.
// CHECK: %[[P:.*]] = qnn.pad %[[IN]]
// CHECK: %[[PF:.*]] = qnn.pad %[[FLOAT]]
// CHECK: %[[S1S:.*]] = ml_program.global_load @conv1.act_scale
// CHECK: %[[Q1:.*]] = qnn.fake_quant lsq activation %[[P]] scale(%[[S1S]] : tensor<f32>)
// CHECK: %[[D1:.*]] = qnn.sub %[[PF]], %[[Q1]]
// CHECK: %[[M1:.*]] = qnn.mul %[[K1]], %[[D1]]
// CHECK: %[[X1:.*]] = qnn.add %[[Q1]], %[[M1]]
// CHECK: qnn.conv2d %[[X1]],
// The inner quantizer: its dropped value is its own (unquantized) input.
// CHECK: %[[R1:.*]] = qnn.relu
// CHECK: %[[Q2:.*]] = qnn.fake_quant lsq activation %[[R1]]
// CHECK: %[[D2:.*]] = qnn.sub %[[R1]], %[[Q2]]
// CHECK: %[[M2:.*]] = qnn.mul %[[K2]], %[[D2]]
// CHECK: %[[X2:.*]] = qnn.add %[[Q2]], %[[M2]]
// CHECK: qnn.conv2d %[[X2]],
// The shortcut's quantizer reads the block input directly.
// CHECK: %[[Q3:.*]] = qnn.fake_quant uniform activation %[[IN]]
// CHECK: %[[D3:.*]] = qnn.sub %[[FLOAT]], %[[Q3]]
// CHECK: %[[M3:.*]] = qnn.mul %[[K3]], %[[D3]]
// CHECK: %[[X3:.*]] = qnn.add %[[Q3]], %[[M3]]
// CHECK: qnn.conv2d %[[X3]],
// The LSQ steps are learned with Adam at act_lr and kept positive.
// CHECK: qnn.fake_quant_grad lsq activation
// CHECK: %[[A1:.*]], %{{.*}}, %{{.*}} = qnn.adam_update %[[S1S]], %{{.*}}, %{{.*}}, %{{.*}}, %[[ALR]], %{{.*}} : tensor<f32>
// CHECK: %[[C1:.*]] = qnn.clip %[[A1]] {max = 3.000000e+38 : f64, min = 1.000000e-08 : f64}
// CHECK: ml_program.global_store @conv1.act_scale = %[[C1]]

// Without qdrop: no float input, no masks, the steps are still learned.
// LEARN-LABEL: func.func @recon_step_0(
// LEARN-SAME: qnn.recon_args = ["in", "target", "lr", "beta", "lambda", "act_lr"]
// LEARN-NOT: qnn.sub
// LEARN: ml_program.global_store @conv2.act_scale

// Without learn-activations: the masks, but the steps stay constants.
// FIXED-NOT: act_scale
// FIXED-LABEL: func.func @recon_step_0(
// FIXED-SAME: qnn.recon_args = ["in", "in_float", "target", "lr", "beta", "lambda", "keep", "keep", "keep"]

func.func @main(%x: tensor<?x2x5x5xf32>) -> tensor<?x3x5x5xf32> {
  %s1 = arith.constant dense<0.05> : tensor<f32>
  %s2 = arith.constant dense<0.03> : tensor<f32>
  %s3 = arith.constant dense<0.04> : tensor<f32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %ws = arith.constant dense<[0.07, 0.06, 0.05]> : tensor<3xf32>
  %xp = qnn.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<?x2x5x5xf32>) -> tensor<?x2x7x7xf32>
  %xq = qnn.fake_quant lsq activation %xp scale(%s1 : tensor<f32>) {bits = 4} : tensor<?x2x7x7xf32>
  %w1 = arith.constant dense<0.1> : tensor<3x2x3x3xf32>
  %v1 = arith.constant dense<0.5> : tensor<3x2x3x3xf32>
  %w1q = qnn.fake_quant adaround weight %w1 scale(%ws : tensor<3xf32>) offset(%v1 : tensor<3x2x3x3xf32>) {axis = 0 : i64, bits = 4 : i64} : tensor<3x2x3x3xf32>
  %c1 = qnn.conv2d %xq, %w1q : (tensor<?x2x7x7xf32>, tensor<3x2x3x3xf32>) -> tensor<?x3x5x5xf32> loc("conv1")
  %r1 = qnn.relu %c1 : tensor<?x3x5x5xf32>
  %r1q = qnn.fake_quant lsq activation %r1 scale(%s2 : tensor<f32>) {bits = 4, half_range} : tensor<?x3x5x5xf32>
  %w2 = arith.constant dense<-0.1> : tensor<3x3x3x3xf32>
  %v2 = arith.constant dense<-0.5> : tensor<3x3x3x3xf32>
  %w2q = qnn.fake_quant adaround weight %w2 scale(%ws : tensor<3xf32>) offset(%v2 : tensor<3x3x3x3xf32>) {axis = 0 : i64, bits = 4 : i64} : tensor<3x3x3x3xf32>
  %c2 = qnn.conv2d %r1q, %w2q {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x5x5xf32>, tensor<3x3x3x3xf32>) -> tensor<?x3x5x5xf32> loc("conv2")
  %xq2 = qnn.fake_quant uniform activation %x scale(%s3 : tensor<f32>) zero_point(%z : tensor<f32>) {bits = 8} : tensor<?x2x5x5xf32>
  %w3 = arith.constant dense<0.2> : tensor<3x2x1x1xf32>
  %v3 = arith.constant dense<0.0> : tensor<3x2x1x1xf32>
  %w3q = qnn.fake_quant adaround weight %w3 scale(%ws : tensor<3xf32>) offset(%v3 : tensor<3x2x1x1xf32>) {axis = 0 : i64, bits = 4 : i64} : tensor<3x2x1x1xf32>
  %cs = qnn.conv2d %xq2, %w3q : (tensor<?x2x5x5xf32>, tensor<3x2x1x1xf32>) -> tensor<?x3x5x5xf32> loc("shortcut")
  %sum = qnn.add %c2, %cs : (tensor<?x3x5x5xf32>, tensor<?x3x5x5xf32>) -> tensor<?x3x5x5xf32>
  %out = qnn.relu %sum : tensor<?x3x5x5xf32>
  return %out : tensor<?x3x5x5xf32>
}
