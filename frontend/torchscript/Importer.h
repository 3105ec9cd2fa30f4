//===- Importer.h - TorchScript to qnn: the public entry points -*- C++ -*-===//

#ifndef QOPT_FRONTEND_TORCHSCRIPT_IMPORTER_H
#define QOPT_FRONTEND_TORCHSCRIPT_IMPORTER_H

#include "frontend/common/ImportOptions.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace qopt::torch_import {

struct ImportOptions : frontend::GraphOptions {
  /// One shape per tensor input of forward. Dimension 0 (the batch) is
  /// dynamic in the imported signature whatever its value here.
  std::vector<std::vector<int64_t>> inputShapes;
};

/// Loads `path` with LibTorch and builds a verified module holding
/// `func.func @main`. Returns null after emitting diagnostics on `ctx`.
mlir::OwningOpRef<mlir::ModuleOp>
importTorchScriptFile(llvm::StringRef path, mlir::MLIRContext *ctx,
                      const ImportOptions &options);

/// The TorchScript node kinds the importer maps or folds, sorted.
std::vector<std::string> supportedTorchOps();

} // namespace qopt::torch_import

#endif // QOPT_FRONTEND_TORCHSCRIPT_IMPORTER_H
