//===- Lowerings.h - qnn ops to ExecutionPlan steps -------------*- C++ -*-===//

#ifndef QOPT_CODEGEN_LOWERINGS_H
#define QOPT_CODEGEN_LOWERINGS_H

#include "codegen/ExecutionPlan.h"
#include "runtime/Conv.h"

namespace qopt {

/// Appends the steps computing `op`. Emits an error at the op and fails when
/// the op (or an attribute value of it) is not supported.
mlir::LogicalResult lowerOp(ExecutionPlan &plan, mlir::Operation *op);

// Per op family; each returns failure() with an error for its own ops it
// cannot lower, and `handled = false` for ops that are not its business.
mlir::LogicalResult lowerNetworkOp(ExecutionPlan &plan, mlir::Operation *op,
                                   bool &handled);
mlir::LogicalResult lowerLayoutOp(ExecutionPlan &plan, mlir::Operation *op,
                                  bool &handled);
mlir::LogicalResult lowerQuantOp(ExecutionPlan &plan, mlir::Operation *op,
                                 bool &handled);
mlir::LogicalResult lowerIntegerOp(ExecutionPlan &plan, mlir::Operation *op,
                                   bool &handled);
mlir::LogicalResult lowerTrainingOp(ExecutionPlan &plan, mlir::Operation *op,
                                    bool &handled);

/// qrt's convolution parameters from a conv2d's / qconv2d's attributes.
qrt::Conv2dParams convParams(llvm::ArrayRef<int64_t> strides,
                             llvm::ArrayRef<int64_t> dilations,
                             llvm::ArrayRef<int64_t> pads, int64_t groups);

/// A conv2d / linear over frozen uniform or LSQ fake-quantized operands,
/// evaluated exactly as the integer program does (ExactQuantizedSteps.cpp).
/// Fails, adding nothing, when the layer is not of that kind.
mlir::LogicalResult lowerExactQuantizedLayer(ExecutionPlan &plan,
                                             mlir::Operation *op);

} // namespace qopt

#endif // QOPT_CODEGEN_LOWERINGS_H
