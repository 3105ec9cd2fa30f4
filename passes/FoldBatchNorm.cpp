//===- FoldBatchNorm.cpp - fold batch_norm into conv2d / linear -----------===//

#include "dialect/Constants.h"
#include "dialect/QnnOps.h"
#include "passes/Passes.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace qopt {
#define GEN_PASS_DEF_FOLDBATCHNORMPASS
#include "passes/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

namespace {
/// A batch_norm that can be folded, with everything read out of it.
struct FoldPlan {
  Operation *producer; // conv2d or linear
  Value weight, bias;  // the producer's (bias may be null)
  SmallVector<float> w, b, k, shift; // k and shift per output channel
};
} // namespace

/// Decides whether `bn` folds into its producer. On failure `why` says what
/// stands in the way, for the remark.
static FailureOr<FoldPlan> planFold(BatchNormOp bn, std::string &why) {
  Operation *producer = bn.getInput().getDefiningOp();
  FoldPlan plan;
  plan.producer = producer;
  if (auto conv = dyn_cast_or_null<Conv2dOp>(producer)) {
    plan.weight = conv.getWeight();
    plan.bias = conv.getBias();
  } else if (auto linear = dyn_cast_or_null<LinearOp>(producer)) {
    if (cast<RankedTensorType>(linear.getType()).getRank() != 2) {
      why = "its channel axis 1 is not the linear layer's feature axis";
      return failure();
    }
    plan.weight = linear.getWeight();
    plan.bias = linear.getBias();
  } else {
    why = producer ? "its input comes from '" +
                         producer->getName().getStringRef().str() +
                         "', not from a conv2d or linear"
                   : "its input is a block argument, not a conv2d or linear";
    return failure();
  }
  if (!producer->getResult(0).hasOneUse()) {
    why = "the " + producer->getName().getStringRef().str() +
          " result has other users that expect unnormalized values";
    return failure();
  }
  if (!plan.weight.hasOneUse() || (plan.bias && !plan.bias.hasOneUse())) {
    why = "the layer's weight or bias is shared with another op; folding "
          "would untie them";
    return failure();
  }
  std::optional<SmallVector<float>> w = readF32Constant(plan.weight);
  std::optional<SmallVector<float>> gamma = readF32Constant(bn.getScale());
  std::optional<SmallVector<float>> beta = readF32Constant(bn.getBias());
  std::optional<SmallVector<float>> mean = readF32Constant(bn.getMean());
  std::optional<SmallVector<float>> var = readF32Constant(bn.getVariance());
  std::optional<SmallVector<float>> b = readF32Constant(plan.bias);
  if (!w || !gamma || !beta || !mean || !var || (plan.bias && !b)) {
    why = "the layer's weights or the batch_norm statistics are not "
          "constants";
    return failure();
  }
  int64_t channels =
      cast<RankedTensorType>(plan.weight.getType()).getDimSize(0);
  if ((int64_t)gamma->size() != channels) {
    why = "its channel count does not match the layer's output channels";
    return failure();
  }
  double eps = bn.getEpsilon().convertToDouble();
  plan.w = std::move(*w);
  plan.b = b ? std::move(*b) : SmallVector<float>(channels, 0.0f);
  for (int64_t c = 0; c < channels; ++c) {
    // Double precision, rounded once: the folded layer should differ from
    // conv-then-BN by float rounding only.
    double k = (*gamma)[c] / std::sqrt((double)(*var)[c] + eps);
    plan.k.push_back((float)k);
    plan.shift.push_back((float)(((double)plan.b[c] - (*mean)[c]) * k +
                                 (*beta)[c]));
  }
  return plan;
}

namespace {
struct FoldBatchNormPattern : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    std::string why;
    FailureOr<FoldPlan> plan = planFold(bn, why);
    if (failed(plan))
      return rewriter.notifyMatchFailure(bn, why);

    auto wType = cast<RankedTensorType>(plan->weight.getType());
    int64_t channels = wType.getDimSize(0);
    int64_t perChannel = plan->w.size() / channels;
    SmallVector<float> folded(plan->w.size());
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < perChannel; ++i)
        folded[c * perChannel + i] =
            (float)((double)plan->w[c * perChannel + i] * plan->k[c]);

    Location loc = plan->producer->getLoc();
    rewriter.setInsertionPoint(plan->producer);
    auto biasType =
        RankedTensorType::get({channels}, rewriter.getF32Type());
    Value newW = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(wType, ArrayRef(folded)));
    Value newB = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(biasType, ArrayRef(plan->shift)));

    Operation *replacement;
    if (auto conv = dyn_cast<Conv2dOp>(plan->producer))
      replacement = Conv2dOp::create(
          rewriter, rewriter.getFusedLoc({conv.getLoc(), bn.getLoc()}),
          bn.getType(), conv.getInput(), newW, newB, conv.getStridesAttr(),
          conv.getPadsAttr(), conv.getDilationsAttr(), conv.getGroupsAttr());
    else
      replacement = LinearOp::create(
          rewriter, rewriter.getFusedLoc({plan->producer->getLoc(), bn.getLoc()}),
          bn.getType(), cast<LinearOp>(plan->producer).getInput(), newW, newB);
    rewriter.replaceOp(bn, replacement->getResults());
    return success();
  }
};

struct FoldBatchNormPass
    : qopt::impl::FoldBatchNormPassBase<FoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFoldBatchNormPatterns(patterns);
    int64_t before = 0;
    getOperation().walk([&](BatchNormOp) { ++before; });
    // No constant CSE: merging equal-valued weights of two layers would make
    // them look tied, and tied weights are exactly what must not be folded.
    GreedyRewriteConfig config;
    config.enableConstantCSE(false);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config)))
      return signalPassFailure();
    int64_t after = 0;
    getOperation().walk([&](BatchNormOp bn) {
      ++after;
      std::string why;
      (void)planFold(bn, why);
      bn.emitRemark("batch_norm not folded: ") << why;
    });
    numFolded += before - after;
    numKept += after;
  }
};
} // namespace

void qopt::populateFoldBatchNormPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldBatchNormPattern>(patterns.getContext());
}
