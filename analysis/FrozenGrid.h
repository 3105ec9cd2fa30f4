//===- FrozenGrid.h - a quantizer frozen on an integer grid -----*- C++ -*-===//
//
// The one description of a frozen uniform quantizer that the compiler
// reads: from a test-mode fake_quant (uniform or LSQ, constant parameters)
// when qnn-lower-to-integer lowers it or the interpreter evaluates it
// exactly, and from the !quant.uniform type it was lowered to when the
// integer program runs. Both read the same fields, so the simulation and the
// deployed program agree on every grid by construction.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_ANALYSIS_FROZENGRID_H
#define QOPT_ANALYSIS_FROZENGRID_H

#include "dialect/QnnOps.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace qopt {

/// [qmin, qmax] of `bits`-bit codes: signed [-2^(b-1), 2^(b-1) - 1] (narrow:
/// from -(2^(b-1) - 1)), unsigned [0, 2^b - 1]. qrt's qmath::intRange, the
/// one definition.
std::pair<int64_t, int64_t> integerRange(int64_t bits, bool isSigned,
                                         bool narrow);

/// q = clamp(round(x / s) + z, qmin, qmax), x̂ = (q - z) s, per tensor or
/// per channel of `axis`.
struct FrozenGrid {
  int64_t qmin = 0, qmax = 0;
  bool isSigned = true;
  unsigned storageBits = 8; // 8, or 32 (accumulators)
  llvm::SmallVector<float> scales, zeroPoints;
  std::optional<int64_t> axis;

  /// A frozen fake_quant that has an integer grid: uniform or LSQ, 8 bits
  /// or fewer, not grouped, not adaptive (unless `ofOutput`), with a
  /// constant scale and constant integer zero points. Otherwise `why` says
  /// what stands in the way.
  /// `ofOutput`: the caller reads the quantizer's output values (on the
  /// grid whatever the quantizer did to its input first, e.g. `adaptive`
  /// weight normalization), not its input. A frozen non_uniform quantizer
  /// then has one too: its outputs are the integers 0..n (n ramps, half
  /// range) or -1 / 0 / 1 (ternary), i.e. the grid of scale 1, zero point
  /// 0 over that range; it is not a uniform quantizer of its input.
  static mlir::FailureOr<FrozenGrid> of(qnn::FakeQuantOp op, std::string &why,
                                        bool ofOutput = false);
  /// The grid of a uniform quantized type with i8, u8 or i32 storage;
  /// otherwise `why` names the storage type.
  static mlir::FailureOr<FrozenGrid> of(mlir::quant::QuantizedType type,
                                        std::string &why);

  /// The !quant.uniform type (i8 storage) of the grid.
  mlir::quant::QuantizedType toQuantizedType(mlir::MLIRContext *ctx) const;
};

} // namespace qopt

#endif // QOPT_ANALYSIS_FROZENGRID_H
