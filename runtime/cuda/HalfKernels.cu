//===- HalfKernels.cu - the casts of the fp16 plans -----------------------===//
//
// HalfLaunchInternal.h's kernels: grid-stride loops over the destination,
// elements through runtime/HalfMath.h (integer code: the same bits as the
// host reference, and as cvt.rn.f16.f32), and the fp32 convolution
// epilogue of DnnKernels.cu (bias, then the sum addend, then ReLU) over an
// fp16 convolution result.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/CudaStatus.h"
#include "runtime/cuda/Grid.h"
#include "runtime/cuda/HalfLaunchInternal.h"

namespace qrt {
namespace cuda {
namespace detail {
namespace {

__device__ inline int64_t firstIndex() {
  return (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
}
__device__ inline int64_t gridStep() { return (int64_t)gridDim.x * blockDim.x; }

__global__ void toHalfKernel(HalfCastArgs a) {
  int64_t total = a.n * a.channels * a.pixels;
  bool same = a.srcChannelsLast == a.dstChannelsLast;
  for (int64_t i = firstIndex(); i < total; i += gridStep()) {
    int64_t si = i;
    if (!same) {
      int64_t b, c, p;
      ncpSplit(i, a.channels, a.pixels, a.dstChannelsLast, &b, &c, &p);
      si = ncpOffset(b, c, p, a.channels, a.pixels, a.srcChannelsLast);
    }
    a.dst[i] = hmath::floatToHalfBits(a.src[si]);
  }
}

__global__ void halfEpilogueKernel(ConvEpilogueArgs a, const uint16_t *conv) {
  int64_t total = a.n * a.channels * a.pixels;
  for (int64_t i = firstIndex(); i < total; i += gridStep()) {
    // i walks y's layout.
    int64_t b, c, p;
    ncpSplit(i, a.channels, a.pixels, a.yChannelsLast, &b, &c, &p);
    int64_t ci = a.convChannelsLast == a.yChannelsLast
                     ? i
                     : ncpOffset(b, c, p, a.channels, a.pixels,
                                 a.convChannelsLast);
    float v = hmath::halfBitsToFloat(conv[ci]);
    if (a.bias)
      v = v + a.bias[c];
    if (a.sum)
      v = v + a.y[i];
    if (a.relu)
      v = v > 0.f ? v : v * 0.f; // as convEpilogueKernel
    if (a.clip)
      v = emath::clip(v, a.clipMin, a.clipMax);
    a.y[i] = v;
  }
}

} // namespace

Status launchToHalf(const HalfCastArgs &a, void *st) {
  int64_t total = a.n * a.channels * a.pixels;
  if (total == 0)
    return Status::ok();
  toHalfKernel<<<gridFor(total), kThreads, 0, stream(st)>>>(a);
  return checkLaunch("toHalfKernel");
}

Status launchHalfConvEpilogue(const ConvEpilogueArgs &a,
                              const uint16_t *convHalf, void *st) {
  int64_t total = a.n * a.channels * a.pixels;
  if (total == 0)
    return Status::ok();
  halfEpilogueKernel<<<gridFor(total), kThreads, 0, stream(st)>>>(a,
                                                                  convHalf);
  return checkLaunch("halfEpilogueKernel");
}

} // namespace detail
} // namespace cuda
} // namespace qrt
