//===- OpUtils.h - helpers shared by the op-family importers ----*- C++ -*-===//

#ifndef QOPT_FRONTEND_ONNX_OPUTILS_H
#define QOPT_FRONTEND_ONNX_OPUTILS_H

#include "frontend/common/OpUtils.h"
#include "frontend/onnx/ImportContext.h"

#include "dialect/QnnOps.h"

namespace qopt::onnx_import {

using frontend::normalizeAxis;
using frontend::product;
using frontend::shapeOf;
using frontend::toMlirShape;

/// Builds qnn.reshape to `shape`, which may hold one dynamic dimension.
mlir::FailureOr<mlir::Value> reshapeTo(Importer &im, mlir::Value input,
                                       llvm::ArrayRef<int64_t> shape);

} // namespace qopt::onnx_import

#endif // QOPT_FRONTEND_ONNX_OPUTILS_H
