// RUN: qopt %s -qnn-apply-policy | FileCheck %s --check-prefix=DEFAULT
// RUN: qopt %s -qnn-apply-policy='policy="lsq,fm_bit=4,wt_bit=4,wt_quant_group=C,real_skip"' | FileCheck %s --check-prefix=LSQ
// RUN: qopt %s -qnn-apply-policy='policy="dorefa,fm_bit=2,wt_bit=2,padding_after_quant"' | FileCheck %s --check-prefix=PAQ
// RUN: qopt %s -qnn-apply-policy='policy-file=%S/Inputs/qdrop-w2a4.yaml' | FileCheck %s --check-prefix=QDROP
// RUN: qopt %s -qnn-apply-policy='policy-file=%S/Inputs/qdrop-fixed-w4a8.yaml policy="layer.fc.wt_bit=6"' | FileCheck %s --check-prefix=FIXED

// The default model's shape (models/resnet8): stem conv + relu, a basic
// block (two 3x3 convs) with a 1x1 stride-2 downsample shortcut, add, relu,
// global pool, flatten, linear. Layers in order: 0 stem, 1 layer1.conv1,
// 2 layer1.conv2, 3 layer1.downsample, 4 fc.

// Default (no policy): uniform 8-bit PTQ with min-max observers; stem and
// fc stay float; the convs' inputs are padded first, then quantized; the
// shortcut is quantized (no real_skip).
// DEFAULT-LABEL: func.func @resnet_block
// DEFAULT: %[[STEM:.*]] = qnn.conv2d %arg0, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {pads = array<i64: 1, 1, 1, 1>}
// DEFAULT: %[[R0:.*]] = qnn.relu %[[STEM]]
// DEFAULT: %[[W1:.*]] = qnn.fake_quant uniform weight %{{.*}} : tensor<8xf32>) zero_point(%{{.*}} : tensor<8xf32>) {axis = 0 : i64, bits = 8 : i64} : tensor<8x4x3x3xf32>
// DEFAULT: %[[P1:.*]] = qnn.pad %[[R0]] {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x10x10xf32>
// DEFAULT: %[[X1:.*]] = qnn.fake_quant uniform activation %[[P1]] {{.*}} {bits = 8 : i64, half_range} : tensor<?x4x10x10xf32>
// DEFAULT: qnn.conv2d %[[X1]], %[[W1]] {strides = array<i64: 2, 2>} : (tensor<?x4x10x10xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x4x4xf32>
// DEFAULT: qnn.pad
// DEFAULT: %[[WD:.*]] = qnn.fake_quant uniform weight %{{.*}} : tensor<8x4x1x1xf32>
// DEFAULT: %[[XD:.*]] = qnn.fake_quant uniform activation %[[R0]] {{.*}} : tensor<?x4x8x8xf32>
// DEFAULT: qnn.conv2d %[[XD]], %[[WD]] {strides = array<i64: 2, 2>}
// DEFAULT: %[[POOL:.*]] = qnn.global_avg_pool
// DEFAULT: %[[FLAT:.*]] = qnn.flatten %[[POOL]]
// DEFAULT-NOT: qnn.fake_quant
// DEFAULT: qnn.linear %[[FLAT]], %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} :

