//===- WeightQuantizers.h - frozen weight quantizers, rewritten -*- C++ -*-===//
//
// Quantizers of constant weights rewritten into equivalent forms:
// - AdaRound carries its rounding variable V as a constant operand.
//   Calibration moves the step size, so V is re-initialized to the new
//   fractional parts; test mode freezes the learned rounding into the
//   weight, leaving a `uniform` fake_quant that reproduces it exactly.
// - An unsigned (asymmetric, zero point z) weight grid multiplies the input
//   by the levels q - z; test mode stores those as a signed symmetric grid,
//   which integer lowering (i8 weights) and the exact simulation take.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_PASSES_WEIGHTQUANTIZERS_H
#define QOPT_PASSES_WEIGHTQUANTIZERS_H

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
/// Returns the uniform quantizer that replaced `op`.
mlir::FailureOr<qnn::FakeQuantOp> hardenAdaround(qnn::FakeQuantOp op);

/// A `uniform` quantizer of a constant weight on an unsigned `bits`-bit
/// grid with zero points z: replaced by a `uniform` quantizer on the signed
/// narrow (bits + 1)-bit grid [-(2^bits - 1), 2^bits - 1] with zero point 0
/// and the same scales, of the weight pre-rounded to s (q - z), which it
/// reproduces exactly. Quantizers that are not of that kind, or have more
/// than 7 bits (q - z would not fit in i8), are left alone (success).
mlir::LogicalResult signUnsignedWeightGrid(qnn::FakeQuantOp op);

/// model-quantization's `adaptive` weight normalization of a constant
/// weight, folded: the quantizer's input becomes a new constant holding the
/// normalized weight (qrt::weightNormalize over the quantizer's groups, the
/// kernel the interpreter runs, so the values are bit-identical) and
/// `adaptive` is cleared. Success when `op` has no normalization left
/// (folded, or none to begin with); failure, without a change or an error,
/// when the weight is not a constant.
mlir::LogicalResult foldAdaptiveNormalization(qnn::FakeQuantOp op);

} // namespace qopt

#endif // QOPT_PASSES_WEIGHTQUANTIZERS_H
