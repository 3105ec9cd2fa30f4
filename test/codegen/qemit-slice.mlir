// qnn.slice as a network plan step (#19: ShuffleNet's channel split, as the
// importers write it) with a dynamic batch: its parameters in the emitted
// C++, its output placed in the arena like any fresh result, and the
// emitted program equal to qrun bit for bit (the same qrt kernel).
// RUN: qemit %s --name shuffle --print-cpp | FileCheck %s
// RUN: qemit %s --print-arena | FileCheck %s --check-prefix=ARENA
// RUN: rm -rf %t && mkdir -p %t
// RUN: qemit %s --name shuffle -o %t/prog > %t/wrote.log
// RUN: %cmake --install %qopt_obj --prefix %t/prefix > %t/install.log
// RUN: %consumer_cmake -S %t/prog -B %t/build -DCMAKE_PREFIX_PATH=%t/prefix > %t/configure.log
// RUN: %cmake --build %t/build > %t/build.log
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.random.default_rng(0).standard_normal((3, 8, 4, 4)).astype(np.float32))"
// RUN: %t/build/shuffle-run --input %t/x.npy --output %t/emitted.npy
// RUN: qrun %s --input %t/x.npy --output %t/interpreted.npy
// RUN: cmp %t/emitted.npy %t/interpreted.npy
// RUN: %python -c "import numpy as np; x = np.load('%t/x.npy'); y = np.load('%t/interpreted.npy'); r = np.maximum(x[:, 4:], 0); e = np.concatenate([x[:, :4], r], 1).reshape(3, 2, 4, 4, 4).transpose(0, 2, 1, 3, 4).reshape(3, 8, 4, 4); print(np.array_equal(y, e))" | FileCheck %s --check-prefix=NUMPY
// NUMPY: True

// CHECK: static const qrt::exec::SliceParams slice = {.axis = 1, .shape = {-1, 4, 4, 4}};
// CHECK: static const qrt::exec::SliceParams slice_2 = {.axis = 1, .start = 4, .shape = {-1, 4, 4, 4}};
// CHECK: qrt::exec::slice(
// CHECK: qrt::exec::slice(

// ARENA: slice (slot 1): [{{[0-9]+}}, {{[0-9]+}}) live 0..3
// ARENA: slice_2 (slot 2): [{{[0-9]+}}, {{[0-9]+}}) live 1..2
// ARENA: checked: no two tensors live at the same step share a byte
func.func @main(%x: tensor<?x8x4x4xf32>) -> tensor<?x8x4x4xf32> {
  %keep = qnn.slice %x {axis = 1, start = 0} : (tensor<?x8x4x4xf32>) -> tensor<?x4x4x4xf32>
  %work = qnn.slice %x {axis = 1, start = 4} : (tensor<?x8x4x4xf32>) -> tensor<?x4x4x4xf32>
  %r = qnn.relu %work : tensor<?x4x4x4xf32>
  %cat = qnn.concat %keep, %r {axis = 1} : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x8x4x4xf32>
  %g = qnn.reshape %cat : (tensor<?x8x4x4xf32>) -> tensor<?x2x4x4x4xf32>
  %t = qnn.transpose %g {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<?x2x4x4x4xf32>) -> tensor<?x4x2x4x4xf32>
  %y = qnn.reshape %t : (tensor<?x4x2x4x4xf32>) -> tensor<?x8x4x4xf32>
  return %y : tensor<?x8x4x4xf32>
}
