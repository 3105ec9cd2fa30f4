//===- AdaRound.h - AdaRound's offsets as constants -------------*- C++ -*-===//
//
// An `adaround` fake_quant of a constant weight carries its rounding
// variable V as a constant operand. Calibration moves the step size, so V
// is re-initialized to the new fractional parts; test mode freezes the
// learned rounding into the weight, leaving a `uniform` fake_quant that
// reproduces it exactly (and that integer lowering and QDQ export know).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_PASSES_ADAROUND_H
#define QOPT_PASSES_ADAROUND_H

#include "dialect/QnnOps.h"

namespace qopt {

/// Sets V so that h(V) = w/s - floor(w/s) for the quantizer's current
/// constant weight and scale (Nagel et al.). Fails with an error at the op
/// when the weight or scale is not a constant.
mlir::LogicalResult resetAdaroundOffset(qnn::FakeQuantOp op);

/// Replaces an adaround quantizer with constant operands by a `uniform`
/// fake_quant (same bits, range, granularity, scale and zero point) of the
/// weight rounded as the hardened AdaRound rounds it: both evaluate to the
/// same values. Fails with an error at the op otherwise.
mlir::LogicalResult hardenAdaround(qnn::FakeQuantOp op);

} // namespace qopt

#endif // QOPT_PASSES_ADAROUND_H
