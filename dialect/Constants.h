//===- Constants.h - reading constant tensors -------------------*- C++ -*-===//

#ifndef QOPT_DIALECT_CONSTANTS_H
#define QOPT_DIALECT_CONSTANTS_H

#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace qopt {

/// The elements of a constant f32 tensor, whether its attribute is dense or a
/// dense resource (as importers make large weights); nullopt when `v` is null
/// or not such a constant.
std::optional<llvm::SmallVector<float>> readF32Constant(mlir::Value v);

} // namespace qopt

#endif // QOPT_DIALECT_CONSTANTS_H
