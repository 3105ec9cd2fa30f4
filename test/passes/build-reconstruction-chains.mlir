// RUN: qopt %s -qnn-build-reconstruction=unit=block | FileCheck %s
// RUN: qopt %s "-qnn-build-reconstruction=unit=block qdrop=true" | FileCheck %s --check-prefix=QDROP

// Block units on a body with several outputs (a detector's backbone and
// two heads): the forward has one cut, after the stem, and every value
// after the branch is live with another until the return. The layers there
// are reconstructed in chains: a layer with its input quantizer, grown
// forward while the value has one user that reads only it and parameters,
// ending after the last layer and its relu. Each unit's data: its input in
// the quantized model (the stem's relu), its output in the float model.
// Unit 1 is the class tower (two
// layers, up to the class output), unit 2 the box tower's conv with its
// unfolded (inference) batch norm and relu (qnn-autodiff passes dy times
// the batch norm's per-channel scale: qnn.sqrt, qnn.div, qnn.mul). Its
// relu feeds two output convs (units 3 and 4, one each).

// CHECK-LABEL: func.func @recon_data_0(
// CHECK-SAME: -> (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>)
// CHECK-LABEL: func.func @recon_step_0(
// CHECK-SAME: qnn.layer = "stem"
// CHECK-LABEL: func.func @recon_data_1(
// CHECK-SAME: -> (tensor<?x2x4x4xf32>, tensor<?x3x4x4xf32>)
// CHECK: %[[R0:.*]] = qnn.relu
// CHECK: %[[CLS:.*]] = qnn.conv2d {{.*}} -> tensor<?x3x4x4xf32>
// CHECK: return %[[R0]], %[[CLS]]
// CHECK-LABEL: func.func @recon_step_1(
// CHECK-SAME: qnn.layer = "cls.0 (block of 2 layers)"
// CHECK: qnn.fake_quant uniform activation
// CHECK: qnn.fake_quant adaround weight {{.*}} relaxed
// CHECK: qnn.conv2d
// CHECK: qnn.relu
// CHECK: qnn.fake_quant uniform activation
// CHECK: qnn.fake_quant adaround weight {{.*}} relaxed
// CHECK: qnn.conv2d
// CHECK: qnn.mse_loss
// CHECK-COUNT-2: qnn.adaround_regularizer
// CHECK-LABEL: func.func @recon_data_2(
// CHECK-SAME: -> (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>)
// CHECK-LABEL: func.func @recon_step_2(
// CHECK-SAME: qnn.layer = "box.0"
// CHECK: qnn.conv2d
// CHECK: qnn.batch_norm
// CHECK: qnn.relu
// CHECK: qnn.mse_loss
// CHECK: qnn.relu_grad
// CHECK: qnn.sqrt
// CHECK-NEXT: qnn.div
// CHECK-NEXT: qnn.reshape {{.*}} -> tensor<2x1x1xf32>
// CHECK-NEXT: qnn.mul {{.*}} tensor<2x1x1xf32>) -> tensor<?x2x4x4xf32>
// CHECK-NEXT: qnn.conv2d_grad_weight
// CHECK-LABEL: func.func @recon_data_3(
// CHECK-SAME: -> (tensor<?x2x4x4xf32>, tensor<?x4x4x4xf32>)
// CHECK-LABEL: func.func @recon_step_3(
// CHECK-SAME: qnn.layer = "box.out"
// CHECK-LABEL: func.func @recon_data_4(
// CHECK-SAME: -> (tensor<?x2x4x4xf32>, tensor<?x1x4x4xf32>)
// CHECK-LABEL: func.func @recon_step_4(
// CHECK-SAME: qnn.layer = "ctr.out"
// CHECK-NOT: func.func @recon_data_5

// QDrop: every activation quantizer of a chain gets its keep mask (the
// class tower has two).
// QDROP-LABEL: func.func @recon_step_1(
// QDROP-SAME: qnn.recon_args = ["in", "in_float", "target", "lr", "beta", "lambda", "keep", "keep"]

