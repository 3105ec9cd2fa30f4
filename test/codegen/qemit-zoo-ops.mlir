// silu, gelu (erf and tanh), erf, reduce_mean, sqrt, pow, tanh, layer_norm
// and expand (#19), group_norm (#16) as plan steps: their
// parameters in the emitted C++, and the emitted program equal to qrun bit
// for bit (the same qrt kernels).
// RUN: qemit %s --name zoo --print-cpp | FileCheck %s
// RUN: rm -rf %t && mkdir -p %t
// RUN: qemit %s --name zoo -o %t/prog > %t/wrote.log
// RUN: %cmake --install %qopt_obj --prefix %t/prefix > %t/install.log
// RUN: %consumer_cmake -S %t/prog -B %t/build -DCMAKE_PREFIX_PATH=%t/prefix > %t/configure.log
// RUN: %cmake --build %t/build > %t/build.log
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.random.default_rng(0).standard_normal((2, 4, 4, 4)).astype(np.float32) * 3)"
// RUN: %t/build/zoo-run --input %t/x.npy --output %t/emitted0.npy --output %t/emitted1.npy --output %t/emitted2.npy
// RUN: qrun %s --input %t/x.npy --output %t/interpreted0.npy --output %t/interpreted1.npy --output %t/interpreted2.npy
// RUN: cmp %t/emitted0.npy %t/interpreted0.npy
// RUN: cmp %t/emitted1.npy %t/interpreted1.npy
// RUN: cmp %t/emitted2.npy %t/interpreted2.npy

// CHECK: static const qrt::exec::GroupNormParams group_norm = {.groups = 2};
// CHECK: static const qrt::exec::NoParams silu = {};
// CHECK: static const qrt::exec::GeluParams gelu = {};
// CHECK: static const qrt::exec::GeluParams gelu_2 = {.tanh = true};
// CHECK: static const qrt::exec::NoParams erf = {};
// CHECK: static const qrt::exec::ReduceParams reduce_mean = {.axes = {1}};
// CHECK: static const qrt::exec::ReduceParams reduce_mean_2 = {.axes = {2, 3}, .keepDims = false};
// CHECK: static const qrt::exec::PowParams pow = {.exponent = 0x1p+1f};
// CHECK: static const qrt::exec::NoParams tanh = {};
// CHECK: static const qrt::exec::LayerNormParams layer_norm = {.axis = 2, .epsilon = 0x1.0c6f7ap-20f};
// CHECK: static const qrt::exec::ExpandParams expand = {.axes = {0, 2}};
// CHECK: qrt::exec::group_norm(
// CHECK: qrt::exec::silu(
// CHECK: qrt::exec::gelu(
// CHECK: qrt::exec::gelu(
// CHECK: qrt::exec::erf(
// CHECK: qrt::exec::reduce_mean(
// CHECK: qrt::exec::reduce_mean(
// CHECK: qrt::exec::tanh(
func.func @main(%x: tensor<?x4x4x4xf32>) -> (tensor<?x1x4x4xf32>, tensor<?x4xf32>, tensor<?x1x4x4xf32>) {
  %gs = arith.constant dense<[1.5, 0.5, 1.0, 2.0]> : tensor<4xf32>
  %gb = arith.constant dense<[0.25, -0.5, 0.0, 1.0]> : tensor<4xf32>
  %gn = qnn.group_norm %x, %gs, %gb {num_groups = 2 : i64} : tensor<?x4x4x4xf32>, tensor<4xf32>
  %0 = qnn.silu %gn : tensor<?x4x4x4xf32>
  %1 = qnn.gelu %0 : tensor<?x4x4x4xf32>
  %2 = qnn.gelu %1 {approximate = "tanh"} : tensor<?x4x4x4xf32>
  %3 = qnn.erf %2 : tensor<?x4x4x4xf32>
  %4 = qnn.reduce_mean %3 {axes = array<i64: 1>} : (tensor<?x4x4x4xf32>) -> tensor<?x1x4x4xf32>
  %5 = qnn.reduce_mean %3 {axes = array<i64: 2, 3>, keepdims = false} : (tensor<?x4x4x4xf32>) -> tensor<?x4xf32>
  %6 = qnn.pow %4 {exponent = 2.0 : f64} : tensor<?x1x4x4xf32>
  %7 = qnn.sqrt %6 : tensor<?x1x4x4xf32>
  %g = arith.constant dense<[[1.5, 0.5, 1.0, 2.0], [1.0, 1.0, 0.75, 1.25], [0.5, 0.5, 1.0, 1.0], [2.0, 1.0, 1.0, 0.25]]> : tensor<4x4xf32>
  %b = arith.constant dense<0.125> : tensor<4x4xf32>
  %th = qnn.tanh %7 : tensor<?x1x4x4xf32>
  %8 = qnn.layer_norm %th, %g, %b {axis = 2 : i64, epsilon = 1.0e-6 : f64} : tensor<?x1x4x4xf32>, tensor<4x4xf32>
  %t = arith.constant dense<[[[[0.5, -1.0, 2.0, 0.25]]]]> : tensor<1x1x1x4xf32>
  %9 = qnn.expand %t, %x {axes = array<i64: 0, 2>} : (tensor<1x1x1x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x1x4x4xf32>
  return %8, %5, %9 : tensor<?x1x4x4xf32>, tensor<?x4xf32>, tensor<?x1x4x4xf32>
}
