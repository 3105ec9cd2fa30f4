//===- FoldAdaptive.cpp - adaptive weight normalization into constants ----===//
//
// qnn-fold-adaptive: model-quantization's `adaptive` normalization of a
// constant weight becomes part of the constant (foldAdaptiveNormalization).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/WeightQuantizers.h"

namespace qopt {
#define GEN_PASS_DEF_FOLDADAPTIVEPASS
#include "passes/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

namespace {
struct FoldAdaptivePass : qopt::impl::FoldAdaptivePassBase<FoldAdaptivePass> {
  void runOnOperation() override {
    getOperation().walk([&](FakeQuantOp op) {
      if (op.getAdaptive() == Adaptive::None)
        return;
      if (succeeded(foldAdaptiveNormalization(op)))
        ++numFolded;
      else
        op.emitRemark("adaptive normalization not folded: the weight is not "
                      "a constant");
    });
  }
};
} // namespace
