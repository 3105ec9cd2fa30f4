//===- Lowerings.h - qnn ops to ExecutionPlan steps -------------*- C++ -*-===//

#ifndef QOPT_CODEGEN_LOWERINGS_H
#define QOPT_CODEGEN_LOWERINGS_H

#include "codegen/ExecutionPlan.h"
#include "runtime/Conv.h"
#include "runtime/FakeQuant.h"
#include "runtime/Pool.h"

#include <array>
#include <optional>

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

/// A quantizer's granularity on `x`: per tensor without an axis, else
/// `groups` groups (default: one per channel) along it.
inline qrt::Granularity granularityOf(std::optional<int64_t> axis,
                                      std::optional<int64_t> groups,
                                      const qrt::Tensor &x) {
  return qrt::exec::granularityOf(axis.value_or(-1), groups.value_or(-1), x);
}

using qrt::lqBasisRows;

/// The parameter operands of a fake_quant or fake_quant_grad (scale, zero
/// point, clip, basis, offset, in that order) as slots, and its granularity
/// attributes; a step resolves them against its frame.
struct QuantParamSlots {
  static constexpr unsigned kNone = ~0u;
  std::array<unsigned, 5> slots;
  std::optional<int64_t> axis, groups;

  template <typename OpT>
  static QuantParamSlots of(ExecutionPlan &plan, OpT op) {
    QuantParamSlots q;
    mlir::Value operands[5] = {op.getScale(), op.getZeroPoint(), op.getClip(),
                               op.getBasis(), op.getOffset()};
    for (int i = 0; i < 5; ++i)
      q.slots[i] = operands[i] ? plan.slotOf(operands[i]) : kNone;
    q.axis = op.getAxis();
    q.groups = op.getGroups();
    return q;
  }
  /// The parameters' tensors in `f`, null where the op has none.
  void bind(Frame &f, const qrt::Tensor *p[5]) const {
    for (int i = 0; i < 5; ++i)
      p[i] = slots[i] == kNone ? nullptr : &f[slots[i]];
  }
  qrt::Granularity granularity(const qrt::Tensor &x) const {
    return granularityOf(axis, groups, x);
  }
};

/// A conv2d / linear over frozen uniform or LSQ fake-quantized operands,
/// evaluated exactly as the integer program does (ExactQuantizedSteps.cpp).
/// Fails, adding nothing, when the layer is not of that kind.
mlir::LogicalResult lowerExactQuantizedLayer(ExecutionPlan &plan,
                                             mlir::Operation *op);

} // namespace qopt

#endif // QOPT_CODEGEN_LOWERINGS_H
