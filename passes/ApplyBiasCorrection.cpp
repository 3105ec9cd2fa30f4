//===- ApplyBiasCorrection.cpp - measured shifts out of layer biases ------===//

#include "dialect/Constants.h"
#include "dialect/QnnOps.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

namespace qopt {
#define GEN_PASS_DEF_APPLYBIASCORRECTIONPASS
#include "passes/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

static constexpr llvm::StringLiteral kShift = "qnn.bias_shift";

/// Replaces `layer`'s constant bias (operand 2) by bias - shift.
static LogicalResult correct(Operation *layer, ArrayRef<double> shift) {
  if (layer->getNumOperands() < 3)
    return layer->emitError("qnn-apply-bias-correction: the layer has no "
                            "bias to correct");
  Value old = layer->getOperand(2);
  std::optional<SmallVector<float>> bias = readF32Constant(old);
  if (!bias)
    return layer->emitError("qnn-apply-bias-correction: the bias is not a "
                            "constant f32 tensor");
  if (bias->size() != shift.size())
    return layer->emitError("qnn-apply-bias-correction: ")
           << shift.size() << " shift(s) for a bias of " << bias->size();
  for (size_t k = 0; k < bias->size(); ++k)
    (*bias)[k] = static_cast<float>((*bias)[k] - shift[k]);
  OpBuilder b(layer);
  auto type = cast<RankedTensorType>(old.getType());
  Value corrected = arith::ConstantOp::create(
      b, layer->getLoc(), DenseElementsAttr::get(type, ArrayRef<float>(*bias)));
  layer->setOperand(2, corrected);
  if (Operation *def = old.getDefiningOp(); def && def->use_empty())
    def->erase();
  layer->removeAttr(kShift);
  return success();
}

namespace {
struct ApplyBiasCorrectionPass
    : qopt::impl::ApplyBiasCorrectionPassBase<ApplyBiasCorrectionPass> {
  void runOnOperation() override {
    bool ok = true;
    getOperation().walk([&](Operation *op) {
      if (!isa<Conv2dOp, LinearOp>(op))
        return;
      auto shift = op->getAttrOfType<DenseF64ArrayAttr>(kShift);
      if (!shift) {
        if (op->hasAttr(kShift)) {
          op->emitError("qnn-apply-bias-correction: qnn.bias_shift must be "
                        "an array<f64: ...>");
          ok = false;
        }
        return;
      }
      if (failed(correct(op, shift.asArrayRef())))
        ok = false;
      else
        ++numCorrected;
    });
    if (!ok)
      signalPassFailure();
  }
};
} // namespace