func.func @main(%x: tensor<?x2x4x4xf32>) -> (tensor<?x3x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x1x4x4xf32>) {
  %s = arith.constant dense<0.05> : tensor<f32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %w = arith.constant dense<[[[[0.11]], [[-0.23]]], [[[0.37]], [[0.41]]]]> : tensor<2x2x1x1xf32>
  %ws = arith.constant dense<[0.07, 0.06]> : tensor<2xf32>
  %wv = arith.constant dense<0.5> : tensor<2x2x1x1xf32>
  %wc = arith.constant dense<0.25> : tensor<3x2x1x1xf32>
  %wcs = arith.constant dense<0.05> : tensor<3xf32>
  %wcv = arith.constant dense<0.5> : tensor<3x2x1x1xf32>
  %wb = arith.constant dense<0.25> : tensor<4x2x1x1xf32>
  %wbs = arith.constant dense<0.05> : tensor<4xf32>
  %wbv = arith.constant dense<0.5> : tensor<4x2x1x1xf32>
  %wt = arith.constant dense<0.25> : tensor<1x2x1x1xf32>
  %wts = arith.constant dense<0.05> : tensor<1xf32>
  %wtv = arith.constant dense<0.5> : tensor<1x2x1x1xf32>
  // stem
  %xq = qnn.fake_quant uniform activation %x scale(%s : tensor<f32>) zero_point(%z : tensor<f32>) {bits = 8} : tensor<?x2x4x4xf32>
  %w0 = qnn.fake_quant adaround weight %w scale(%ws : tensor<2xf32>) offset(%wv : tensor<2x2x1x1xf32>) {axis = 0 : i64, bits = 4 : i64} : tensor<2x2x1x1xf32>
  %h0 = qnn.conv2d %xq, %w0 : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32> loc("stem")
  %r0 = qnn.relu %h0 : tensor<?x2x4x4xf32>
  // class tower: conv, relu, output conv
  %aq = qnn.fake_quant uniform activation %r0 scale(%s : tensor<f32>) zero_point(%z : tensor<f32>) {bits = 4, half_range} : tensor<?x2x4x4xf32>
  %wa = qnn.fake_quant adaround weight %w scale(%ws : tensor<2xf32>) offset(%wv : tensor<2x2x1x1xf32>) {axis = 0 : i64, bits = 4 : i64} : tensor<2x2x1x1xf32>
  %a1 = qnn.conv2d %aq, %wa : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32> loc("cls.0")
  %ra = qnn.relu %a1 : tensor<?x2x4x4xf32>
  %clsq = qnn.fake_quant uniform activation %ra scale(%s : tensor<f32>) zero_point(%z : tensor<f32>) {bits = 4, half_range} : tensor<?x2x4x4xf32>
  %wcq = qnn.fake_quant adaround weight %wc scale(%wcs : tensor<3xf32>) offset(%wcv : tensor<3x2x1x1xf32>) {axis = 0 : i64, bits = 4 : i64} : tensor<3x2x1x1xf32>
  %cls = qnn.conv2d %clsq, %wcq : (tensor<?x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<?x3x4x4xf32> loc("cls.out")
  // box tower: conv, relu, then the box and centerness convs on its result
  %bq = qnn.fake_quant uniform activation %r0 scale(%s : tensor<f32>) zero_point(%z : tensor<f32>) {bits = 4, half_range} : tensor<?x2x4x4xf32>
  %wbb = qnn.fake_quant adaround weight %w scale(%ws : tensor<2xf32>) offset(%wv : tensor<2x2x1x1xf32>) {axis = 0 : i64, bits = 4 : i64} : tensor<2x2x1x1xf32>
  %b1 = qnn.conv2d %bq, %wbb : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32> loc("box.0")
  %p = arith.constant dense<1.0> : tensor<2xf32>
  %bn = qnn.batch_norm %b1, %p, %p, %p, %p : tensor<?x2x4x4xf32>, tensor<2xf32>
  %rb = qnn.relu %bn : tensor<?x2x4x4xf32>
  %boxq = qnn.fake_quant uniform activation %rb scale(%s : tensor<f32>) zero_point(%z : tensor<f32>) {bits = 4, half_range} : tensor<?x2x4x4xf32>
  %wbq = qnn.fake_quant adaround weight %wb scale(%wbs : tensor<4xf32>) offset(%wbv : tensor<4x2x1x1xf32>) {axis = 0 : i64, bits = 4 : i64} : tensor<4x2x1x1xf32>
  %box = qnn.conv2d %boxq, %wbq : (tensor<?x2x4x4xf32>, tensor<4x2x1x1xf32>) -> tensor<?x4x4x4xf32> loc("box.out")
  %ctrq = qnn.fake_quant uniform activation %rb scale(%s : tensor<f32>) zero_point(%z : tensor<f32>) {bits = 4, half_range} : tensor<?x2x4x4xf32>
  %wtq = qnn.fake_quant adaround weight %wt scale(%wts : tensor<1xf32>) offset(%wtv : tensor<1x2x1x1xf32>) {axis = 0 : i64, bits = 4 : i64} : tensor<1x2x1x1xf32>
  %ctr = qnn.conv2d %ctrq, %wtq : (tensor<?x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<?x1x4x4xf32> loc("ctr.out")
  return %cls, %box, %ctr : tensor<?x3x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x1x4x4xf32>
}
