//===- CollectiveKernels.cu - the device side of all_reduce ---------------===//
//
// The rank's gradient weighed by its share of the global batch before NCCL
// sums it (ExecCollective.cpp): the CPU all_reduce's float product.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/TrainCommon.cuh"

namespace qrt {
namespace cuda {
namespace {

struct ScaleByValueOp {
  const float *x;
  float s;
  float *y;
  __device__ void operator()(int64_t i) const { y[i] = x[i] * s; }
};

} // namespace

Status scaleByValue(const float *x, float s, int64_t numel, float *y,
                    Stream stream) {
  QRT_RETURN_IF_ERROR(detail::checkPtrs(numel, "scaleByValue", {x, y}));
  return detail::forEach(numel, ScaleByValueOp{x, s, y}, stream,
                         "scaleByValue");
}

} // namespace cuda
} // namespace qrt
