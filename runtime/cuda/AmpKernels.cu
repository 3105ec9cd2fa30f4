//===- AmpKernels.cu - the loss scaling of mixed-precision training -------===//

#include "runtime/cuda/AmpKernels.h"
#include "runtime/cuda/TrainCommon.cuh"

#include <cmath>

namespace qrt {
namespace cuda {
namespace {

struct ScaleOp {
  const float *x, *s;
  float *y;
  __device__ void operator()(int64_t i) const { y[i] = x[i] * s[0]; }
};

struct FlagOp {
  const float *x;
  int32_t *flag;
  __device__ void operator()(int64_t i) const {
    if (!isfinite(x[i]))
      *flag = 1;
  }
};

} // namespace

Status scaleBy(const float *x, const float *s, int64_t numel, float *y,
               Stream stream) {
  QRT_RETURN_IF_ERROR(detail::checkPtrs(numel, "scaleBy", {x, s, y}));
  return detail::forEach(numel, ScaleOp{x, s, y}, stream, "scaleBy");
}

Status flagNonFinite(const float *x, int64_t numel, int32_t *flag,
                     Stream stream) {
  QRT_RETURN_IF_ERROR(detail::checkPtrs(numel, "flagNonFinite", {x, flag}));
  return detail::forEach(numel, FlagOp{x, flag}, stream, "flagNonFinite");
}

} // namespace cuda
} // namespace qrt
