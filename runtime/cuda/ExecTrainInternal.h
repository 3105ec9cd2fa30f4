//===- ExecTrainInternal.h - the training kernels' checks -------*- C++ -*-===//
//
// Private to runtime/cuda/ExecTrain.cpp, ExecQuantGrad.cpp and
// ExecCollective.cpp (defined in ExecTrain.cpp): the operand and result
// checks the training kernels repeat from the CPU functions before they
// queue anything.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_EXECTRAININTERNAL_H
#define QRT_CUDA_EXECTRAININTERNAL_H

#include "runtime/cuda/ExecKernel.h"

namespace qrt {
namespace cuda {
namespace exec {

/// Operand `i` of the step; undefined when absent.
inline const DeviceTensor &operandOf(const Context &ctx, const StepIO &io,
                                     size_t i) {
  return ctx.operand(optionalIn(io, i));
}

/// Fails unless the step has `n` result slots (a plan's step for the kernel
/// has them; this keeps a malformed step from indexing past its list).
Status expectResults(const StepIO &io, size_t n, const char *kernel);

/// f32 with `n` elements (TrainOps.cpp's checkChannelParam, FakeQuant.cpp's
/// checkParam: "<what> must have 3 elements, got [4]").
Status expectElements(const DeviceTensor &t, int64_t n, const char *what);

/// The host value of an f32 scalar, 0 for any other tensor (the CPU's
/// scalarValue); synchronizes the stream.
Expected<float> hostScalarOf(const DeviceTensor &t, Stream stream);

/// Queues zeros into `t`'s bytes.
Status zeroFill(const DeviceTensor &t, Stream stream);

} // namespace exec
} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_EXECTRAININTERNAL_H
