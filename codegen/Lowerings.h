//===- Lowerings.h - qnn ops to ExecutionPlan steps -------------*- C++ -*-===//

#ifndef QOPT_CODEGEN_LOWERINGS_H
#define QOPT_CODEGEN_LOWERINGS_H

#include "analysis/FrozenGrid.h"
#include "codegen/ExecutionPlan.h"
#include "dialect/QnnOps.h"
#include "runtime/Conv.h"
#include "runtime/FakeQuant.h"
#include "runtime/Pool.h"


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

/// qrt's pooling parameters from a pooling op's (or its gradient's)
/// attributes; dilations and count_include_pad are set by the caller.
qrt::Pool2dParams poolParams(llvm::ArrayRef<int64_t> kernel,
                             llvm::ArrayRef<int64_t> strides,
                             llvm::ArrayRef<int64_t> pads, bool ceilMode);

/// The kernel form of a fake_quant method for a weight or an activation
/// (the forward and its gradient agree on it).
qrt::exec::FakeQuantKind fakeQuantKind(qnn::QuantMethod method, bool weight);
/// The qrt normalization of a fake_quant's `adaptive`.
qrt::WeightNorm weightNormOf(qnn::Adaptive adaptive);

/// The storage dtype of a frozen grid: i8 / u8, or i32 (accumulators).
qrt::DType storageDType(const FrozenGrid &g);
/// The kernels' form of a frozen grid.
qrt::exec::QuantGrid quantGridOf(const FrozenGrid &g);

/// A conv2d / linear over frozen uniform or LSQ fake-quantized operands,
/// evaluated exactly as the integer program does (ExactQuantizedSteps.cpp).
/// Fails, adding nothing, when the layer is not of that kind.
mlir::LogicalResult lowerExactQuantizedLayer(ExecutionPlan &plan,
                                             mlir::Operation *op);

/// A conv2d of an xnor-binarized input by a constant binary weight as one
/// packed binary_conv2d step (BinarySteps.cpp), in a plan for the CPU.
/// Fails, adding nothing, when the conv is not of that kind.
mlir::LogicalResult lowerBinaryConv(ExecutionPlan &plan, qnn::Conv2dOp conv);
/// True when `op` (the sign, its zero pad, the weight's quantizer or
/// dequantize) is read only through binary_conv2d steps, which compute it
/// themselves: it gets no step of its own.
bool computedByBinaryConv(mlir::Operation *op);

/// A conv2d / linear of a frozen LQ-Nets-quantized input by a frozen
/// LQ-Nets-quantized constant weight as one lq_conv2d / lq_linear step on
/// integer code planes (LqSteps.cpp). Fails, adding nothing, when the layer
/// is not of that kind.
mlir::LogicalResult lowerLqLayer(ExecutionPlan &plan, mlir::Operation *op);
/// True when `op` (the input's LQ-Nets quantizer, a linear's flatten of it,
/// the weight's quantizer) is read only through lq_conv2d / lq_linear steps,
/// which compute it themselves.
bool computedByLqLayer(mlir::Operation *op);

} // namespace qopt

#endif // QOPT_CODEGEN_LOWERINGS_H
