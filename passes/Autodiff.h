//===- Autodiff.h - reverse-mode differentiation of qnn graphs --*- C++ -*-===//
//
// qnn-autodiff and qnn-wrap-mode{mode=qat} share one differentiator: it
// walks a block backwards from a scalar loss and asks each op's backward
// rule (AutodiffRules.cpp, one small function per op) for the gradients of
// its operands. The op set and the rules are listed in docs/training.md.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_PASSES_AUTODIFF_H
#define QOPT_PASSES_AUTODIFF_H

#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/DenseSet.h"

namespace qopt {

/// What a backward rule sees: the forward op, the gradients of its results
/// (null for a result the loss does not depend on), and which operands need
/// a gradient. It answers with setGrad() for those operands.
class BackwardContext {
public:
  BackwardContext(mlir::OpBuilder &builder, mlir::Operation *op,
                  llvm::ArrayRef<mlir::Value> resultGrads,
                  const llvm::DenseSet<mlir::Value> &active)
      : builder(builder), op(op), resultGrads(resultGrads), active(active),
        operandGrads(op->getNumOperands()) {}

  mlir::OpBuilder &builder;
  mlir::Operation *op;

  mlir::Location loc() const { return op->getLoc(); }
  /// The gradient of result `i`, or null.
  mlir::Value resultGrad(unsigned i) const { return resultGrads[i]; }
  /// True when operand `i` depends on a differentiated leaf.
  bool wants(unsigned i) const { return active.contains(op->getOperand(i)); }
  void setGrad(unsigned i, mlir::Value grad) { operandGrads[i] = grad; }
  llvm::ArrayRef<mlir::Value> getOperandGrads() const { return operandGrads; }

  /// Creates `name` with `operands` and `types`, copying the forward op's
  /// attributes `attrNames` (those that are set; unset ones keep their
  /// defaults, as in the forward op).
  mlir::Operation *create(llvm::StringRef name, mlir::ValueRange operands,
                          mlir::TypeRange types,
                          llvm::ArrayRef<llvm::StringRef> attrNames = {});

private:
  llvm::ArrayRef<mlir::Value> resultGrads;
  const llvm::DenseSet<mlir::Value> &active;
  llvm::SmallVector<mlir::Value> operandGrads;
};

/// A backward rule. Fails with a diagnostic at the op when the op's
/// configuration has no backward (e.g. matmul of rank > 2).
using BackwardRule = mlir::LogicalResult (*)(BackwardContext &);

/// The rule of `op`, or null when it has none.
BackwardRule lookupBackwardRule(mlir::Operation *op);

/// Emits, at `builder`'s insertion point, the backward of the block that
/// computes the scalar `loss` (tensor<f32>), and returns d loss / d leaf for
/// each of `leaves` (null when the loss does not depend on a leaf). Gradients
/// of values with several uses are summed with qnn.add. Fails, with an error
/// naming the op, when an op between a leaf and the loss has no rule.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
differentiate(mlir::OpBuilder &builder, mlir::Value loss,
              llvm::ArrayRef<mlir::Value> leaves);

/// `qnn.kind` of a global: "weight", "bias", "bn_weight", "bn_bias",
/// "gn_weight", "gn_bias", "bn_stat", "prelu_weight", "quant_param",
/// "quant_stat" or "optimizer_state" (empty when unset).
llvm::StringRef globalKind(mlir::ml_program::GlobalOp global);

/// Creates a private mutable training-state global `name` (made unique by
/// `symbols` on a clash) with initial `value`, marked `qnn.kind` and
/// `qnn.layer`, after the module's other globals and before its functions.
mlir::ml_program::GlobalOp
createStateGlobal(mlir::ModuleOp module, mlir::SymbolTable &symbols,
                  mlir::Location loc, llvm::StringRef name, mlir::Type type,
                  mlir::Attribute value, llvm::StringRef kind,
                  llvm::StringRef layer);

/// A mutable global that gradient descent updates: every kind but bn_stat
/// and optimizer_state (an unmarked mutable global counts as trainable).
bool isTrainable(mlir::ml_program::GlobalOp global);

} // namespace qopt

#endif // QOPT_PASSES_AUTODIFF_H
