// RUN: qopt %s -split-input-file -qnn-apply-policy | FileCheck %s

// The edge layers of first_bit / last_bit / quant_first / quant_last on
// graphs with several inputs and outputs (a detector body), and quant_scope.
// A first layer reads a function argument with no other layer between (through
// normalizations, pads, concats); a last layer's result reaches the return
// with no other layer between (through activations, reshapes, concats). For a
// chain (a classifier) these are layer 0 and the last layer, as before.
// LSQ weight steps 2 mean|w| / sqrt(Qp) are not checked here (apply-policy.mlir
// does); the bits say which rule applied.

// Two outputs (a class and a box conv on one feature map): both are last
// layers and get last_bit, also the box conv read through a ReLU. The middle
// conv keeps the global 4 bits.
// CHECK-LABEL: func.func @two_outputs
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 8 : i64} : tensor<4x2x1x1xf32>
// CHECK: qnn.fake_quant lsq activation %arg0 {{.*}}{bits = 8 : i64}
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 4 : i64} : tensor<4x4x1x1xf32>
// CHECK: qnn.fake_quant lsq activation %{{.*}}{bits = 4 : i64, half_range}
// CHECK: %[[CLS_W:.*]] = qnn.fake_quant lsq weight %{{.*}} {bits = 6 : i64} : tensor<3x4x1x1xf32>
// CHECK: %[[CLS_X:.*]] = qnn.fake_quant lsq activation %{{.*}}{bits = 6 : i64, half_range}
// CHECK: %[[CLS:.*]] = qnn.conv2d %[[CLS_X]], %[[CLS_W]]
// CHECK: %[[BOX_W:.*]] = qnn.fake_quant lsq weight %{{.*}} {bits = 6 : i64} : tensor<4x4x1x1xf32>
// CHECK: %[[BOX_X:.*]] = qnn.fake_quant lsq activation %{{.*}}{bits = 6 : i64, half_range}
// CHECK: %[[BOX:.*]] = qnn.conv2d %[[BOX_X]], %[[BOX_W]]
// CHECK: %[[BOX_R:.*]] = qnn.relu %[[BOX]]
// CHECK: return %[[CLS]], %[[BOX_R]]
func.func @two_outputs(%x: tensor<?x2x8x8xf32>) -> (tensor<?x3x8x8xf32>, tensor<?x4x8x8xf32>) attributes {qnn.policy = "lsq,fm_bit=4,wt_bit=4,first_bit=8,last_bit=6"} {
  %w0 = arith.constant dense<0.5> : tensor<4x2x1x1xf32>
  %w1 = arith.constant dense<0.5> : tensor<4x4x1x1xf32>
  %wc = arith.constant dense<0.5> : tensor<3x4x1x1xf32>
  %wb = arith.constant dense<0.25> : tensor<4x4x1x1xf32>
  %h0 = qnn.conv2d %x, %w0 : (tensor<?x2x8x8xf32>, tensor<4x2x1x1xf32>) -> tensor<?x4x8x8xf32>
  %r0 = qnn.relu %h0 : tensor<?x4x8x8xf32>
  %h1 = qnn.conv2d %r0, %w1 : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %r1 = qnn.relu %h1 : tensor<?x4x8x8xf32>
  %cls = qnn.conv2d %r1, %wc : (tensor<?x4x8x8xf32>, tensor<3x4x1x1xf32>) -> tensor<?x3x8x8xf32>
  %box = qnn.conv2d %r1, %wb : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %boxr = qnn.relu %box : tensor<?x4x8x8xf32>
  return %cls, %boxr : tensor<?x3x8x8xf32>, tensor<?x4x8x8xf32>
}

// -----

// The default keeps every edge layer in float: here the first conv and both
// output convs; only the middle conv is quantized.
// CHECK-LABEL: func.func @two_outputs_default
// CHECK: %[[H0:.*]] = qnn.conv2d %arg0, %{{[a-z0-9_]+}} :
// CHECK: qnn.fake_quant uniform weight
// CHECK: qnn.fake_quant uniform activation
// CHECK: %[[H1:.*]] = qnn.conv2d
// CHECK-NOT: qnn.fake_quant
// CHECK: qnn.conv2d %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} :
// CHECK: qnn.conv2d %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} :
func.func @two_outputs_default(%x: tensor<?x2x8x8xf32>) -> (tensor<?x3x8x8xf32>, tensor<?x4x8x8xf32>) attributes {qnn.policy = ""} {
  %w0 = arith.constant dense<0.5> : tensor<4x2x1x1xf32>
  %w1 = arith.constant dense<0.5> : tensor<4x4x1x1xf32>
  %wc = arith.constant dense<0.5> : tensor<3x4x1x1xf32>
  %wb = arith.constant dense<0.25> : tensor<4x4x1x1xf32>
  %h0 = qnn.conv2d %x, %w0 : (tensor<?x2x8x8xf32>, tensor<4x2x1x1xf32>) -> tensor<?x4x8x8xf32>
  %r0 = qnn.relu %h0 : tensor<?x4x8x8xf32>
  %h1 = qnn.conv2d %r0, %w1 : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %r1 = qnn.relu %h1 : tensor<?x4x8x8xf32>
  %cls = qnn.conv2d %r1, %wc : (tensor<?x4x8x8xf32>, tensor<3x4x1x1xf32>) -> tensor<?x3x8x8xf32>
  %box = qnn.conv2d %r1, %wb : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  return %cls, %box : tensor<?x3x8x8xf32>, tensor<?x4x8x8xf32>
}

