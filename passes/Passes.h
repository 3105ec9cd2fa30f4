//===- Passes.h - qnn passes ------------------------------------*- C++ -*-===//

#ifndef QOPT_PASSES_PASSES_H
#define QOPT_PASSES_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Pass/Pass.h"

namespace qopt {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Patterns behind qnn-fold-batch-norm, for pipelines that fold as they go.
void populateFoldBatchNormPatterns(mlir::RewritePatternSet &patterns);

} // namespace qopt

#endif // QOPT_PASSES_PASSES_H
