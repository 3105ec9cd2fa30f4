//===- PoolMath.h - pooling windows (CPU and CUDA) --------------*- C++ -*-===//
//
// The per-output (forward) and per-window (backward) arithmetic of qrt's
// 2-D pooling kernels (Pool.cpp, TrainOps.cpp), marked QRT_HD so that the
// CUDA kernels (runtime/cuda/PoolKernels.cu) compile the code the CPU runs:
// the same window clipping, the same summation order, the same divisor.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_POOLMATH_H
#define QRT_POOLMATH_H

#include "runtime/Pool.h"
#include "runtime/QuantMath.h"

namespace qrt {
namespace pmath {

QRT_HD int64_t minI(int64_t a, int64_t b) { return b < a ? b : a; }
QRT_HD int64_t maxI(int64_t a, int64_t b) { return a < b ? b : a; }

/// Max over the window of plane xi [h, w] whose first tap is (h0, w0) (may
/// lie in the padding): std::max(m, v) = m < v ? v : m from -inf, so NaNs
/// are skipped.
QRT_HD float maxWindow(const float *xi, int64_t h, int64_t w, int64_t h0,
                       int64_t w0, const Pool2dParams &p) {
  float m = -INFINITY;
  for (int64_t a = 0; a < p.kernelH; ++a) {
    int64_t r = h0 + a * p.dilationH;
    if (r < 0 || r >= h)
      continue;
    for (int64_t b = 0; b < p.kernelW; ++b) {
      int64_t c = w0 + b * p.dilationW;
      if (c >= 0 && c < w) {
        float v = xi[r * w + c];
        m = m < v ? v : m;
      }
    }
  }
  return m;
}

/// An average-pool window (no dilation) clipped to the padded extent, for
/// the divisor, and to the input [hs, he) x [ws, we), for the sum.
struct AvgWindow {
  int64_t hs, he, ws, we, count;
};
QRT_HD AvgWindow avgWindow(int64_t h, int64_t w, int64_t h0, int64_t w0,
                           const Pool2dParams &p) {
  int64_t h1 = minI(h0 + p.kernelH, h + p.padBottom);
  int64_t w1 = minI(w0 + p.kernelW, w + p.padRight);
  int64_t padded = (h1 - h0) * (w1 - w0);
  AvgWindow r;
  r.hs = maxI(h0, 0);
  r.ws = maxI(w0, 0);
  r.he = minI(h1, h);
  r.we = minI(w1, w);
  r.count = p.countIncludePad ? padded : (r.he - r.hs) * (r.we - r.ws);
  return r;
}

/// The average of a window: its sum in row-major order / count (0 for an
/// empty window).
QRT_HD float avgPoolWindow(const float *xi, int64_t h, int64_t w, int64_t h0,
                           int64_t w0, const Pool2dParams &p) {
  AvgWindow a = avgWindow(h, w, h0, w0, p);
  float sum = 0.f;
  for (int64_t r = a.hs; r < a.he; ++r)
    for (int64_t c = a.ws; c < a.we; ++c)
      sum += xi[r * w + c];
  return a.count > 0 ? sum / (float)a.count : 0.f;
}

/// The share of an output gradient each input of its window receives.
QRT_HD float avgPoolGradShare(float dy, int64_t count) {
  return dy / (float)count;
}

/// Mean of a plane of hw values, summed in order.
QRT_HD float globalAvg(const float *xi, int64_t hw) {
  float sum = 0.f;
  for (int64_t i = 0; i < hw; ++i)
    sum += xi[i];
  return hw > 0 ? sum / (float)hw : 0.f;
}
/// The backward's factor 1 / hw and an element of dx.
QRT_HD float globalAvgInv(int64_t hw) { return hw > 0 ? 1.f / (float)hw : 0.f; }
QRT_HD float globalAvgGrad(float dy, float inv) { return dy * inv; }

/// Valid kernel taps [lo, hi) of output index o along one axis; returns the
/// window's first (possibly padded) input index.
QRT_HD int64_t poolTaps(int64_t o, int64_t stride, int64_t pad, int64_t dil,
                        int64_t k, int64_t size, int64_t *lo, int64_t *hi) {
  int64_t start = o * stride - pad;
  *lo = start < 0 ? (-start + dil - 1) / dil : 0;
  *hi = start > size - 1 ? 0 : minI(k, (size - 1 - start) / dil + 1);
  return start;
}

/// The input index (in plane xi of row width w) that max-pool backward
/// routes output (i, j)'s gradient to: the first maximum in row-major scan
/// order (PyTorch's CPU rule; with NaNs, the last NaN), or -1 for a window
/// with no valid tap.
QRT_HD int64_t maxPoolArgmax(const float *xi, int64_t h, int64_t w, int64_t i,
                             int64_t j, const Pool2dParams &p) {
  int64_t aLo, aHi, bLo, bHi;
  int64_t h0 =
      poolTaps(i, p.strideH, p.padTop, p.dilationH, p.kernelH, h, &aLo, &aHi);
  int64_t w0 =
      poolTaps(j, p.strideW, p.padLeft, p.dilationW, p.kernelW, w, &bLo, &bHi);
  if (aLo >= aHi || bLo >= bHi)
    return -1;
  float m = -INFINITY;
  int64_t arg = (h0 + aLo * p.dilationH) * w + w0 + bLo * p.dilationW;
  for (int64_t a = aLo; a < aHi; ++a) {
    int64_t rowOff = (h0 + a * p.dilationH) * w + w0;
    for (int64_t b = bLo; b < bHi; ++b) {
      int64_t idx = rowOff + b * p.dilationW;
      float v = xi[idx];
      if (v > m || isnan(v)) {
        m = v;
        arg = idx;
      }
    }
  }
  return arg;
}

} // namespace pmath
} // namespace qrt

#endif // QRT_POOLMATH_H
