// An op that no kernel of runtime/Kernels.def computes is reported at its
// location, with a non-zero exit and no program written.
// RUN: rm -rf %t
// RUN: not qemit %s -o %t 2>&1 | FileCheck %s
// RUN: test ! -e %t
// CHECK: 9:8: error: no kernel of runtime/Kernels.def computes 'arith.addf' (neither qrun nor qemit can run it)
// CHECK-NOT: error
func.func @main(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %y = arith.addf %x, %x : tensor<?x3xf32>
  %z = qnn.relu %y : tensor<?x3xf32>
  return %z : tensor<?x3xf32>
}
