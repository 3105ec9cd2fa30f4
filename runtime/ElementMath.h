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

/// qrt::qadd's element (QAddParams): both operands dequantized, added in
/// f32, ReLU'd with `relu` (std::max(v, 0.f): NaN and -0 pass), then
/// quantized to the output grid as quantizeToInt does. The loop around it
/// vectorizes: every step is a plain float operation or a select.
QRT_HD int32_t qaddValue(float a, float za, float sa, float b, float zb,
                         float sb, float zy, float sy, float qmin, float qmax,
                         bool relu) {
  float v = dequantizeValue(a, sa, za) + dequantizeValue(b, sb, zb);
  const float floor = relu ? 0.f : -INFINITY;
  v = v < floor ? floor : v;
  return quantizeToInt(v, sy, zy, qmin, qmax);
}

/// An 8-bit stored value in accumulator form: q - z as i32
/// (subtractZeroPoint, the input of requantize).
QRT_HD int32_t centered(int32_t q, int32_t z) { return q - z; }

/// The broadcasting binary ops of Elementwise.h.
QRT_HD float add(float a, float b) { return a + b; }
QRT_HD float sub(float a, float b) { return a - b; }
QRT_HD float mul(float a, float b) { return a * b; }
QRT_HD float div(float a, float b) { return a / b; }
/// leaky_relu and prelu: v >= 0 ? v : slope v (NaN takes the slope branch).
QRT_HD float leakyRelu(float v, float slope) { return v >= 0.f ? v : slope * v; }

/// 1 / (1 + exp(-v)); exp is the host's or the device's libm (the one value
/// here that is not the same bits on both: within a few ulps).
QRT_HD float sigmoid(float v) { return 1.f / (1.f + expf(-v)); }
/// clamp(alpha v + beta, 0, 1), as std::min(std::max(., 0), 1).
QRT_HD float hardSigmoid(float v, float alpha, float beta) {
  return clip(alpha * v + beta, 0.f, 1.f);
}
/// v clamp(v + 3, 0, 6) / 6.
QRT_HD float hardSwish(float v) { return v * clip(v + 3.f, 0.f, 6.f) / 6.f; }

/// SiLU (Swish): v sigmoid(v), as v / (1 + exp(-v)) (PyTorch's silu
/// kernel); a large negative v gives -0 rather than NaN.
QRT_HD float silu(float v) { return v / (1.f + expf(-v)); }
/// GELU, exact: 0.5 v (1 + erf(v / sqrt(2))).
QRT_HD float gelu(float v) {
  return 0.5f * v * (1.f + erff(v * 0.70710678118654752440f));
}
/// GELU, tanh approximation: 0.5 v (1 + tanh(sqrt(2 / pi) (v + 0.044715 v^3))).
QRT_HD float geluTanh(float v) {
  const float k = 0.79788456080286535588f; // sqrt(2 / pi)
  return 0.5f * v * (1.f + tanhf(k * (v + 0.044715f * v * v * v)));
}
/// The error function (the host's or the device's libm, as sigmoid).
QRT_HD float erf(float v) { return erff(v); }
/// The hyperbolic tangent (the host's or the device's libm).
QRT_HD float hyperbolicTangent(float v) { return tanhf(v); }
/// IEEE square root (correctly rounded; NaN below zero).
QRT_HD float squareRoot(float v) { return sqrtf(v); }
/// v ^ e with ATen's special cases: v * v for 2, sqrt(v) for 0.5, 1 / v for
/// -1, else powf.
QRT_HD float power(float v, float e) {
  if (e == 2.f)
    return v * v;
  if (e == 0.5f)
    return sqrtf(v);
  if (e == -1.f)
    return 1.f / v;
  return powf(v, e);
}

/// Inference batch norm folded per channel: y = x a + b with
/// a = scale / sqrt(var + eps), b = bias - mean a (IEEE sqrt and division).
QRT_HD float batchNormScale(float scale, float var, float eps) {
  return scale / sqrtf(var + eps);
}
QRT_HD float batchNormShift(float bias, float mean, float a) {
  return bias - mean * a;
}
QRT_HD float affine(float x, float a, float b) { return x * a + b; }

} // namespace emath
} // namespace qrt

#endif // QRT_ELEMENTMATH_H
