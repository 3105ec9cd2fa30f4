//===- ExecKernel.h - defining a CUDA kernel of Kernels.def -----*- C++ -*-===//
//
// Private to runtime/cuda/Exec*.cpp. QRT_CUDA_DEFINE_KERNEL(name, Params)
// { body } defines qrt::cuda::exec::name (listed in runtime/cuda/
// Kernels.def), whose body returns a Status and runs through
// Context::runStep, as the CPU's QRT_DEFINE_KERNEL.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_EXECKERNEL_H
#define QRT_CUDA_EXECKERNEL_H

#include "runtime/ExecKernel.h"
#include "runtime/cuda/CudaKernels.h"
#include "runtime/cuda/Exec.h"
#include "runtime/cuda/Precision.h"
#include "runtime/cuda/TrainKernels.h"

#define QRT_CUDA_DEFINE_KERNEL(name, Params)                                   \
  static ::qrt::Status name##Body(::qrt::cuda::exec::Context &ctx,             \
                                  const ::qrt::exec::StepIO &io,               \
                                  const ::qrt::exec::Params &p);               \
  void qrt::cuda::exec::name(Context &ctx, const StepIO &io,                   \
                             const ::qrt::exec::Params &p) {                   \
    ctx.runStep(io, [&] { return name##Body(ctx, io, p); });                   \
  }                                                                            \
  static ::qrt::Status name##Body(::qrt::cuda::exec::Context &ctx,             \
                                  const ::qrt::exec::StepIO &io,               \
                                  const ::qrt::exec::Params &p)

namespace qrt {
namespace cuda {
namespace exec {

using qrt::exec::optionalIn;
using qrt::exec::PlanCache;

/// Fails unless `t` is defined with dtype `dtype` ("operand 0 of relu must
/// be f32, got u8").
Status expectDType(const DeviceTensor &t, DType dtype, const char *what);

/// The host tensor `t` uploaded once into `cache` (a parameter of the
/// plan: a quantizer grid, a bias).
Expected<const DeviceTensor *> uploadOnce(DeviceTensor &cache, const Tensor &t,
                                          Stream stream);

/// The compute precision of the float conv / linear layers: fp16 under
/// mixed precision (Amp), else fp32.
inline Precision layerPrecision(const Context &ctx) {
  return ctx.amp().enabled ? Precision::F16 : Precision::F32;
}

/// A host copy of the operand in slot `s` (undefined for an absent one;
/// synchronizes the stream): weights and biases read back once when a
/// plan is made, small tensors a CPU function computes on.
Expected<Tensor> hostOperand(const Context &ctx, Slot s);

/// A step's own device buffer of `shape` and `dtype` (its intermediate
/// values between library calls), kept in `keep` across runs and
/// reallocated only when the size changes.
Expected<DeviceTensor> scratch(DeviceTensor &keep, const Shape &shape,
                               DType dtype);

/// A quantizer grid's parameters on the device, uploaded once.
struct DeviceGrid {
  DeviceTensor scale, zeroPoint;
  Status upload(const qrt::exec::QuantGrid &g, Stream stream);
};

/// The granularity of `axis` (-1: per tensor) on a tensor of `shape`.
Granularity granularityOn(int64_t axis, int64_t groups, const Shape &shape);

/// qrt::quantize of the device tensor x by the grid `g` (uploaded into
/// `dg`) into `q` (of x's shape and g.dtype).
Status quantizeOnDevice(const DeviceTensor &x, const qrt::exec::QuantGrid &g,
                        DeviceGrid &dg, const DeviceTensor &q, Stream stream);

} // namespace exec
} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_EXECKERNEL_H
