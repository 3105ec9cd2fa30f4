//===- RequantKernels.cu - the int8 requantization epilogues --------------===//
//
// i32 accumulators to u8 / i8, per element, in the two forms qrt's CPU code
// has: the fixed-point requantize (qmath::requantizeValue /
// requantizeResidualValue, IntKernels.cpp's requantize) and the fused
// layer's epilogue (requant::apply, IntKernels.cpp's applyEpilogue). The
// accumulators come from any integer GEMM / convolution (cuBLASLt and cuDNN
// write INT32), so the rounding is ours and matches the CPU's.
//
//===----------------------------------------------------------------------===//

#include "runtime/QuantMath.h"
#include "runtime/Requant.h"
#include "runtime/cuda/CudaStatus.h"
#include "runtime/cuda/Grid.h"
#include "runtime/cuda/Launch.h"

namespace qrt {
namespace cuda {
namespace detail {
namespace {

namespace qm = qmath;

template <typename R>
__device__ inline int32_t residualAt(const void *r, int64_t i) {
  return static_cast<const R *>(r)[i];
}

template <typename R, typename Y>
__global__ void requantizeKernel(RequantizeArgs a) {
  int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < a.n;
       i += step) {
    int64_t c = a.perChannel ? (i / a.inner) % a.channels : 0;
    qm::FixedPointMultiplier m = a.multipliers[c];
    int32_t q = a.residual ? qm::requantizeResidualValue(
                                 a.acc[i], m, residualAt<R>(a.residual, i),
                                 a.residualZeroPoint, a.residualMultiplier,
                                 a.zeroPoint, a.qmin, a.qmax)
                           : qm::requantizeValue(a.acc[i], m, a.zeroPoint,
                                                 a.qmin, a.qmax);
    static_cast<Y *>(a.y)[i] = static_cast<Y>(q);
  }
}

template <typename R, typename Y>
__global__ void epilogueKernel(EpilogueArgs a) {
  const requant::Epilogue *table =
      static_cast<const requant::Epilogue *>(a.table);
  int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < a.n;
       i += step) {
    int64_t c = a.channelsLast ? i % a.channels : (i / a.inner) % a.channels;
    // Read before the write: the residual may be y itself.
    int32_t r = a.residual ? residualAt<R>(a.residual, i) : 0;
    static_cast<Y *>(a.y)[i] =
        static_cast<Y>(requant::apply(a.acc[i], r, table[c]));
  }
}

template <typename R, typename Y>
Status requantizeAs(const RequantizeArgs &a, cudaStream_t s) {
  requantizeKernel<R, Y><<<gridFor(a.n), kThreads, 0, s>>>(a);
  return checkLaunch("requantize");
}
template <typename R, typename Y>
Status epilogueAs(const EpilogueArgs &a, cudaStream_t s) {
  epilogueKernel<R, Y><<<gridFor(a.n), kThreads, 0, s>>>(a);
  return checkLaunch("int8 epilogue");
}

} // namespace

Status launchRequantize(const RequantizeArgs &a, void *stream) {
  if (a.n == 0)
    return Status::ok();
  cudaStream_t s = detail::stream(stream);
  if (a.residualU8)
    return a.outputU8 ? requantizeAs<uint8_t, uint8_t>(a, s)
                      : requantizeAs<uint8_t, int8_t>(a, s);
  return a.outputU8 ? requantizeAs<int8_t, uint8_t>(a, s)
                    : requantizeAs<int8_t, int8_t>(a, s);
}

Status launchEpilogue(const EpilogueArgs &a, void *stream) {
  if (a.n == 0)
    return Status::ok();
  cudaStream_t s = detail::stream(stream);
  // The residual has the output's dtype (checkEpilogue).
  return a.outputU8 ? epilogueAs<uint8_t, uint8_t>(a, s)
                    : epilogueAs<int8_t, int8_t>(a, s);
}

} // namespace detail
} // namespace cuda
} // namespace qrt
