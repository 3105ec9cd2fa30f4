//===- OpUtils.h - helpers shared by the op handlers ------------*- C++ -*-===//

#ifndef QOPT_FRONTEND_TORCHSCRIPT_OPUTILS_H
#define QOPT_FRONTEND_TORCHSCRIPT_OPUTILS_H

#include "frontend/common/OpUtils.h"
#include "frontend/torchscript/ImportContext.h"

namespace qopt::torch_import {

using frontend::normalizeAxis;
using frontend::shapeOf;

/// Input `i`, a 1- or 2-element int list, as two values (PyTorch repeats a
/// single one); `what` names it in errors.
mlir::FailureOr<llvm::SmallVector<int64_t>> pair(Importer &im, unsigned i,
                                                 llvm::StringRef what);

} // namespace qopt::torch_import

#endif // QOPT_FRONTEND_TORCHSCRIPT_OPUTILS_H
