//===- HalfMath.h - IEEE binary16 conversions (CPU and CUDA) ----*- C++ -*-===//
//
// float <-> fp16 (IEEE 754 binary16) on bit patterns, marked QRT_HD (see
// QuantMath.h): the cast kernels of the CUDA fp16 plans (runtime/cuda/,
// Precision.h) and the host reference that emulates them
// (runtime/cuda/HalfReference.h) run this code, so the reference rounds
// exactly as the device does. Plain integer arithmetic, no CUDA header: the
// CPU build includes it too.
//
// floatToHalfBits rounds to nearest, ties to even, as cuda_fp16.h's
// __float2half_rn (PTX cvt.rn.f16.f32) does, which the host tests check it
// against: magnitudes from 65520 (half-way between 65504, the largest
// finite fp16, and 2^16) up give +-inf; below 2^-14 the result is
// subnormal (steps of 2^-24), and up to 2^-25 inclusive it is +-0; every
// NaN gives 0x7fff, cvt's canonical NaN. halfBitsToFloat is exact (every
// fp16 value is a float); a NaN gives a NaN.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_HALFMATH_H
#define QRT_HALFMATH_H

#include "runtime/QuantMath.h"

#include <stdint.h>
#include <string.h>

namespace qrt {
namespace hmath {

QRT_HD uint32_t floatBits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof(u));
  return u;
}
QRT_HD float bitsFloat(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof(f));
  return f;
}

/// Whether dropping the low `shift` bits of `v` (an unsigned magnitude)
/// rounds up, to nearest with ties to the even result.
QRT_HD uint32_t roundUpRne(uint32_t v, uint32_t shift) {
  uint32_t rest = v & ((1u << shift) - 1u), half = 1u << (shift - 1u);
  uint32_t kept = v >> shift;
  return (rest > half || (rest == half && (kept & 1u))) ? 1u : 0u;
}

/// The fp16 bit pattern nearest to f (round to nearest, ties to even).
QRT_HD uint16_t floatToHalfBits(float f) {
  uint32_t x = floatBits(f);
  uint32_t sign = (x >> 16) & 0x8000u, a = x & 0x7fffffffu;
  if (a > 0x7f800000u) // NaN
    return 0x7fffu;
  if (a >= 0x47800000u) // |f| >= 2^16, inf included
    return static_cast<uint16_t>(sign | 0x7c00u);
  if (a >= 0x38800000u) { // |f| >= 2^-14: normal
    // Rebias the exponent (127 -> 15) and drop 13 mantissa bits; a carry
    // out of the mantissa steps the exponent, and out of 0x7bff gives inf.
    uint32_t m = a - 0x38000000u;
    return static_cast<uint16_t>(sign | ((m >> 13) + roundUpRne(m, 13)));
  }
  if (a <= 0x33000000u) // |f| <= 2^-25: 0 (2^-25 is a tie, to even 0)
    return static_cast<uint16_t>(sign);
  // Subnormal: |f| = mant * 2^(e - 150) = (mant >> (126 - e)) * 2^-24, the
  // shift in [14, 24] for e in [102, 112]; rounding 0x3ff up gives 0x400,
  // the smallest normal, which is right.
  uint32_t e = a >> 23, mant = (a & 0x7fffffu) | 0x800000u;
  uint32_t shift = 126u - e;
  return static_cast<uint16_t>(sign |
                               ((mant >> shift) + roundUpRne(mant, shift)));
}

/// The float equal to the fp16 bit pattern h.
QRT_HD float halfBitsToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
  if (e == 0x1fu) // inf, NaN
    return bitsFloat(sign | 0x7f800000u | (m << 13));
  if (e == 0) // 0, subnormal: m * 2^-24, exact in float
    return bitsFloat(sign | floatBits(static_cast<float>(m) * 0x1p-24f));
  return bitsFloat(sign | ((e + 112u) << 23) | (m << 13));
}

/// f rounded to the nearest fp16 and back: what an fp16 plan's cast makes
/// of an fp32 value.
QRT_HD float roundThroughHalf(float f) {
  return halfBitsToFloat(floatToHalfBits(f));
}

} // namespace hmath
} // namespace qrt

#endif // QRT_HALFMATH_H