// The README's keyword string: LSQ W4A4, per-channel weight steps
// 2 mean|w| / sqrt(7) (|w| = 0.25 and 0.25), real_skip keeps the shortcut
// in float.
// LSQ-LABEL: func.func @resnet_block
// LSQ: %[[R0:.*]] = qnn.relu
// LSQ: %[[S1:.*]] = arith.constant dense<0.188982233> : tensor<8xf32>
// LSQ: %[[W1:.*]] = qnn.fake_quant lsq weight %{{.*}} scale(%[[S1]] : tensor<8xf32>) {axis = 0 : i64, bits = 4 : i64} : tensor<8x4x3x3xf32>
// LSQ: %[[P1:.*]] = qnn.pad %[[R0]]
// LSQ: %[[X1:.*]] = qnn.fake_quant lsq activation %[[P1]] scale(%{{.*}} : tensor<f32>) {bits = 4 : i64, half_range}
// LSQ: %[[C1:.*]] = qnn.conv2d %[[X1]], %[[W1]]
// LSQ: %[[R1:.*]] = qnn.relu %[[C1]]
// LSQ: %[[W2:.*]] = qnn.fake_quant lsq weight %{{.*}} {axis = 0 : i64, bits = 4 : i64} : tensor<8x8x3x3xf32>
// LSQ: %[[P2:.*]] = qnn.pad %[[R1]]
// LSQ: %[[X2:.*]] = qnn.fake_quant lsq activation %[[P2]]
// LSQ: %[[C2:.*]] = qnn.conv2d %[[X2]], %[[W2]]
// LSQ: %[[SKIP:.*]] = qnn.conv2d %[[R0]], %{{[a-z0-9_]+}} {strides = array<i64: 2, 2>}
// LSQ: qnn.add %[[C2]], %[[SKIP]]
// LSQ-NOT: qnn.fake_quant
// LSQ: return

// padding_after_quant: no qnn.pad, the convs keep their pads; DoReFa
// weights and activations carry no parameter operands.
// PAQ-LABEL: func.func @resnet_block
// PAQ-NOT: qnn.pad
// PAQ: %[[R0:.*]] = qnn.relu
// PAQ: %[[W1:.*]] = qnn.fake_quant dorefa weight %{{.*}} {bits = 2 : i64} : tensor<8x4x3x3xf32>
// PAQ: %[[X1:.*]] = qnn.fake_quant dorefa activation %[[R0]] {bits = 2 : i64, half_range} : tensor<?x4x8x8xf32>
// PAQ: qnn.conv2d %[[X1]], %[[W1]] {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
// PAQ-NOT: qnn.pad

// QDrop's W2A4 YAML: AdaRound weights (asymmetric, per channel, with
// scale, zero point and the rounding variable V), LSQ activations, observers
// as qnn.observer attributes; QDrop keeps first and last layers at 8 bits.
// QDROP-LABEL: func.func @resnet_block
// QDROP: qnn.fake_quant adaround weight %{{.*}} scale(%{{.*}} : tensor<4xf32>) zero_point(%{{.*}} : tensor<4xf32>) offset(%{{.*}} : tensor<4x1x3x3xf32>) {axis = 0 : i64, bits = 8 : i64, half_range, qnn.observer = #qnn<observer mse>}
// QDROP: qnn.fake_quant lsq activation %{{.*}} {bits = 8 : i64, qnn.observer = #qnn<observer avg_mse>} : tensor<?x1x10x10xf32>
// QDROP: qnn.fake_quant adaround weight %{{.*}} {axis = 0 : i64, bits = 2 : i64, half_range, qnn.observer = #qnn<observer mse>} : tensor<8x4x3x3xf32>
// QDROP: qnn.fake_quant lsq activation %{{.*}} {bits = 4 : i64, half_range, qnn.observer = #qnn<observer avg_mse>}
// QDROP: qnn.fake_quant adaround weight %{{.*}} {axis = 0 : i64, bits = 2 : i64, half_range, qnn.observer = #qnn<observer mse>} : tensor<8x4x1x1xf32>
// QDROP: qnn.fake_quant adaround weight %{{.*}} {axis = 0 : i64, bits = 8 : i64, half_range, qnn.observer = #qnn<observer mse>} : tensor<10x8xf32>
// QDROP: qnn.fake_quant lsq activation %{{.*}} {bits = 8 : i64, half_range, qnn.observer = #qnn<observer avg_mse>} : tensor<?x8xf32>

