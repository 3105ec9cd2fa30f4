//===- Exporter.h - qnn module to ONNX --------------------------*- C++ -*-===//
//
// Writes one function of a qnn module as an ONNX model (opset 13): float
// network ops map to their ONNX operators, `qnn.fake_quant uniform` to
// QuantizeLinear + DequantizeLinear (QDQ), `qnn.quantize` / `qnn.dequantize`
// directly. See export/onnx/README.md for the table.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_EXPORT_ONNX_EXPORTER_H
#define QOPT_EXPORT_ONNX_EXPORTER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringRef.h"

namespace qopt::onnx_export {

constexpr int64_t kExportOpset = 13;

/// Exports `func` to `path`. Unsupported ops, methods or attribute values
/// are reported as an error at the op (naming it) and give failure(); a
/// model that onnx::checker rejects is reported at the function.
mlir::LogicalResult exportOnnxFile(mlir::func::FuncOp func,
                                   llvm::StringRef path);

} // namespace qopt::onnx_export

#endif // QOPT_EXPORT_ONNX_EXPORTER_H
