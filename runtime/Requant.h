//===- Requant.h - the requantization epilogue of int8 layers ---*- C++ -*-===//
//
// One definition of how an int8 conv / linear turns its i32 accumulator into
// the next layer's 8-bit input (docs/semantics.md, "Requantization"). It is
// the order in which oneDNN 2.6's int8 convolutions apply output scales,
// bias, sum and eltwise post-ops and the destination zero point (checked
// element by element in test/unit/runtime/Int8EpilogueTest.cpp), written as
// scalar code. Three users must agree bit for bit, and all three call these
// functions or the kernel they describe:
//   - qnn-lower-to-integer (passes/), which folds scales and biases into the
//     integer program (multiplier, accumulatorBias);
//   - the interpreter's test-mode evaluation of fake-quantized layers
//     (codegen/ExactQuantizedSteps.cpp), which runs the same fused kernel;
//   - the deployed qconv2d / qlinear (codegen/IntegerSteps.cpp).
// Header-only, no dependencies: passes include it without linking qrt.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_REQUANT_H
#define QRT_REQUANT_H

#include "runtime/QuantMath.h"

#include <math.h>
#include <stdint.h>

namespace qrt {
namespace requant {

/// M = s_in * s_w / s_out, computed in double and rounded once to f32.
QRT_HD float multiplier(float sIn, float sW, float sOut) {
  return (float)((double)sIn * (double)sW / (double)sOut);
}

/// The scale of a fused residual in the output's units: s_r / s_out.
QRT_HD float residualScale(float sResidual, float sOut) {
  return (float)((double)sResidual / (double)sOut);
}

/// A float bias in accumulator units, b / fl(s_in * s_w), rounded once to
/// f32 (not to an integer: the epilogue adds it in f32, so the fake-quant
/// layer's float bias is not quantized).
QRT_HD float accumulatorBias(float b, float sIn, float sW) {
  float acc = (float)((double)sIn * (double)sW);
  return (float)((double)b / (double)acc);
}

/// The epilogue's parameters for one output channel.
struct Epilogue {
  float bias = 0.f;       // accumulator units (an i32 bias converted)
  float multiplier = 1.f; // M
  bool hasResidual = false;
  float residualScale = 1.f; // s_r / s_out
  int32_t residualZeroPoint = 0;
  float lo = -INFINITY, hi = INFINITY; // clamp before the zero point
  int32_t zeroPoint = 0;               // z_out
  int32_t qmin = -128, qmax = 127;     // storage saturation
};

/// y = sat(rne(fl(clamp(v, lo, hi) + z))) with
/// v = fl(fl(fl(acc) + bias) * M), then v = fma(s_r / s_out, r - z_r, v).
/// `lo`/`hi` are the ReLU (lo = 0) and a narrower-than-storage range
/// (qmin - z, qmax - z).
QRT_HD int32_t apply(int32_t acc, int32_t residual, const Epilogue &e) {
  float v = ((float)acc + e.bias) * e.multiplier;
  if (e.hasResidual)
    v = fmaf(e.residualScale, (float)(residual - e.residualZeroPoint), v);
  v = v < e.lo ? e.lo : (v > e.hi ? e.hi : v);
  float q = rintf(v + (float)e.zeroPoint);
  if (q < (float)e.qmin)
    return e.qmin;
  if (q > (float)e.qmax)
    return e.qmax;
  return (int32_t)q;
}

} // namespace requant
} // namespace qrt

#endif // QRT_REQUANT_H
