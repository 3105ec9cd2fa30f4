//===- OpUtils.h - helpers shared by the op-family importers ----*- C++ -*-===//

#ifndef QOPT_FRONTEND_ONNX_OPUTILS_H
#define QOPT_FRONTEND_ONNX_OPUTILS_H

#include "frontend/onnx/ImportContext.h"

#include "dialect/QnnOps.h"

namespace qopt::onnx_import {

inline llvm::ArrayRef<int64_t> shapeOf(mlir::Value v) {
  return llvm::cast<mlir::RankedTensorType>(v.getType()).getShape();
}

/// Normalizes a possibly negative axis in [-rank, rank) (or up to rank with
/// `allowEnd`); emits at the node and fails when out of range.
mlir::LogicalResult normalizeAxis(Importer &im, int64_t &axis, int64_t rank,
                                  llvm::StringRef what = "axis",
                                  bool allowEnd = false);

/// Product of `dims`, or ShapedType::kDynamic if any is dynamic.
int64_t product(llvm::ArrayRef<int64_t> dims);

/// Builds qnn.reshape to `shape`, which may hold one dynamic dimension.
mlir::FailureOr<mlir::Value> reshapeTo(Importer &im, mlir::Value input,
                                       llvm::ArrayRef<int64_t> shape);

/// ONNX's shape (-1 unknown) as an MLIR shape.
llvm::SmallVector<int64_t> toMlirShape(llvm::ArrayRef<int64_t> dims);

} // namespace qopt::onnx_import

#endif // QOPT_FRONTEND_ONNX_OPUTILS_H
