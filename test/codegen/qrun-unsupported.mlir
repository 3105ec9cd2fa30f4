// Every op the interpreter cannot run is reported, each at its location.
// RUN: not qrun %s 2>&1 | FileCheck %s
// CHECK: error: qrun: 'qnn.observe' is not supported by the interpreter yet
// CHECK: error: qrun: adaptive normalization is not supported by the interpreter yet
func.func @main(%x: tensor<4xf32>, %s: tensor<f32>) -> tensor<4xf32> {
  %o = qnn.observe min_max activation %x {bits = 8} : tensor<4xf32>
  %w = qnn.fake_quant lsq weight %o scale(%s : tensor<f32>) adaptive var_mean {bits = 4} : tensor<4xf32>
  return %w : tensor<4xf32>
}
