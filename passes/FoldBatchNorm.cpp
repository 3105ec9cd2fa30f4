//===- FoldBatchNorm.cpp - fold batch_norm into conv2d / linear -----------===//

#include "dialect/Constants.h"
#include "dialect/QnnOps.h"
#include "passes/Passes.h"
#include "passes/WeightGrid.h"

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
  /// A fake-quantized weight: its quantizer, and the folded weight's grid
  /// (folded levels times the per-channel scale `scale`, in `folded`).
  FakeQuantOp quant;
  std::optional<WeightGrid> grid;
  SmallVector<float> scale, folded;
};
} // namespace

/// The folded weight of a fake-quantized layer: levels L (ŵ = L·d per
/// output channel) become sign(k)·L on the scale d·|k|, so that the folded
/// quantizer's output L'·s' is k·ŵ up to float rounding and its integer
/// levels are what the integer program stores. Fails when a flipped level
/// leaves the grid.
static LogicalResult planQuantizedWeight(FoldPlan &plan, std::string &why) {
  const WeightGrid &g = *plan.grid;
  int64_t channels = g.step.size();
  int64_t perChannel = g.levels.size() / channels;
  plan.folded.resize(g.levels.size());
  for (int64_t c = 0; c < channels; ++c) {
    double k = plan.k[c];
    // k = 0 (gamma = 0): the channel is its shift; the levels become 0.
    float s = (float)(g.step[c] * (k == 0.0 ? 1.0 : std::fabs(k)));
    float sign = k > 0.0 ? 1.f : (k < 0.0 ? -1.f : 0.f);
    if (!std::isnormal(s)) {
      why = "the folded weight scale of output channel " + std::to_string(c) +
            " (" + std::to_string(s) + ") is not a normal float";
      return failure();
    }
    plan.scale.push_back(s);
    for (int64_t i = 0; i < perChannel; ++i) {
      float level = sign * g.levels[c * perChannel + i];
      if (level < g.qmin || level > g.qmax) {
        why = "output channel " + std::to_string(c) + " of the folded "
              "weight has level " + std::to_string((int64_t)level) +
              " (its quantizer's level " +
              std::to_string((int64_t)g.levels[c * perChannel + i]) +
              " times the sign of gamma / sqrt(var + eps) = " +
              std::to_string(k) + "), outside the " + std::to_string(g.bits) +
              "-bit grid [" + std::to_string(g.qmin) + ", " +
              std::to_string(g.qmax) +
              "] (a narrow, symmetric grid, wt_narrow, always folds)";
        return failure();
      }
      float v = level * s; // what the uniform quantizer computes
      if (std::nearbyint(v / s) != level) {
        why = "the folded level " + std::to_string((int64_t)level) +
              " of output channel " + std::to_string(c) +
              " is not reproduced by its scale in float";
        return failure();
      }
      plan.folded[c * perChannel + i] = v;
    }
  }
  return success();
}

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
  std::optional<SmallVector<float>> w;
  if ((plan.quant = plan.weight.getDefiningOp<FakeQuantOp>())) {
    // A trained weight quantizer: fold through its integer levels.
    if (!plan.quant.getInput().hasOneUse()) {
      why = "the layer's float weight is shared with another op; folding "
            "would untie them";
      return failure();
    }
    std::string gridWhy;
    FailureOr<WeightGrid> grid = weightGridOf(plan.quant, gridWhy);
    if (failed(grid)) {
      why = "its conv weight's quantizer cannot be folded through: " + gridWhy;
      return failure();
    }
    w = grid->quantized;
    plan.grid = std::move(*grid);
  } else {
    w = readF32Constant(plan.weight);
  }
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
  if (plan.grid && failed(planQuantizedWeight(plan, why)))
    return failure();
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
    if (plan->quant)
      folded = plan->folded;
    else
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
    if (FakeQuantOp fq = plan->quant) {
      // The folded weight is on the grid: a per-channel uniform quantizer
      // reproduces it exactly, and qnn-lower-to-integer stores its levels.
      const WeightGrid &g = *plan->grid;
      Location qloc = fq.getLoc();
      Value scale = arith::ConstantOp::create(
          rewriter, qloc,
          DenseElementsAttr::get(biasType, ArrayRef(plan->scale)));
      Value zero = arith::ConstantOp::create(
          rewriter, qloc,
          DenseElementsAttr::get(biasType,
                                 ArrayRef(SmallVector<float>(channels, 0.f))));
      auto quant = FakeQuantOp::create(
          rewriter, qloc, wType, newW, scale, zero, Value(), Value(), Value(),
          QuantMethod::Uniform, QuantRole::Weight, g.bits, /*half_range=*/false,
          g.narrow, /*axis=*/rewriter.getI64IntegerAttr(0),
          /*groups=*/IntegerAttr(), GradType::Ste, GradScale::None,
          Adaptive::None);
      // qnn.name and the like: reports keep naming the quantizer.
      quant->setDiscardableAttrs(fq->getDiscardableAttrDictionary());
      newW = quant.getResult();
    }
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
    rewriter.eraseOp(plan->producer);
    if (plan->quant)
      rewriter.eraseOp(plan->quant);
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