// The `quant:` layout with FixedFakeQuantize (symmetric per-channel 4-bit
// weights, EMA min-max activations), its `keyword: real_skip`, and a
// keyword string given with the file overriding the last layer's bits.
// FIXED-LABEL: func.func @resnet_block
// FIXED: qnn.fake_quant uniform weight %{{.*}} {axis = 0 : i64, bits = 8 : i64, qnn.observer = #qnn<observer mse>} : tensor<4x1x3x3xf32>
// FIXED: qnn.fake_quant uniform activation %{{.*}} {bits = 8 : i64, half_range, qnn.observer = #qnn<observer ema_min_max>} : tensor<?x1x10x10xf32>
// FIXED: qnn.fake_quant uniform weight %{{.*}} {axis = 0 : i64, bits = 4 : i64, qnn.observer = #qnn<observer mse>} : tensor<8x4x3x3xf32>
// FIXED: qnn.fake_quant uniform weight %{{.*}} {axis = 0 : i64, bits = 4 : i64, qnn.observer = #qnn<observer mse>} : tensor<8x8x3x3xf32>
// FIXED: qnn.conv2d %{{.*}}, %{{[a-z0-9_]+}} {strides = array<i64: 2, 2>} : (tensor<?x4x8x8xf32>, tensor<8x4x1x1xf32>)
// FIXED: qnn.fake_quant uniform weight %{{.*}} {axis = 0 : i64, bits = 6 : i64, qnn.observer = #qnn<observer mse>} : tensor<10x8xf32>
// FIXED: qnn.fake_quant uniform activation %{{.*}} {bits = 8 : i64, half_range, qnn.observer = #qnn<observer ema_min_max>} : tensor<?x8xf32>
func.func @resnet_block(%x: tensor<?x1x8x8xf32>) -> tensor<?x10xf32> {
  %w0 = arith.constant dense<0.5> : tensor<4x1x3x3xf32>
  %b0 = arith.constant dense<0.0> : tensor<4xf32>
  %w1 = arith.constant dense<0.25> : tensor<8x4x3x3xf32>
  %w2 = arith.constant dense<-0.25> : tensor<8x8x3x3xf32>
  %wd = arith.constant dense<1.0> : tensor<8x4x1x1xf32>
  %wf = arith.constant dense<0.125> : tensor<10x8xf32>
  %bf = arith.constant dense<0.0> : tensor<10xf32>
  %c0 = qnn.conv2d %x, %w0, %b0 {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32> loc("stem")
  %r0 = qnn.relu %c0 : tensor<?x4x8x8xf32>
  %c1 = qnn.conv2d %r0, %w1 {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x4x4xf32> loc("layer1.conv1")
  %r1 = qnn.relu %c1 : tensor<?x8x4x4xf32>
  %c2 = qnn.conv2d %r1, %w2 {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x8x4x4xf32>, tensor<8x8x3x3xf32>) -> tensor<?x8x4x4xf32> loc("layer1.conv2")
  %cd = qnn.conv2d %r0, %wd {strides = array<i64: 2, 2>} : (tensor<?x4x8x8xf32>, tensor<8x4x1x1xf32>) -> tensor<?x8x4x4xf32> loc("layer1.downsample")
  %s = qnn.add %c2, %cd : (tensor<?x8x4x4xf32>, tensor<?x8x4x4xf32>) -> tensor<?x8x4x4xf32>
  %r2 = qnn.relu %s : tensor<?x8x4x4xf32>
  %p = qnn.global_avg_pool %r2 : (tensor<?x8x4x4xf32>) -> tensor<?x8x1x1xf32>
  %f = qnn.flatten %p : (tensor<?x8x1x1xf32>) -> tensor<?x8xf32>
  %y = qnn.linear %f, %wf, %bf : (tensor<?x8xf32>, tensor<10x8xf32>, tensor<10xf32>) -> tensor<?x10xf32> loc("fc")
  return %y : tensor<?x10xf32>
}
