//===- AmpKernels.h - the loss scaling of mixed-precision training -*- C++ -*-//
//
// The device half of runtime/LossScaler.h (docs/codegen.md, "Mixed
// precision"): the loss gradient is multiplied by the scale, the parameter
// gradients multiplied by its inverse before the optimizers use them, and
// a non-finite gradient raises a flag the host reads after the step.
// Conventions of CudaKernels.h: device pointers, a stream, no allocation.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_AMPKERNELS_H
#define QRT_CUDA_AMPKERNELS_H

#include "runtime/cuda/CudaBuffer.h"

namespace qrt {
namespace cuda {

/// y = x * s[0] (s a device scalar); y may be x.
Status scaleBy(const float *x, const float *s, int64_t numel, float *y,
               Stream stream = nullptr);
/// *flag = 1 when any of x is NaN or infinite (else *flag is not written:
/// the caller zeroes it once per step). Race-free: every writer stores 1.
Status flagNonFinite(const float *x, int64_t numel, int32_t *flag,
                     Stream stream = nullptr);

} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_AMPKERNELS_H
