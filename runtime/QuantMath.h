//===- QuantMath.h - per-element quantizer math (CPU and CUDA) --*- C++ -*-===//
//
// Forward and surrogate-gradient formulas of every quantizer in
// /work/shared/QUANTIZERS.md (docs/), one scalar function each. Marked QRT_HD
// so that CUDA kernels compile exactly this code: the CPU kernels and tests
// execute it, the GPU path cannot drift. Only C math functions that exist on
// both host and device are used (rintf, floorf, tanhf, expf, ...).
//
// Rounding is round-half-to-even (rintf in the default rounding mode) unless
// a function says otherwise. Qn and Qp are magnitudes: the integer range is
// [-Qn, Qp] (e.g. 8-bit signed: Qn = 128, Qp = 127; unsigned: Qn = 0,
// Qp = 255).
//
//===----------------------------------------------------------------------===//

#ifndef QRT_QUANTMATH_H
#define QRT_QUANTMATH_H

#include <math.h>
#include <stdint.h>

#if defined(__CUDACC__)
#define QRT_HD __host__ __device__ inline
#else
#define QRT_HD inline
#endif

namespace qrt {
namespace qmath {

QRT_HD float roundHalfEven(float x) { return rintf(x); }
QRT_HD float clampf(float x, float lo, float hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

/// Integer range of a `bits`-bit grid: signed [-2^(b-1), 2^(b-1)-1]
/// (narrow: symmetric [-(2^(b-1)-1), 2^(b-1)-1]), unsigned [0, 2^b-1].
QRT_HD void intRange(int bits, bool isSigned, bool narrow, float *qmin,
                     float *qmax) {
  if (isSigned) {
    float half = ldexpf(1.f, bits - 1);
    *qmin = narrow ? -(half - 1.f) : -half;
    *qmax = half - 1.f;
  } else {
    *qmin = 0.f;
    *qmax = ldexpf(1.f, bits) - 1.f;
  }
}

//===-- Uniform affine ("FixedFakeQuantize")
//-------------------------------===//

/// q = clamp(round(x / s) + z, qmin, qmax)
QRT_HD float quantizeAffine(float x, float s, float z, float qmin, float qmax) {
  return clampf(roundHalfEven(x / s) + z, qmin, qmax);
}
/// x̂ = (q - z) * s
QRT_HD float fakeQuantAffine(float x, float s, float z, float qmin,
                             float qmax) {
  return (quantizeAffine(x, s, z, qmin, qmax) - z) * s;
}
/// STE inside the integer range, 0 outside.
QRT_HD float fakeQuantAffineGradX(float x, float s, float z, float qmin,
                                  float qmax) {
  float q = roundHalfEven(x / s) + z;
  return (q >= qmin && q <= qmax) ? 1.f : 0.f;
}

//===-- LSQ (Esser et al. 2020)
//--------------------------------------------===//

/// x̂ = round(clamp(x/s, -Qn, Qp)) * s
QRT_HD float lsqForward(float x, float s, float qn, float qp) {
  return roundHalfEven(clampf(x / s, -qn, qp)) * s;
}
/// ∂x̂/∂x = 1{-Qn < x/s < Qp}
QRT_HD float lsqGradX(float x, float s, float qn, float qp) {
  float v = x / s;
  return (v > -qn && v < qp) ? 1.f : 0.f;
}
/// ∂x̂/∂s: round(x/s) - x/s inside, -Qn below, Qp above (before the
/// gradient scale g).
QRT_HD float lsqGradS(float x, float s, float qn, float qp) {
  float v = x / s;
  if (v <= -qn)
    return -qn;
  if (v >= qp)
    return qp;
  return roundHalfEven(v) - v;
}
/// g = 1 / sqrt(N * Qp): N weights of the layer, or features per sample.
QRT_HD float lsqGradScale(double n, float qp) {
  return (float)(1.0 / sqrt(n * (double)qp));
}
/// LSQ initial step: 2 * mean(|x|) / sqrt(Qp).
QRT_HD float lsqInitScale(float meanAbs, float qp) {
  return 2.f * meanAbs / sqrtf(qp);
}

//===-- LSQ+ (Bhalgat et al. 2020): learnable offset beta
//-------------------===//

QRT_HD float lsqPlusForward(float x, float s, float beta, float qn, float qp) {
  return roundHalfEven(clampf((x - beta) / s, -qn, qp)) * s + beta;
}
QRT_HD float lsqPlusGradX(float x, float s, float beta, float qn, float qp) {
  return lsqGradX(x - beta, s, qn, qp);
}
QRT_HD float lsqPlusGradS(float x, float s, float beta, float qn, float qp) {
  return lsqGradS(x - beta, s, qn, qp);
}
/// ∂x̂/∂β = 1 outside the range (the clamped value moves with β), 0 inside
/// (STE: the rounded term cancels β).
QRT_HD float lsqPlusGradBeta(float x, float s, float beta, float qn, float qp) {
  return 1.f - lsqGradX(x - beta, s, qn, qp);
}

//===-- PACT (Choi et al. 2018)
//--------------------------------------------===//

/// y = clamp(x, 0, α); x̂ = round(y (2^b-1)/α) α/(2^b-1)
QRT_HD float pactForward(float x, float alpha, int bits) {
  float n = ldexpf(1.f, bits) - 1.f;
  float y = clampf(x, 0.f, alpha);
  return roundHalfEven(y * n / alpha) * alpha / n;
}
/// ∂x̂/∂x = 1{0 <= x < α}
QRT_HD float pactGradX(float x, float alpha) {
  return (x >= 0.f && x < alpha) ? 1.f : 0.f;
}
/// ∂x̂/∂α = 1{x >= α} (the paper's STE through the rounding).
QRT_HD float pactGradAlpha(float x, float alpha) {
  return x >= alpha ? 1.f : 0.f;
}

//===-- DoReFa (Zhou et al. 2016)
//------------------------------------------===//

/// quantize_b(r) = round((2^b-1) r) / (2^b-1), r in [0, 1]
QRT_HD float dorefaQuantize(float r, int bits) {
  float n = ldexpf(1.f, bits) - 1.f;
  return roundHalfEven(n * r) / n;
}
/// Activations: quantize_b(clamp(x, 0, c) / c) * c with clip value c
/// (c = 1 is the paper's form; model-quantization's `boundary` sets c).
QRT_HD float dorefaActivation(float x, float clip, int bits) {
  return dorefaQuantize(clampf(x, 0.f, clip) / clip, bits) * clip;
}
QRT_HD float dorefaActivationGradX(float x, float clip) {
  return (x >= 0.f && x <= clip) ? 1.f : 0.f;
}
/// Weights, b > 1: ŵ = 2 quantize_b(tanh(w) / (2 max|tanh(w)|) + 1/2) - 1,
/// where maxAbsTanh = max|tanh(w)| over the quantization group.
QRT_HD float dorefaWeight(float w, float maxAbsTanh, int bits) {
  float r = tanhf(w) / (2.f * maxAbsTanh) + 0.5f;
  return 2.f * dorefaQuantize(r, bits) - 1.f;
}

//===-- XNOR-Net / Bi-Real sign and its surrogate gradients
//------------------===//

/// sign with sign(0) = +1 so that a binary tensor stays binary (torch.sign
/// would give 0).
QRT_HD float signBinary(float x) { return x >= 0.f ? 1.f : -1.f; }
/// XNOR-Net / XNOR++ / binary DoReFa weights: alpha * sign(w).
QRT_HD float scaledSign(float w, float alpha) { return alpha * signBinary(w); }
/// Clipped STE: 1{|x| <= 1}.
QRT_HD float signGradSteClipped(float x) { return fabsf(x) <= 1.f ? 1.f : 0.f; }
/// Bi-Real's approximate sign: 2 + 2x on [-1, 0), 2 - 2x on [0, 1), else 0.
QRT_HD float signGradTriangle(float x) {
  if (x >= -1.f && x < 0.f)
    return 2.f + 2.f * x;
  if (x >= 0.f && x < 1.f)
    return 2.f - 2.f * x;
  return 0.f;
}

//===-- LQ-Nets (Zhang et al. 2018)
//----------------------------------------===//

/// The 2^K levels vᵀe of basis v[0..K) with e in {-1,1}^K (signedCodes) or
/// {0,1}^K, sorted ascending into levels[], their codes (bit k of code set
/// <=> e_k = +1) into codes[]. K <= 8.
QRT_HD void lqLevels(const float *basis, int k, bool signedCodes, float *levels,
                     uint32_t *codes) {
  int n = 1 << k;
  for (int c = 0; c < n; ++c) {
    float v = 0.f;
    for (int i = 0; i < k; ++i) {
      bool on = (c >> i) & 1;
      v += basis[i] * (on ? 1.f : (signedCodes ? -1.f : 0.f));
    }
    levels[c] = v;
    codes[c] = (uint32_t)c;
  }
  // Insertion sort: n <= 256 and this runs once per group per step.
  for (int i = 1; i < n; ++i) {
    float lv = levels[i];
    uint32_t cv = codes[i];
    int j = i - 1;
    while (j >= 0 && levels[j] > lv) {
      levels[j + 1] = levels[j];
      codes[j + 1] = codes[j];
      --j;
    }
    levels[j + 1] = lv;
    codes[j + 1] = cv;
  }
}
/// Index of the level nearest to x in sorted levels[0..n) (ties go to the
/// lower level).
QRT_HD int lqNearest(float x, const float *levels, int n) {
  int lo = 0, hi = n - 1;
  while (lo < hi) { // first level whose upper midpoint is >= x
    int mid = (lo + hi) / 2;
    if (x <= 0.5f * (levels[mid] + levels[mid + 1]))
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

//===-- Non-uniform ramps (model-quantization `non-uniform`)
//----------------===//

/// y = Σ_i round(clamp((x - t_i) |α_i|, 0, 1)), t_0 = 0,
/// t_{i+1} = t_i + 1/|α_i|: the seed takes the slopes' magnitudes
/// (models/quant.py: `alpha0 = self.alpha0.abs()`), so training may move
/// them through 0 (non-zero: checked by the callers).
QRT_HD float nonUniformForward(float x, const float *alpha, int n) {
  float t = 0.f, y = 0.f;
  for (int i = 0; i < n; ++i) {
    float a = fabsf(alpha[i]);
    y += roundHalfEven(clampf((x - t) * a, 0.f, 1.f));
    t += 1.f / a;
  }
  return y;
}
/// ∂y/∂x with STE rounding: Σ_i |α_i| 1{0 < (x - t_i) |α_i| < 1}.
QRT_HD float nonUniformGradX(float x, const float *alpha, int n) {
  float t = 0.f, g = 0.f;
  for (int i = 0; i < n; ++i) {
    float a = fabsf(alpha[i]);
    float u = (x - t) * a;
    if (u > 0.f && u < 1.f)
      g += a;
    t += 1.f / a;
  }
  return g;
}
/// ∂y/∂α_j: sign(α_j) times ramp j's own slope term, (x - t_j) inside it,
/// plus the shift of every later threshold t_i (i > j) by -1/α_j²:
/// |α_i|/α_j² inside ramp i.
QRT_HD float nonUniformGradAlpha(float x, const float *alpha, int n, int j) {
  float t = 0.f, g = 0.f;
  float aj = fabsf(alpha[j]);
  for (int i = 0; i < n; ++i) {
    float a = fabsf(alpha[i]);
    float u = (x - t) * a;
    bool inside = u > 0.f && u < 1.f;
    if (inside && i == j)
      g += x - t;
    if (inside && i > j)
      g += a / (aj * aj);
    t += 1.f / a;
  }
  return alpha[j] < 0.f ? -g : g;
}

/// Ternary form (full range: weights, and a signed activation), slopes
/// alpha[0] below 0 and alpha[1] above, taken as |α| as the seed does:
/// y = round(clamp(x |α_0|, -1, 0)) + round(clamp(x |α_1|, 0, 1)) in
/// {-1, 0, 1} (models/quant.py's weight branch). Training moves the slopes
/// freely, through 0.
QRT_HD float nonUniformTernaryForward(float x, const float *alpha) {
  return roundHalfEven(clampf(x * fabsf(alpha[0]), -1.f, 0.f)) +
         roundHalfEven(clampf(x * fabsf(alpha[1]), 0.f, 1.f));
}
/// ∂y/∂x with STE rounding: |α_0| 1{-1 < x|α_0| < 0} + |α_1| 1{0 < x|α_1| < 1}.
QRT_HD float nonUniformTernaryGradX(float x, const float *alpha) {
  float a0 = fabsf(alpha[0]), a1 = fabsf(alpha[1]);
  float u0 = x * a0, u1 = x * a1;
  return (u0 > -1.f && u0 < 0.f ? a0 : 0.f) + (u1 > 0.f && u1 < 1.f ? a1 : 0.f);
}
/// ∂y/∂α_j: x sign(α_j) inside ramp j (0 below, 1 above), else 0.
QRT_HD float nonUniformTernaryGradAlpha(float x, const float *alpha, int j) {
  float u = x * fabsf(alpha[j]);
  bool inside = j == 0 ? (u > -1.f && u < 0.f) : (u > 0.f && u < 1.f);
  return inside ? (alpha[j] < 0.f ? -x : x) : 0.f;
}

//===-- AdaRound (Nagel et al. 2020)
//---------------------------------------===//

constexpr float kAdaRoundZeta = 1.1f;
constexpr float kAdaRoundGamma = -0.1f;

QRT_HD float sigmoidf(float v) { return 1.f / (1.f + expf(-v)); }
/// h(V) = clamp(σ(V)(ζ - γ) + γ, 0, 1)
QRT_HD float adaroundH(float v) {
  return clampf(sigmoidf(v) * (kAdaRoundZeta - kAdaRoundGamma) + kAdaRoundGamma,
                0.f, 1.f);
}
QRT_HD float adaroundHGrad(float v) {
  float sg = sigmoidf(v);
  float pre = sg * (kAdaRoundZeta - kAdaRoundGamma) + kAdaRoundGamma;
  return (pre > 0.f && pre < 1.f)
             ? (kAdaRoundZeta - kAdaRoundGamma) * sg * (1.f - sg)
             : 0.f;
}
/// V such that h(V) = w/s - floor(w/s) (the initialization).
QRT_HD float adaroundInitV(float w, float s) {
  float rest = w / s - floorf(w / s);
  return -logf((kAdaRoundZeta - kAdaRoundGamma) / (rest - kAdaRoundGamma) -
               1.f);
}
/// ŵ = s (clamp(floor(w/s) + h + z, qmin, qmax) - z); `hardened` uses
/// h = 1{h(V) >= 0.5} (the final rounding).
QRT_HD float adaroundForward(float w, float s, float z, float v, float qmin,
                             float qmax, bool hardened) {
  float h = adaroundH(v);
  if (hardened)
    h = h >= 0.5f ? 1.f : 0.f;
  return (clampf(floorf(w / s) + h + z, qmin, qmax) - z) * s;
}
/// Regularizer term 1 - |2h - 1|^β and its derivative in h.
QRT_HD float adaroundReg(float h, float beta) {
  return 1.f - powf(fabsf(2.f * h - 1.f), beta);
}
QRT_HD float adaroundRegGradH(float h, float beta) {
  float u = 2.f * h - 1.f;
  float a = fabsf(u);
  if (a == 0.f)
    return 0.f;
  return -beta * powf(a, beta - 1.f) * 2.f * (u > 0.f ? 1.f : -1.f);
}

//===-- Surrogate gradients for training (docs/training-math.md)
//-------------===//

/// Surrogate derivative of a rounding / sign step: `Ste` passes 1,
/// `ClippedSte` 1{|x| <= 1}, `Triangle` Bi-Real's approximate sign
/// (model-quantization's grad_type ste / clipped / triangle).
enum class GradType { Ste, ClippedSte, Triangle };

QRT_HD float signGrad(float x, GradType t) {
  switch (t) {
  case GradType::ClippedSte:
    return signGradSteClipped(x);
  case GradType::Triangle:
    return signGradTriangle(x);
  default:
    return 1.f;
  }
}

/// Scale on the gradient of a learnable step size / clip value. `Lsq` is the
/// paper's g = 1/sqrt(N Qp); the others are model-quantization's
/// `grad_scale` keywords with its `scale` argument (default 0.5):
/// fan-scale sqrt(fan)·scale, scale-fan scale/sqrt(fan), element-scale
/// sqrt(nElements)·scale, scale-element scale/sqrt(nElements). `fan` is the
/// fan-in of the weight (C/g·KH·KW), `nElements` the elements per
/// quantization group (times the batch for activations).
enum class GradScaleMode {
  None,
  Lsq,
  FanScale,
  ScaleFan,
  ElementScale,
  ScaleElement
};
QRT_HD float gradScaleFactor(GradScaleMode m, double fan, double nElements,
                             float qp, float scaleArg = 0.5f) {
  switch (m) {
  case GradScaleMode::Lsq:
    return lsqGradScale(nElements, qp);
  case GradScaleMode::FanScale:
    return (float)(sqrt(fan) * scaleArg);
  case GradScaleMode::ScaleFan:
    return (float)(scaleArg / sqrt(fan));
  case GradScaleMode::ElementScale:
    return (float)(sqrt(nElements) * scaleArg);
  case GradScaleMode::ScaleElement:
    return (float)(scaleArg / sqrt(nElements));
  default:
    return 1.f;
  }
}

/// DoReFa weights (b > 1), STE on the rounding: with M = max|tanh w| held
/// constant, ∂ŵ/∂w = (1 - tanh²w) / M.
QRT_HD float dorefaWeightGradW(float w, float maxAbsTanh) {
  float t = tanhf(w);
  return (1.f - t * t) / maxAbsTanh;
}
/// ∂ŵ/∂M = -tanh(w) / M² (the coupling through the max; flows to the
/// argmax element times sign(tanh w*)(1 - tanh² w*)).
QRT_HD float dorefaWeightGradMax(float w, float maxAbsTanh) {
  return -tanhf(w) / (maxAbsTanh * maxAbsTanh);
}

/// AdaRound, ∂ŵ/∂V = s h'(V) inside the integer range (the clamp passes the
/// gradient on its closed interval, as torch.clamp does), 0 outside.
QRT_HD float adaroundGradV(float w, float s, float z, float v, float qmin,
                           float qmax) {
  float q = floorf(w / s) + adaroundH(v) + z;
  return (q >= qmin && q <= qmax) ? s * adaroundHGrad(v) : 0.f;
}

/// LQ-Nets code bit k of the level index `code`: +1 / -1 (signed) or 1 / 0.
QRT_HD float lqCodeBit(uint32_t code, int k, bool signedCodes) {
  return ((code >> k) & 1u) ? 1.f : (signedCodes ? -1.f : 0.f);
}

//===-- Integer deployment: fixed-point requantization
//-----------------------===//

/// Real multiplier M ≈ m0 * 2^-(31 + shift), m0 in [2^30, 2^31).
struct FixedPointMultiplier {
  int32_t m0 = 0;
  int32_t shift = 0;
};

/// Decomposes M in (0, 2^30) into m0 and shift (frexp, then round the
/// mantissa to 31 bits). M <= 0 gives m0 = 0 (everything maps to the zero
/// point).
QRT_HD FixedPointMultiplier quantizeMultiplier(double m) {
  FixedPointMultiplier r;
  if (!(m > 0.0))
    return r;
  int e = 0;
  double q = frexp(m, &e); // m = q 2^e, q in [0.5, 1)
  long long m0 = llround(q * 2147483648.0);
  if (m0 == 2147483648LL) { // rounding carried into bit 31
    m0 /= 2;
    ++e;
  }
  r.m0 = (int32_t)m0;
  r.shift = -e;
  return r;
}

/// round(v / 2^k), ties to even, exact for |v| < 2^62.
QRT_HD int64_t roundingShiftRight(int64_t v, int k) {
  if (k <= 0)
    return v * ((int64_t)1 << (-k));
  if (k >= 63)
    return 0;
  int64_t q = v >> k; // floor
  int64_t r = v - q * ((int64_t)1 << k);
  int64_t half = (int64_t)1 << (k - 1);
  if (r > half || (r == half && (q & 1)))
    q += 1;
  return q;
}

/// round(acc * M), M = m0 2^-(31+shift), computed exactly in integers.
QRT_HD int64_t applyMultiplier(int32_t acc, FixedPointMultiplier m) {
  return roundingShiftRight((int64_t)acc * (int64_t)m.m0, 31 + m.shift);
}

/// clamp(round(acc * M) + z, qmin, qmax)
QRT_HD int32_t requantizeValue(int32_t acc, FixedPointMultiplier m, int32_t z,
                               int32_t qmin, int32_t qmax) {
  int64_t v = applyMultiplier(acc, m) + z;
  return (int32_t)(v < qmin ? qmin : (v > qmax ? qmax : v));
}

/// With a residual r (zero point zr) rescaled by its own multiplier mr:
/// clamp(round(acc * M) + round((r - zr) * Mr) + z, qmin, qmax), two
/// roundings, added in 64 bits.
QRT_HD int32_t requantizeResidualValue(int32_t acc, FixedPointMultiplier m,
                                       int32_t r, int32_t zr,
                                       FixedPointMultiplier mr, int32_t z,
                                       int32_t qmin, int32_t qmax) {
  int64_t v = applyMultiplier(acc, m) + z + applyMultiplier(r - zr, mr);
  return (int32_t)(v < qmin ? qmin : (v > qmax ? qmax : v));
}

} // namespace qmath
} // namespace qrt

#endif // QRT_QUANTMATH_H
