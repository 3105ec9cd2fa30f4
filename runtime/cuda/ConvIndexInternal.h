//===- ConvIndexInternal.h - conv index math, host and device ---*- C++ -*-===//
//
// The index arithmetic of the library-backed convolutions and GEMMs
// (DnnConv.cpp, Gemm.cpp) that both the CUDA kernels (DnnKernels.cu) and the
// host tests run: where an element of a stored NCHW / NHWC activation lies,
// the im2col matrix of the int8 GEMM path, the channel-padded NHWC buffer of
// cuDNN's int8 path, and wrapping int32 addition. Plain structs, QRT_HD
// functions; internal to qrt_cuda and its tests.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_CONVINDEXINTERNAL_H
#define QRT_CUDA_CONVINDEXINTERNAL_H

#include "runtime/QuantMath.h" // QRT_HD

#include <cstdint>

namespace qrt {
namespace cuda {
namespace detail {

QRT_HD int64_t alignUp(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

/// a + b modulo 2^32: the int32 accumulator arithmetic of the CPU kernels,
/// without signed overflow. A sum of int32 terms computed this way equals the
/// exact sum whenever that fits int32, in any order of the terms.
QRT_HD int32_t wrapAdd(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) +
                              static_cast<uint32_t>(b));
}

/// A 2-D convolution's sizes (ONNX semantics: dilation 1 is dense), the
/// activations' logical NCHW dims whatever their stored layout.
struct ConvGeometry {
  int64_t n = 0, c = 0, h = 0, w = 0;
  int64_t oc = 0, oh = 0, ow = 0;
  int64_t kh = 1, kw = 1;
  int64_t strideH = 1, strideW = 1, dilationH = 1, dilationW = 1;
  int64_t padTop = 0, padLeft = 0, padBottom = 0, padRight = 0;
  int64_t groups = 1;

  QRT_HD int64_t cg() const { return c / groups; } // input channels per group
  QRT_HD int64_t ocg() const {
    return oc / groups;
  } // output channels per group
  /// Rows of the GEMM (output pixels) and its reduction length per group.
  QRT_HD int64_t pixels() const { return n * oh * ow; }
  QRT_HD int64_t taps() const { return cg() * kh * kw; }
};

/// Offset of logical element (n, c, y, x) of an [N, C, H, W] activation
/// stored NCHW or, channelsLast, NHWC.
QRT_HD int64_t activationOffset(int64_t n, int64_t c, int64_t y, int64_t x,
                                int64_t channels, int64_t height, int64_t width,
                                bool channelsLast) {
  return channelsLast ? ((n * height + y) * width + x) * channels + c
                      : ((n * channels + c) * height + y) * width + x;
}

/// The int8 GEMM path: per group g, cols[g] (s8 [pPad, kPad], row p = output
/// pixel (n, oy, ox), column k = (ci, ky, kx)) times wT[g] (s8 [ocgPad,
/// kPad], row o = output channel g * ocg + o) gives acc[g] (i32 [pPad,
/// ocgPad]); padding rows / columns are zero. Leading dimensions are
/// multiples of 16 bytes for cuBLASLt's int8 (IMMA) kernels.
struct Im2colLayout {
  int64_t groups = 1;
  int64_t p = 0, pPad = 0;     // output pixels N * OH * OW
  int64_t k = 0, kPad = 0;     // taps Cg * KH * KW
  int64_t ocg = 0, ocgPad = 0; // output channels per group
  QRT_HD int64_t colsElements() const { return groups * pPad * kPad; }
  QRT_HD int64_t weightElements() const { return groups * ocgPad * kPad; }
  QRT_HD int64_t accElements() const { return groups * pPad * ocgPad; }
};

/// The s8 value of column entry (g, p, kk) of the im2col matrix of an input
/// x (u8 when inputU8, else i8; stored NCHW / NHWC): x - shift inside the
/// image, padValue (= zx - shift: contributes nothing once compensated) in
/// the convolution's padding, 0 in the matrix's own padding.
QRT_HD int8_t im2colValue(const ConvGeometry &g, const Im2colLayout &l,
                          const void *x, bool inputU8, bool channelsLast,
                          int32_t shift, int32_t padValue, int64_t grp,
                          int64_t p, int64_t kk) {
  if (p >= l.p || kk >= l.k)
    return 0;
  int64_t ox = p % g.ow, oy = (p / g.ow) % g.oh, n = p / (g.ow * g.oh);
  int64_t kx = kk % g.kw, ky = (kk / g.kw) % g.kh, ci = kk / (g.kw * g.kh);
  int64_t iy = oy * g.strideH - g.padTop + ky * g.dilationH;
  int64_t ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
  if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w)
    return static_cast<int8_t>(padValue);
  int64_t off = activationOffset(n, grp * g.cg() + ci, iy, ix, g.c, g.h, g.w,
                                 channelsLast);
  int32_t v = inputU8
                  ? static_cast<int32_t>(static_cast<const uint8_t *>(x)[off])
                  : static_cast<int32_t>(static_cast<const int8_t *>(x)[off]);
  return static_cast<int8_t>(v - shift);
}

/// cuDNN's int8 path: x - shift in an NHWC buffer [N, H + pads, W + pads,
/// cPad] whose border (the convolution's padding, made explicit) holds
/// padValue and whose padding channels hold 0; cuDNN then runs unpadded.
struct PaddedNhwc {
  int64_t n = 0, h = 0, w = 0, c = 0; // padded sizes
  QRT_HD int64_t elements() const { return n * h * w * c; }
  QRT_HD int64_t offset(int64_t in, int64_t y, int64_t x, int64_t ch) const {
    return ((in * h + y) * w + x) * c + ch;
  }
};

/// The value of element (n, y, x, ch) of the padded buffer (y, x in padded
/// coordinates).
QRT_HD int8_t paddedNhwcValue(const ConvGeometry &g, const PaddedNhwc &b,
                              const void *x, bool inputU8, bool channelsLast,
                              int32_t shift, int32_t padValue, int64_t n,
                              int64_t y, int64_t xx, int64_t ch) {
  if (ch >= g.c)
    return 0;
  int64_t iy = y - g.padTop, ix = xx - g.padLeft;
  if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w)
    return static_cast<int8_t>(padValue);
  int64_t off = activationOffset(n, ch, iy, ix, g.c, g.h, g.w, channelsLast);
  int32_t v = inputU8
                  ? static_cast<int32_t>(static_cast<const uint8_t *>(x)[off])
                  : static_cast<int32_t>(static_cast<const int8_t *>(x)[off]);
  return static_cast<int8_t>(v - shift);
}

/// Where the raw i32 result of output (n, oc, oy, ox) lies: group g =
/// oc / ocgPerGroup at g * groupStride + pixel * pixelStride + oc % ocg.
/// (GEMM path: groupStride pPad * ocgPad, pixelStride ocgPad; cuDNN's NHWC
/// output: one group, pixelStride the padded channel count.)
struct RawAccLayout {
  int64_t ocg = 1, groupStride = 0, pixelStride = 0;
  QRT_HD int64_t offset(int64_t oc, int64_t pixel) const {
    return (oc / ocg) * groupStride + pixel * pixelStride + oc % ocg;
  }
};

} // namespace detail
} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_CONVINDEXINTERNAL_H