// -----

// The first conv's output also feeds a later layer (a skip into the add
// before the last conv): it is still only the first layer, and the conv after
// it, which reads no argument and reaches the return only through the last
// conv, is neither.
// CHECK-LABEL: func.func @first_feeds_later_layer
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 8 : i64}
// CHECK: qnn.fake_quant lsq activation %arg0 {{.*}}{bits = 8 : i64}
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 4 : i64}
// CHECK: qnn.fake_quant lsq activation %{{.*}}{bits = 4 : i64, half_range}
// CHECK: qnn.add
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 6 : i64}
// CHECK: qnn.fake_quant lsq activation %{{.*}}{bits = 6 : i64}
func.func @first_feeds_later_layer(%x: tensor<?x4x8x8xf32>) -> tensor<?x2x8x8xf32> attributes {qnn.policy = "lsq,fm_bit=4,wt_bit=4,first_bit=8,last_bit=6"} {
  %w0 = arith.constant dense<0.5> : tensor<4x4x1x1xf32>
  %w1 = arith.constant dense<0.5> : tensor<4x4x1x1xf32>
  %w2 = arith.constant dense<0.5> : tensor<2x4x1x1xf32>
  %h0 = qnn.conv2d %x, %w0 : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %r0 = qnn.relu %h0 : tensor<?x4x8x8xf32>
  %h1 = qnn.conv2d %r0, %w1 : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %s = qnn.add %h1, %r0 : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %y = qnn.conv2d %s, %w2 : (tensor<?x4x8x8xf32>, tensor<2x4x1x1xf32>) -> tensor<?x2x8x8xf32>
  return %y : tensor<?x2x8x8xf32>
}

// -----

// A layer can be first and last: the first conv's output is also returned,
// concatenated with the second's. last_bit is applied after first_bit and
// wins; the second conv reads no argument but is last.
// CHECK-LABEL: func.func @first_and_last
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 6 : i64}
// CHECK: qnn.fake_quant lsq activation %arg0 {{.*}}{bits = 6 : i64}
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 6 : i64}
// CHECK: qnn.fake_quant lsq activation %{{.*}}{bits = 6 : i64}
// CHECK: qnn.concat
func.func @first_and_last(%x: tensor<?x4x8x8xf32>) -> tensor<?x8x8x8xf32> attributes {qnn.policy = "lsq,fm_bit=4,wt_bit=4,first_bit=8,last_bit=6"} {
  %w0 = arith.constant dense<0.5> : tensor<4x4x1x1xf32>
  %w1 = arith.constant dense<0.5> : tensor<4x4x1x1xf32>
  %h0 = qnn.conv2d %x, %w0 : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %h1 = qnn.conv2d %h0, %w1 : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %y = qnn.concat %h0, %h1 {axis = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) -> tensor<?x8x8x8xf32>
  return %y : tensor<?x8x8x8xf32>
}

// -----

