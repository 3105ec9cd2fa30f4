//===- Autodiff.cpp - reverse-mode differentiation (qnn-autodiff) ---------===//
//
// The differentiator walks the block backwards from the loss, one op at a
// time, and hands each op on a path from a leaf to the loss to its rule
// (AutodiffRules.cpp). Leaves are values (global_loads of trainable globals
// for the pass); ops off those paths are never visited, so constants,
// labels and running statistics need no rule.
//
//===----------------------------------------------------------------------===//

#include "passes/Autodiff.h"
#include "passes/Passes.h"

#include "dialect/QnnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/MapVector.h"

namespace qopt {
#define GEN_PASS_DEF_AUTODIFFPASS
#include "passes/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

StringRef qopt::globalKind(ml_program::GlobalOp global) {
  if (auto kind = global->getAttrOfType<StringAttr>("qnn.kind"))
    return kind.getValue();
  return "";
}

ml_program::GlobalOp qopt::createStateGlobal(ModuleOp module,
                                             SymbolTable &symbols,
                                             Location loc, StringRef name,
                                             Type type, Attribute value,
                                             StringRef kind, StringRef layer) {
  OpBuilder b(module.getContext());
  auto global = ml_program::GlobalOp::create(
      b, loc, b.getStringAttr(name), TypeAttr::get(type), b.getUnitAttr(),
      value, b.getStringAttr("private"));
  global->setAttr("qnn.kind", b.getStringAttr(kind));
  global->setAttr("qnn.layer", b.getStringAttr(layer));
  // Globals go before the functions, in creation order; the symbol table
  // makes a clashing name unique.
  Block &body = module.getBodyRegion().front();
  Block::iterator at = body.begin();
  while (at != body.end() && isa<ml_program::GlobalOp>(*at))
    ++at;
  symbols.insert(global, at);
  return global;
}

bool qopt::isTrainable(ml_program::GlobalOp global) {
  StringRef kind = globalKind(global);
  return global.getIsMutable() && kind != "bn_stat" &&
         kind != "optimizer_state" && kind != "quant_stat";
}

FailureOr<SmallVector<Value>>
qopt::differentiate(OpBuilder &builder, Value loss, ArrayRef<Value> leaves) {
  auto lossType = dyn_cast<RankedTensorType>(loss.getType());
  Operation *lossOp = loss.getDefiningOp();
  if (!lossType || lossType.getRank() != 0 ||
      !lossType.getElementType().isF32() || !lossOp)
    return emitError(loss.getLoc(), "qnn-autodiff: the loss must be a "
                                    "scalar tensor<f32> computed by an op, "
                                    "got ")
           << loss.getType();
  Block *block = lossOp->getBlock();

  // Forward: the values that depend on a leaf.
  DenseSet<Value> active(leaves.begin(), leaves.end());
  for (Operation &op : *block) {
    if (llvm::any_of(op.getOperands(),
                     [&](Value v) { return active.contains(v); }))
      active.insert(op.getResults().begin(), op.getResults().end());
    if (&op == lossOp)
      break;
  }

  // Backward: gradients flow from the loss towards the leaves.
  llvm::DenseMap<Value, Value> grads;
  Location loc = lossOp->getLoc();
  auto seed = arith::ConstantOp::create(builder, loc,
                                        DenseElementsAttr::get(lossType, 1.0f));
  grads[loss] = seed;
  auto accumulate = [&](Value v, Value g) {
    Value &slot = grads[v];
    slot = slot ? AddOp::create(builder, g.getLoc(), v.getType(), slot, g)
                      .getResult()
                : g;
  };
  for (Operation *op = lossOp; op; op = op->getPrevNode()) {
    SmallVector<Value> resultGrads;
    bool any = false;
    for (Value r : op->getResults()) {
      resultGrads.push_back(grads.lookup(r));
      any |= resultGrads.back() != nullptr;
    }
    if (!any)
      continue;
    // A leaf's gradient is the answer, not something to propagate.
    if (llvm::any_of(op->getResults(),
                     [&](Value r) { return llvm::is_contained(leaves, r); }))
      continue;
    if (llvm::none_of(op->getOperands(),
                      [&](Value v) { return active.contains(v); }))
      continue;
    BackwardRule rule = lookupBackwardRule(op);
    if (!rule)
      return op->emitError("qnn-autodiff: no backward rule for '")
             << op->getName() << "' (docs/training.md lists the "
             << "differentiable ops)";
    BackwardContext context(builder, op, resultGrads, active);
    if (failed(rule(context)))
      return failure();
    for (auto [operand, g] :
         llvm::zip(op->getOperands(), context.getOperandGrads()))
      if (g && active.contains(operand))
        accumulate(operand, g);
  }

  SmallVector<Value> result;
  for (Value leaf : leaves)
    result.push_back(grads.lookup(leaf));
  // Loss ops fold the seed into their own gradient (d loss / d loss = 1).
  if (seed.use_empty() && !llvm::is_contained(result, seed.getResult()))
    seed.erase();
  return result;
}

namespace {
struct AutodiffPass : qopt::impl::AutodiffPassBase<AutodiffPass> {
  using AutodiffPassBase::AutodiffPassBase;

