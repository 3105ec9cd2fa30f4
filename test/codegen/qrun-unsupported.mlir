// Every op the interpreter cannot run is reported, each at its location.
// RUN: not qrun %s 2>&1 | FileCheck %s
// CHECK: 7:8: error: an observer needs a name to report its result under
// (line 8: adaptive var_mean runs in qrun since #20)
// CHECK: 9:8: error: storage type 'i16' is not supported (i8, u8, i32)
func.func @main(%x: tensor<4xf32>, %s: tensor<f32>) -> tensor<4x!quant.uniform<i16:f32, 0.1>> {
  %o = qnn.observe min_max activation %x {bits = 8} : tensor<4xf32>
  %w = qnn.fake_quant lsq weight %o scale(%s : tensor<f32>) adaptive var_mean {bits = 4} : tensor<4xf32>
  %q = qnn.quantize %w : tensor<4xf32> -> tensor<4x!quant.uniform<i16:f32, 0.1>>
  return %q : tensor<4x!quant.uniform<i16:f32, 0.1>>
}
