// What qemit cannot emit is reported at the argument, with a non-zero
// exit: a dimension other than the batch that is dynamic (an op that no
// kernel computes: qemit-unsupported.mlir).
// RUN: not qemit %s --print-cpp 2>&1 | FileCheck %s
// RUN: not qemit %s -o %t 2>&1 | FileCheck %s
// RUN: not qemit %s --name 9lives --print-cpp 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: not qemit %s 2>&1 | FileCheck %s --check-prefix=NODIR
// CHECK: 13:19: error: dimension 2 of argument 0 is dynamic; an emitted program takes a dynamic batch (dimension 0) only
// NAME: error: --name '9lives' is not a C identifier
// NODIR: error: give the program directory with -o DIR
module {
  ml_program.global private mutable @g(dense<0.0> : tensor<2x3xf32>) : tensor<2x3xf32>
  func.func @main(%dy: tensor<?x3x?xf32>, %x: tensor<2x3xf32>) -> tensor<2x3xf32> {
    %dx = qnn.clip_grad %x, %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<2x3xf32>
    ml_program.global_store @g = %dx : tensor<2x3xf32>
    return %dx : tensor<2x3xf32>
  }
}
