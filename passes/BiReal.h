//===- BiReal.h - Bi-Real shortcuts around binarized convs ------*- C++ -*-===//
//
// model-quantization's structure keywords for binary nets (`bireal`,
// `PReLU`, `NReLU`) as rewrites of an imported graph; the semantics are in
// docs/policy.md.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_PASSES_BIREAL_H
#define QOPT_PASSES_BIREAL_H

#include "dialect/QnnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace qopt {

/// Adds a real-valued shortcut around each of `convs`: its output (or its
/// batch norm's, when a qnn.batch_norm is its only user) gets + its input,
/// through a 2-D average pool of the stride when the stride shrinks the
/// map and repeated along the channels when they grow by an integer factor.
/// A conv whose output already meets a qnn.add keeps its existing shortcut.
/// Checks every conv first: on a shape it cannot bridge it emits an error
/// naming `bireal` and changes nothing. Returns the number of shortcuts.
mlir::FailureOr<int64_t> addBiRealShortcuts(mlir::func::FuncOp func,
                                           llvm::ArrayRef<qnn::Conv2dOp> convs);

} // namespace qopt


namespace qopt {

/// model-quantization's `PReLU` / `NReLU` on an imported graph: each
/// qnn.relu that reads a binarized conv's output (through its batch norm
/// and a qnn.add after it: the bireal or residual add) becomes a qnn.prelu
/// with a per-channel slope of 0.25 (`prelu`) or is removed (`!prelu`).
/// Errors naming the keyword when there is no binarized conv or no such
/// ReLU. Returns the number of ReLUs rewritten.
mlir::FailureOr<int64_t>
rewriteBinaryActivations(mlir::func::FuncOp func,
                         llvm::ArrayRef<qnn::Conv2dOp> convs, bool prelu);

} // namespace qopt

#endif // QOPT_PASSES_BIREAL_H