  void runOnOperation() override {
    SymbolTableCollection symbols;
    SmallVector<func::FuncOp> losses;
    getOperation().walk([&](func::FuncOp f) {
      if (f->hasAttr("qnn.loss"))
        losses.push_back(f);
    });
    for (func::FuncOp f : losses)
      if (failed(differentiateFunction(f, symbols)))
        return signalPassFailure();
  }

  /// Appends d loss / d global for every trainable global the function
  /// loads to its results, in order of first load.
  LogicalResult differentiateFunction(func::FuncOp f,
                                      SymbolTableCollection &symbols) {
    if (!f.getBody().hasOneBlock() || f.getNumResults() != 1)
      return f.emitError("qnn-autodiff: a qnn.loss function must have one "
                         "block and return exactly one scalar loss");
    auto ret = cast<func::ReturnOp>(f.getBody().front().getTerminator());
    Value loss = ret.getOperand(0);

    // One leaf per load; loads of the same global sum into one gradient.
    llvm::MapVector<ml_program::GlobalOp, SmallVector<Value>> loads;
    f.walk([&](ml_program::GlobalLoadOp load) {
      ml_program::GlobalOp global = load.getGlobalOp(symbols);
      if (global && isTrainable(global))
        loads[global].push_back(load.getResult());
    });
    SmallVector<Value> leaves;
    for (auto &[global, values] : loads)
      llvm::append_range(leaves, values);

    OpBuilder b(ret);
    FailureOr<SmallVector<Value>> grads = differentiate(b, loss, leaves);
    if (failed(grads))
      return failure();

    SmallVector<Value> results = {loss};
    SmallVector<Attribute> resultAttrs = {b.getDictionaryAttr({})};
    unsigned next = 0;
    for (auto &[global, values] : loads) {
      Value sum;
      for (size_t i = 0; i < values.size(); ++i, ++next) {
        Value g = (*grads)[next];
        if (!g)
          continue;
        sum = sum ? AddOp::create(b, ret.getLoc(), g.getType(), sum, g)
                        .getResult()
                  : g;
      }
      if (!sum) // the loss does not depend on this global
        sum = arith::ConstantOp::create(
            b, ret.getLoc(),
            DenseElementsAttr::get(cast<ShapedType>(global.getType()), 0.0f));
      results.push_back(sum);
      resultAttrs.push_back(b.getDictionaryAttr(b.getNamedAttr(
          "qnn.grad_of", FlatSymbolRefAttr::get(global.getSymNameAttr()))));
      ++numGradients;
    }
    ret->setOperands(results);
    f.setFunctionType(b.getFunctionType(f.getArgumentTypes(),
                                        ValueRange(results).getTypes()));
    f.setAllResultAttrs(resultAttrs);
    f->removeAttr("qnn.loss");
    return success();
  }
};
} // namespace