// Two inputs, each read by a conv (one through a normalization, as an
// imported model subtracts its mean): both are first layers. The conv that
// reads their concatenation is not; the linear after a flatten is last.
// CHECK-LABEL: func.func @two_inputs
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 8 : i64}
// CHECK: qnn.fake_quant lsq activation %{{.*}}{bits = 8 : i64}
// CHECK: qnn.conv2d
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 8 : i64}
// CHECK: qnn.fake_quant lsq activation %arg1 {{.*}}{bits = 8 : i64}
// CHECK: qnn.conv2d
// CHECK: qnn.concat
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 4 : i64}
// CHECK: qnn.fake_quant lsq activation %{{.*}}{bits = 4 : i64}
// CHECK: qnn.conv2d
// CHECK: qnn.flatten
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 6 : i64}
// CHECK: qnn.fake_quant lsq activation %{{.*}}{bits = 6 : i64}
// CHECK: qnn.linear
func.func @two_inputs(%a: tensor<?x2x2x2xf32>, %b: tensor<?x2x2x2xf32>) -> tensor<?x3xf32> attributes {qnn.policy = "lsq,fm_bit=4,wt_bit=4,first_bit=8,last_bit=6"} {
  %mean = arith.constant dense<0.5> : tensor<1x2x1x1xf32>
  %wa = arith.constant dense<0.5> : tensor<2x2x1x1xf32>
  %wb = arith.constant dense<0.5> : tensor<2x2x1x1xf32>
  %wc = arith.constant dense<0.5> : tensor<2x4x1x1xf32>
  %wl = arith.constant dense<0.5> : tensor<3x8xf32>
  %an = qnn.sub %a, %mean : (tensor<?x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<?x2x2x2xf32>
  %ha = qnn.conv2d %an, %wa : (tensor<?x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x2x2xf32>
  %hb = qnn.conv2d %b, %wb : (tensor<?x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x2x2xf32>
  %c = qnn.concat %ha, %hb {axis = 1 : i64} : (tensor<?x2x2x2xf32>, tensor<?x2x2x2xf32>) -> tensor<?x4x2x2xf32>
  %hc = qnn.conv2d %c, %wc : (tensor<?x4x2x2xf32>, tensor<2x4x1x1xf32>) -> tensor<?x2x2x2xf32>
  %f = qnn.flatten %hc : (tensor<?x2x2x2xf32>) -> tensor<?x8xf32>
  %y = qnn.linear %f, %wl : (tensor<?x8xf32>, tensor<3x8xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// quant_scope quantizes only the layers it selects (here the backbone, by
// name: `stem` and the glob `backbone.*`); the FPN and head convs stay float
// although last_bit would quantize the head. Overrides still apply on top:
// layer.fpn.enable=true quantizes the FPN conv.
// CHECK-LABEL: func.func @quant_scope
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 8 : i64}
// CHECK: qnn.fake_quant lsq activation %arg0 {{.*}}{bits = 8 : i64}
// CHECK: qnn.conv2d {{.*}} {qnn.name = "stem"}
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 4 : i64}
// CHECK: qnn.fake_quant lsq activation %{{.*}}{bits = 4 : i64}
// CHECK: qnn.conv2d {{.*}} {qnn.name = "backbone.conv1"}
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 4 : i64}
// CHECK: qnn.fake_quant lsq activation %{{.*}}{bits = 4 : i64}
// CHECK: qnn.conv2d {{.*}} {qnn.name = "backbone.conv2"}
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 4 : i64}
// CHECK: qnn.fake_quant lsq activation %{{.*}}{bits = 4 : i64}
// CHECK: qnn.conv2d {{.*}} {qnn.name = "fpn"}
// CHECK-NOT: qnn.fake_quant
// CHECK: qnn.conv2d %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {qnn.name = "head.cls"}
// CHECK-NOT: qnn.fake_quant
// CHECK: qnn.conv2d %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {qnn.name = "head.box"}
func.func @quant_scope(%x: tensor<?x4x8x8xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) attributes {qnn.policy = "lsq,fm_bit=4,wt_bit=4,first_bit=8,last_bit=8,quant_scope=stem|backbone.*,layer.fpn.enable=true"} {
  %w0 = arith.constant dense<0.5> : tensor<4x4x1x1xf32>
  %w1 = arith.constant dense<0.25> : tensor<4x4x1x1xf32>
  %w2 = arith.constant dense<0.125> : tensor<4x4x1x1xf32>
  %w3 = arith.constant dense<0.5> : tensor<4x4x1x1xf32>
  %w4 = arith.constant dense<0.25> : tensor<4x4x1x1xf32>
  %w5 = arith.constant dense<0.125> : tensor<4x4x1x1xf32>
  %h0 = qnn.conv2d %x, %w0 {qnn.name = "stem"} : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %h1 = qnn.conv2d %h0, %w1 {qnn.name = "backbone.conv1"} : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %h2 = qnn.conv2d %h1, %w2 {qnn.name = "backbone.conv2"} : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %p = qnn.conv2d %h2, %w3 {qnn.name = "fpn"} : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %cls = qnn.conv2d %p, %w4 {qnn.name = "head.cls"} : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %box = qnn.conv2d %p, %w5 {qnn.name = "head.box"} : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  return %cls, %box : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>
}

// -----

// The same scope by index: the range `:3` is layers 0, 1 and 2 (half open,
// as a Python slice).
// CHECK-LABEL: func.func @quant_scope_range
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 8 : i64}
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 4 : i64}
// CHECK: qnn.fake_quant lsq weight %{{.*}} {bits = 4 : i64}
// CHECK: %[[BACKBONE:.*]] = qnn.conv2d
// CHECK-NOT: qnn.fake_quant
// CHECK: qnn.conv2d %[[BACKBONE]], %{{[a-z0-9_]+}} :
// CHECK-NOT: qnn.fake_quant
// CHECK: qnn.conv2d %[[BACKBONE]], %{{[a-z0-9_]+}} :
func.func @quant_scope_range(%x: tensor<?x4x8x8xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) attributes {qnn.policy = "lsq,fm_bit=4,wt_bit=4,first_bit=8,last_bit=8,quant_scope=:3"} {
  %w0 = arith.constant dense<0.5> : tensor<4x4x1x1xf32>
  %w1 = arith.constant dense<0.25> : tensor<4x4x1x1xf32>
  %w2 = arith.constant dense<0.125> : tensor<4x4x1x1xf32>
  %w3 = arith.constant dense<0.5> : tensor<4x4x1x1xf32>
  %h0 = qnn.conv2d %x, %w0 : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %h1 = qnn.conv2d %h0, %w1 : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %h2 = qnn.conv2d %h1, %w2 : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %cls = qnn.conv2d %h2, %w3 : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %box = qnn.conv2d %h2, %w3 : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  return %cls, %box : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>
}
