//===- DnnLaunchInternal.h - kernels around cuDNN, cuBLASLt -----*- C++ -*-===//
//
// The small kernels around cuDNN and cuBLASLt (DnnKernels.cu), launched by
// DnnConv.cpp and Gemm.cpp: the fp32 convolution epilogue (bias, sum, ReLU,
// layout), an NHWC -> NCHW transpose, the int8 input conversions (im2col,
// padded NHWC) and the int8 accumulator epilogue (per-channel bias and
// zero-point compensation, layout), and a deterministic per-channel sum
// (bias gradients). Plain structs of device pointers; internal to qrt_cuda.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_DNNLAUNCHINTERNAL_H
#define QRT_CUDA_DNNLAUNCHINTERNAL_H

#include "runtime/ElementMath.h"
#include "runtime/Status.h"
#include "runtime/cuda/ConvIndexInternal.h"

namespace qrt {
namespace cuda {
namespace detail {

/// y[n, c, p] = act((conv[n, c, p] + bias[c]) + (sum ? y[n, c, p] : 0)),
/// act a ReLU or a clip (ElementMath.h's emath::clip) or none, the order of
/// oneDNN's bias, sum post-op and eltwise post-op; conv and y may each be
/// NCHW or NHWC ([N, P, C]) and may be the same buffer in the same layout.
struct ConvEpilogueArgs {
  const float *conv = nullptr;
  bool convChannelsLast = false;
  float *y = nullptr;
  bool yChannelsLast = false;
  const float *bias = nullptr; // [C] or null
  int64_t n = 0, channels = 0, pixels = 0;
  bool sum = false, relu = false;
  bool clip = false;
  float clipMin = 0.f, clipMax = 0.f;
};
Status launchConvEpilogue(const ConvEpilogueArgs &a, void *stream);

/// y [N, C, P] = x [N, P, C] transposed.
Status launchNhwcToNchw(const float *x, int64_t n, int64_t channels,
                        int64_t pixels, float *y, void *stream);

/// The int8 input, as s8: the im2col matrix of the GEMM path or the padded
/// NHWC buffer of cuDNN's path (ConvIndex.h).
struct Int8InputArgs {
  ConvGeometry geometry;
  const void *x = nullptr;
  bool inputU8 = true, channelsLast = false;
  int32_t shift = 0, padValue = 0;
  int8_t *out = nullptr;
};
Status launchIm2col(const Int8InputArgs &a, const Im2colLayout &l,
                    void *stream);
Status launchPadNhwc(const Int8InputArgs &a, const PaddedNhwc &b, void *stream);

/// acc[n, oc, oy, ox] (stored NCHW or NHWC) = raw[layout.offset(oc, pixel)]
/// + terms[oc] modulo 2^32, pixel = (n * OH + oy) * OW + ox. A linear layer
/// is N x 1 x 1 pixels.
struct AccEpilogueArgs {
  const int32_t *raw = nullptr;
  RawAccLayout layout;
  const int32_t *terms = nullptr; // [OC]: bias + compensation
  int64_t n = 0, oc = 0, pixelsPerImage = 0;
  bool channelsLast = false;
  int32_t *acc = nullptr;
};
Status launchAccEpilogue(const AccEpilogueArgs &a, void *stream);

/// out[c] = Σ_{o < outer, i < inner} x[(o * channels + c) * inner + i]: one
/// block per channel, a fixed reduction tree (deterministic, no atomics).
Status launchChannelSum(const float *x, int64_t outer, int64_t channels,
                        int64_t inner, float *out, void *stream);

} // namespace detail
} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_DNNLAUNCHINTERNAL_H
