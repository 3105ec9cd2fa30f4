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

/// ONNX Equal of two import-time tensors of one kind (float or integer),
/// numpy-broadcast, as a bool tensor; fails when the shapes do not
/// broadcast or an integer entry is only known at run time.
mlir::FailureOr<ConstTensor> foldEqual(const ConstTensor &a,
                                       const ConstTensor &b);

/// ONNX Expand of an import-time tensor to `shape` (numpy broadcasting);
/// fails when the shapes do not broadcast.
mlir::FailureOr<ConstTensor> foldExpand(const ConstTensor &x,
                                        llvm::ArrayRef<int64_t> shape);

} // namespace qopt::onnx_import

#endif // QOPT_FRONTEND_ONNX_OPUTILS_H
