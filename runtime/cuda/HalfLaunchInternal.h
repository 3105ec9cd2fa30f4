//===- HalfLaunchInternal.h - the fp16 plans' cast kernels ------*- C++ -*-===//
//
// The kernels of the F16 plans (Precision.h; DnnConv.cpp, Gemm.cpp): fp32
// -> fp16 into the workspace, and the convolution epilogue reading cuDNN's
// fp16 result, each with an optional NCHW <-> NHWC change. Their element
// functions are runtime/HalfMath.h's, which the host reference
// (HalfReference.h) runs too; the index math below is shared with the host
// packing of the weights. Internal to qrt_cuda.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_HALFLAUNCHINTERNAL_H
#define QRT_CUDA_HALFLAUNCHINTERNAL_H

#include "runtime/HalfMath.h"
#include "runtime/Status.h"
#include "runtime/cuda/DnnLaunchInternal.h"

#include <cstdint>
#include <vector>

namespace qrt {
namespace cuda {
namespace detail {

/// The offset of element (b, c, p) of an [n, channels, pixels] tensor
/// stored NCHW-like ([n, c, p]) or channels-last ([n, p, c]).
QRT_HD int64_t ncpOffset(int64_t b, int64_t c, int64_t p, int64_t channels,
                         int64_t pixels, bool channelsLast) {
  return channelsLast ? (b * pixels + p) * channels + c
                      : (b * channels + c) * pixels + p;
}
/// The inverse: (b, c, p) of offset i.
QRT_HD void ncpSplit(int64_t i, int64_t channels, int64_t pixels,
                     bool channelsLast, int64_t *b, int64_t *c, int64_t *p) {
  if (channelsLast) {
    *c = i % channels;
    *p = (i / channels) % pixels;
  } else {
    *p = i % pixels;
    *c = (i / pixels) % channels;
  }
  *b = i / (channels * pixels);
}

/// An fp32 -> fp16 cast of an [n, channels, pixels] tensor, the layouts as
/// ncpOffset's (a plain vector: n = 1, pixels = 1).
struct HalfCastArgs {
  const float *src = nullptr;
  bool srcChannelsLast = false;
  uint16_t *dst = nullptr; // fp16 bit patterns
  bool dstChannelsLast = false;
  int64_t n = 1, channels = 0, pixels = 1;
};
Status launchToHalf(const HalfCastArgs &a, void *stream);

/// A plain vector's cast: dst[i] = fp16(src[i]).
inline Status launchToHalf(const float *src, int64_t count, uint16_t *dst,
                           void *stream) {
  HalfCastArgs a;
  a.src = src;
  a.dst = dst;
  a.channels = count;
  return launchToHalf(a, stream);
}

/// launchConvEpilogue's epilogue (bias, sum, ReLU, in that order, in fp32)
/// over cuDNN's fp16 result `convHalf` (a.conv is ignored; a.convChannelsLast
/// is convHalf's layout). Without bias, sum or ReLU it is the cast back to
/// fp32.
Status launchHalfConvEpilogue(const ConvEpilogueArgs &a,
                              const uint16_t *convHalf, void *stream);

/// The host twin of launchToHalf for weights uploaded at create() /
/// updateWeights(): the same element function and index math.
inline std::vector<uint16_t> toHalfHost(const HalfCastArgs &a) {
  int64_t total = a.n * a.channels * a.pixels;
  std::vector<uint16_t> out(static_cast<size_t>(total));
  for (int64_t i = 0; i < total; ++i) {
    int64_t b, c, p;
    ncpSplit(i, a.channels, a.pixels, a.dstChannelsLast, &b, &c, &p);
    out[static_cast<size_t>(i)] = hmath::floatToHalfBits(
        a.src[ncpOffset(b, c, p, a.channels, a.pixels, a.srcChannelsLast)]);
  }
  return out;
}

} // namespace detail
} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_HALFLAUNCHINTERNAL_H
