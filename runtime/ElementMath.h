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

} // namespace emath
} // namespace qrt

#endif // QRT_ELEMENTMATH_H
