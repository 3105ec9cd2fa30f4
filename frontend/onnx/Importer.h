//===- Importer.h - ONNX to qnn: the public entry points --------*- C++ -*-===//

#ifndef QOPT_FRONTEND_ONNX_IMPORTER_H
#define QOPT_FRONTEND_ONNX_IMPORTER_H

#include "frontend/common/ImportOptions.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
class MLIRContext;
} // namespace mlir

namespace qopt::onnx_import {

/// ONNX import takes only the options every importer does.
using ImportOptions = frontend::GraphOptions;

/// Registers the dialects an imported module uses.
void registerImportDialects(mlir::DialectRegistry &registry);

/// Reads `path` and builds a verified module holding `func.func @main`.
/// Returns null after emitting diagnostics on `ctx` when the model cannot be
/// imported.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxFile(llvm::StringRef path,
                                                 mlir::MLIRContext *ctx,
                                                 const ImportOptions &options);

/// The ONNX operator types (default domain) the importer maps, sorted.
std::vector<std::string> supportedOnnxOps();

/// Opsets of the default domain the importer accepts.
constexpr int64_t kMinOpset = 11;
constexpr int64_t kMaxOpset = 17;

} // namespace qopt::onnx_import

#endif // QOPT_FRONTEND_ONNX_IMPORTER_H
