//===- WeightGrid.h - a frozen weight quantizer as integer levels -*- C++ -*-===//
//
// A frozen weight fake_quant on a constant computes ŵ = fq(W). For the
// methods whose levels are a uniform grid (uniform, lsq, dorefa, xnor,
// xnor_plus_plus, the ternary non_uniform form) ŵ is, per output channel c, an integer level times a
// positive step: ŵ[c, ...] = L[c, ...] · d[c]. qnn-fold-batch-norm uses that
// form to fold a batch_norm through a trained weight quantizer
// (docs/training.md, "Folding BN through a trained weight quantizer").
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_PASSES_WEIGHTGRID_H
#define QOPT_PASSES_WEIGHTGRID_H

#include "dialect/QnnOps.h"

#include "llvm/ADT/SmallVector.h"

#include <string>

namespace qopt {

struct WeightGrid {
  /// ŵ = fq(W), computed by qrt's kernel (what the interpreter evaluates).
  llvm::SmallVector<float> quantized;
  /// Integer-valued levels, W's shape: ŵ = levels · step[c].
  llvm::SmallVector<float> levels;
  /// Positive step per output channel (axis 0).
  llvm::SmallVector<double> step;
  /// The signed grid that holds the levels, and any level flipped in sign:
  /// [qmin, qmax] of a `bits`-bit (narrow) range.
  int64_t bits = 0;
  bool narrow = false;
  int64_t qmin = 0, qmax = 0;
};

/// Reads `op` (a frozen weight fake_quant of a constant with constant
/// parameters) as integer levels and per-output-channel steps. On failure
/// `why` says what stands in the way (a method without a uniform grid,
/// parameters that are not constants, a grid along another axis, ...).
llvm::FailureOr<WeightGrid> weightGridOf(qnn::FakeQuantOp op, std::string &why);

} // namespace qopt

#endif // QOPT_PASSES_WEIGHTGRID_H
