// qemit --target cuda prints the plan's steps against the CUDA back end
// (qrt::cuda::exec, runtime/cuda/Exec.h) with the CPU's parameters, and a
// CMake project over the installed qrt::qrt_cuda. A step without a CUDA
// kernel (runtime/cuda/Kernels.def) is refused at its op, nothing written.
// RUN: rm -rf %t && mkdir -p %t
// RUN: qemit %s --target cuda -o %t/prog --name small | FileCheck %s --check-prefix=WROTE
// WROTE: qemit: wrote {{.*}}prog/ (small.cpp, small.h, small_program.cpp, main.cpp, CMakeLists.txt, small.weights): 2 steps on CUDA
// RUN: FileCheck %s --check-prefix=CPP < %t/prog/small.cpp
// CPP: #include "runtime/cuda/Exec.h"
// CPP: static const qrt::exec::StepIO relu_io =
// CPP: void small_forward(qrt::cuda::exec::Context & [[CTX:v[0-9]+]]) {
// CPP-NEXT: qrt::cuda::exec::relu([[CTX]], forward::relu_io, forward::relu);
// CPP-NEXT: qrt::cuda::exec::flatten([[CTX]], forward::flatten_io, forward::flatten);
// RUN: FileCheck %s --check-prefix=PROGRAM < %t/prog/small_program.cpp
// PROGRAM: #include "runtime/cuda/Program.h"
// PROGRAM: const qrt::cuda::exec::ProgramSpec &small_forward_spec() {
// PROGRAM: std::unique_ptr<qrt::cuda::exec::Program> program;
// RUN: FileCheck %s --check-prefix=MAIN < %t/prog/main.cpp
// MAIN: return qrt::cuda::exec::programMainWithWeights(argc, argv, small_forward_spec());
// RUN: FileCheck %s --check-prefix=CMAKE < %t/prog/CMakeLists.txt
// CMAKE: find_package(qrt CONFIG REQUIRED)
// CMAKE-NEXT: if(NOT TARGET qrt::qrt_cuda)
// CMAKE: find_package(CUDAToolkit REQUIRED)
// CMAKE: target_link_libraries(small PUBLIC qrt::qrt_cuda CUDA::cudart)
//
// The CPU program of the same function is unchanged by the option.
// RUN: qemit %s --target cpu --print-cpp | FileCheck %s --check-prefix=CPU
// CPU: qrt::exec::relu(
//
// RUN: not qemit %s --target gpu -o %t/bad 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: qemit: error: --target 'gpu' is not a target (cpu, cuda)
// RUN: not qemit %s --entry upsample --target cuda -o %t/none 2>&1 | FileCheck %s --check-prefix=NOKERNEL
// NOKERNEL: 41:8: error: qrt has no CUDA kernel for resize yet (runtime/cuda/Kernels.def lists those it has); emit this function for the CPU
// RUN: test ! -e %t/none && test ! -e %t/bad
func.func @main(%x: tensor<?x4x2x2xf32>) -> tensor<?x16xf32> {
  %r = qnn.relu %x : tensor<?x4x2x2xf32>
  %f = qnn.flatten %r : (tensor<?x4x2x2xf32>) -> tensor<?x16xf32>
  return %f : tensor<?x16xf32>
}
func.func @upsample(%x: tensor<?x4x4x4xf32>) -> tensor<?x4x8x8xf32> {
  %u = qnn.resize nearest asymmetric %x {nearest_mode = #qnn<nearest_mode floor>} : (tensor<?x4x4x4xf32>) -> tensor<?x4x8x8xf32>
  return %u : tensor<?x4x8x8xf32>
}
