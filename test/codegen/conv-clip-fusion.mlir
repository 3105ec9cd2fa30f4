// A clip (ReLU6) after an fp32 conv runs inside the conv's step (oneDNN's
// eltwise_clip post-op, the CUDA epilogue's emath::clip), after the bias and
// a fused residual add, as a ReLU does: no clip step is left, the values are
// a float64 oracle's, and the emitted program computes qrun's bits.
// RUN: qemit %s --name cf --print-cpp | FileCheck %s
// RUN: qemit %s --name cf --target cuda --print-cpp | FileCheck %s --check-prefix=CUDA
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', (np.random.default_rng(0).standard_normal((2, 2, 5, 5)) * 3).astype(np.float32))"
// RUN: qrun %s --input %t/x.npy --output %t/interpreted.npy
// RUN: %python %S/Inputs/conv_clip_oracle.py %t/x.npy %t/interpreted.npy
// RUN: qemit %s --name cf -o %t/prog > %t/qemit.log
// RUN: %cmake --install %qopt_obj --prefix %t/prefix > %t/install.log
// RUN: %consumer_cmake -S %t/prog -B %t/build -DCMAKE_PREFIX_PATH=%t/prefix > %t/configure.log
// RUN: %cmake --build %t/build > %t/build.log
// RUN: %t/build/cf-run --input %t/x.npy --output %t/emitted.npy
// RUN: cmp %t/emitted.npy %t/interpreted.npy

// CHECK: static const qrt::exec::ConvF32 expand = {.conv = {{{.*}}.fuseClip = true, .clipMax = 0x1.8p+2f
// CHECK: static const qrt::exec::ConvF32 dw = {.conv = {{{.*}}.groups = 3, .fuseSum = true, .fuseClip = true, .clipMin = -0x1p+0f, .clipMax = 0x1.8p+0f
// CHECK: void cf_forward(
// CHECK-NEXT: qrt::exec::conv2d({{.*}}forward::expand);
// CHECK-NEXT: qrt::exec::conv2d({{.*}}forward::dw);
// CHECK-NEXT: return;

// CUDA: static const qrt::exec::ConvF32 expand = {.conv = {{{.*}}.fuseClip = true, .clipMax = 0x1.8p+2f
// CUDA-NOT: exec::clip(

func.func @main(%x: tensor<?x2x5x5xf32>) -> tensor<?x3x5x5xf32> {
  %w = arith.constant dense<[[[[0.5, -0.25, 0.125], [1.0, 0.0, -1.0], [0.25, 0.5, 0.75]], [[-0.5, 0.25, 1.5], [0.0, 1.0, 0.0], [-0.75, 0.5, 0.25]]], [[[1.5, 1.25, 0.5], [1.0, 2.0, 1.0], [0.25, 0.5, 0.75]], [[0.5, 0.25, 1.5], [0.0, 1.0, 0.0], [0.75, 0.5, 0.25]]], [[[-1.5, 1.25, -0.5], [1.0, -2.0, 1.0], [0.25, -0.5, 0.75]], [[0.5, -0.25, 1.5], [0.0, 1.0, 0.0], [-0.75, 0.5, -0.25]]]]> : tensor<3x2x3x3xf32> loc("expand_weight")
  %b = arith.constant dense<[0.1, -0.2, 0.3]> : tensor<3xf32> loc("expand_bias")
  %c = qnn.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<?x3x5x5xf32> loc("expand")
  %r = qnn.clip %c {min = 0.0 : f64, max = 6.0 : f64} : tensor<?x3x5x5xf32> loc("expand_relu6")
  %w2 = arith.constant dense<-0.375> : tensor<3x1x3x3xf32> loc("dw_weight")
  %d = qnn.conv2d %r, %w2 {groups = 3 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x5x5xf32>, tensor<3x1x3x3xf32>) -> tensor<?x3x5x5xf32> loc("dw")
  %s = qnn.add %d, %r : (tensor<?x3x5x5xf32>, tensor<?x3x5x5xf32>) -> tensor<?x3x5x5xf32> loc("residual")
  %y = qnn.clip %s {min = -1.0 : f64, max = 1.5 : f64} : tensor<?x3x5x5xf32> loc("out_clip")
  return %y : tensor<?x3x5x5xf32>
}
