//===- ElementMath.h - scalar math of non-quantizer kernels -----*- C++ -*-===//
//
// The scalar bodies of qrt's elementwise kernels and of the observers'
// running range, marked QRT_HD (see QuantMath.h) so that the CUDA kernels
// (runtime/cuda/) compile the code the CPU kernels run.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_ELEMENTMATH_H
#define QRT_ELEMENTMATH_H

#include "runtime/QuantMath.h"

namespace qrt {
namespace emath {

/// max(v, 0); NaN and -0 give +0.
QRT_HD float relu(float v) { return v > 0.f ? v : 0.f; }

/// One step of a running minimum / maximum (std::min(acc, v) /
/// std::max(acc, v)): the accumulator is kept unless v is strictly smaller /
/// larger, so a NaN never enters an accumulator that starts at +-inf, and of
/// equal values (+0 and -0) the first one seen stays.
QRT_HD float foldMin(float acc, float v) { return v < acc ? v : acc; }
QRT_HD float foldMax(float acc, float v) { return acc < v ? v : acc; }

/// std::min(std::max(v, lo), hi): NaN passes through.
QRT_HD float clip(float v, float lo, float hi) {
  float m = v < lo ? lo : v;
  return hi < m ? hi : m;
}

/// f32 -> integer storage: clamp(rne(x / s) + z, qmin, qmax), equal to
/// qmath::quantizeAffine for finite x, written as qrt::quantize's loop runs it
/// (so that it vectorizes without SSE4.1): x / s is clamped to an
/// integer-bounded range first (which changes no result), then rounded half
/// to even by adding and subtracting 1.5 * 2^23 (exact for |t| <= 2^22).
/// A NaN input gives an unspecified value.
QRT_HD int32_t quantizeToInt(float x, float s, float z, float qmin,
                             float qmax) {
  const float magic = 12582912.f, lo = qmin - z - 1.f, hi = qmax - z + 1.f;
  float t = clip(x / s, lo, hi);
  float q = ((t + magic) - magic) + z;
  return (int32_t)clip(q, qmin, qmax);
}
/// Integer storage -> f32: (q - z) s.
QRT_HD float dequantizeValue(float q, float s, float z) { return (q - z) * s; }

} // namespace emath
} // namespace qrt

#endif // QRT_ELEMENTMATH_H
