//===- DataParallel.cpp - qnn-data-parallel -------------------------------===//
//
// A training step becomes a data-parallel one: every optimizer update reads
// its gradient through qnn.all_reduce, and batch norm in training form is
// synchronized. The collectives themselves are the runtime's
// (runtime/Collective.h); the IR only says where they happen.
//
//===----------------------------------------------------------------------===//

#include "dialect/QnnOps.h"
#include "passes/Passes.h"

namespace qopt {
#define GEN_PASS_DEF_DATAPARALLELPASS
#include "passes/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

namespace {

struct DataParallelPass
    : qopt::impl::DataParallelPassBase<DataParallelPass> {
  using DataParallelPassBase::DataParallelPassBase;

  /// Puts an all_reduce between `update` and its gradient operand `grad`.
  void reduceGradient(Operation *update, OpOperand &grad) {
    if (grad.get().getDefiningOp<AllReduceOp>())
      return; // already reduced
    OpBuilder b(update);
    auto reduced = AllReduceOp::create(b, update->getLoc(), grad.get());
    grad.set(reduced.getOutput());
    ++numReduced;
  }

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    bool training = false;
    fn.walk([&](Operation *op) {
      training |= isa<SgdUpdateOp, AdamUpdateOp>(op);
    });
    if (!training)
      return;
    WalkResult r = fn.walk([&](Operation *op) -> WalkResult {
      if (auto sgd = dyn_cast<SgdUpdateOp>(op)) {
        reduceGradient(op, sgd.getGradMutable());
      } else if (auto adam = dyn_cast<AdamUpdateOp>(op)) {
        reduceGradient(op, adam.getGradMutable());
      } else if (auto bn = dyn_cast<BatchNormTrainOp>(op)) {
        numSynced += !bn.getSync();
        bn.setSync(true);
      } else if (auto grad = dyn_cast<BatchNormGradOp>(op)) {
        grad.setSync(true);
      } else if (isa<LqnetBasisUpdateOp>(op)) {
        op->emitError("qnn-data-parallel: LQ-Nets' basis update fits the "
                      "basis to this rank's activations only; data-parallel "
                      "LQ-Nets training is not supported");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (r.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
