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

/// Reads the layer that produces `input` into `plan` (its weight, as
/// levels when quantized, and bias) when a per-channel affine of its output
/// can be folded into it. On failure `why` says what stands in the way.
static LogicalResult readProducer(Value input, FoldPlan &plan,
                                  std::string &why) {
  Operation *producer = input.getDefiningOp();
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
  std::optional<SmallVector<float>> b = readF32Constant(plan.bias);
  if (!w || (plan.bias && !b)) {
    why = "the layer's weights are not constants";
    return failure();
  }
  int64_t channels =
      cast<RankedTensorType>(plan.weight.getType()).getDimSize(0);
  plan.w = std::move(*w);
  plan.b = b ? std::move(*b) : SmallVector<float>(channels, 0.0f);
  return success();
}

/// Decides whether `bn` folds into its producer. On failure `why` says what
/// stands in the way, for the remark.
static FailureOr<FoldPlan> planFold(BatchNormOp bn, std::string &why) {
  FoldPlan plan;
  if (failed(readProducer(bn.getInput(), plan, why)))
    return failure();
  std::optional<SmallVector<float>> gamma = readF32Constant(bn.getScale());
  std::optional<SmallVector<float>> beta = readF32Constant(bn.getBias());
  std::optional<SmallVector<float>> mean = readF32Constant(bn.getMean());
  std::optional<SmallVector<float>> var = readF32Constant(bn.getVariance());
  if (!gamma || !beta || !mean || !var) {
    why = "the batch_norm statistics are not constants";
    return failure();
  }
  int64_t channels =
      cast<RankedTensorType>(plan.weight.getType()).getDimSize(0);
  if ((int64_t)gamma->size() != channels) {
    why = "its channel count does not match the layer's output channels";
    return failure();
  }
  double eps = bn.getEpsilon().convertToDouble();
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

/// Replaces `last` (the batch_norm, or the last op of the affine) by the
/// producer with the folded weight and bias of `plan`; `between` (the
/// affine's mul) is erased with the producer.
static void applyFold(const FoldPlan *plan, Operation *last,
                      ArrayRef<Operation *> between,
                      PatternRewriter &rewriter) {
  {
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
    Type type = last->getResult(0).getType();
    if (auto conv = dyn_cast<Conv2dOp>(plan->producer))
      replacement = Conv2dOp::create(
          rewriter, rewriter.getFusedLoc({conv.getLoc(), last->getLoc()}),
          type, conv.getInput(), newW, newB, conv.getStridesAttr(),
          conv.getPadsAttr(), conv.getDilationsAttr(), conv.getGroupsAttr());
    else
      replacement = LinearOp::create(
          rewriter,
          rewriter.getFusedLoc({plan->producer->getLoc(), last->getLoc()}),
          type, cast<LinearOp>(plan->producer).getInput(), newW, newB);
    rewriter.replaceOp(last, replacement->getResults());
    for (Operation *op : between)
      rewriter.eraseOp(op);
    rewriter.eraseOp(plan->producer);
    if (plan->quant)
      rewriter.eraseOp(plan->quant);
  }
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
    applyFold(&*plan, bn, {}, rewriter);
    return success();
  }
};

/// The per-channel constant that `op` (a binary op with `x` [N, C, ...] as
/// one operand) applies: shaped [C, 1, ...] or [1, C, 1, ...].
template <typename OpTy>
static std::optional<SmallVector<float>> channelConstant(OpTy op, Value x) {
  if (op.getLhs() != x && op.getRhs() != x)
    return std::nullopt;
  Value other = op.getLhs() == x ? op.getRhs() : op.getLhs();
  ArrayRef<int64_t> in = cast<RankedTensorType>(x.getType()).getShape();
  auto t = dyn_cast<RankedTensorType>(other.getType());
  if (other == x || !t || in.size() < 2 || t.getRank() > (int64_t)in.size() ||
      t.getRank() + 1 < (int64_t)in.size() ||
      op.getType() != x.getType())
    return std::nullopt;
  for (int64_t i = 0; i < t.getRank(); ++i) {
    size_t axis = i + in.size() - t.getRank();
    if (t.getDimSize(i) != (axis == 1 ? in[1] : 1))
      return std::nullopt;
  }
  return readF32Constant(other);
}

/// FrozenBatchNorm2d (torchvision's detection backbones), traced or
/// exported: `conv(x) * k + s` with constant per-channel k and s (shaped
/// [1, C, 1, 1] or [C, 1, 1]) folds into the conv like a batch_norm with
/// k = gamma / sqrt(var + eps): W' = W k, b' = b k + s. A mul alone folds
/// too (s = 0).
struct FoldChannelAffinePattern : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp mul,
                                PatternRewriter &rewriter) const override {
    Value y = mul.getLhs().getDefiningOp<Conv2dOp>() ? mul.getLhs()
                                                      : mul.getRhs();
    if (!y.getDefiningOp<Conv2dOp>())
      return rewriter.notifyMatchFailure(mul, "not a product with a conv2d");
    std::optional<SmallVector<float>> k = channelConstant(mul, y);
    if (!k)
      return rewriter.notifyMatchFailure(mul, "not a per-channel constant");
    Operation *last = mul;
    SmallVector<float> s(k->size(), 0.f);
    if (mul->hasOneUse())
      if (auto add = dyn_cast<AddOp>(*mul->getUsers().begin()))
        if (std::optional<SmallVector<float>> shift =
                channelConstant(add, mul.getResult())) {
          s = std::move(*shift);
          last = add;
        }
    std::string why;
    FoldPlan plan;
    if (failed(readProducer(y, plan, why)))
      return rewriter.notifyMatchFailure(mul, why);
    if (k->size() != plan.b.size())
      return rewriter.notifyMatchFailure(mul, "channel count mismatch");
    for (size_t c = 0; c < k->size(); ++c) {
      plan.k.push_back((*k)[c]);
      plan.shift.push_back(
          (float)((double)plan.b[c] * (double)(*k)[c] + (double)s[c]));
    }
    if (plan.grid && failed(planQuantizedWeight(plan, why)))
      return rewriter.notifyMatchFailure(mul, why);
    SmallVector<Operation *> between;
    if (last != mul.getOperation())
      between.push_back(mul);
    applyFold(&plan, last, between, rewriter);
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
  patterns.add<FoldBatchNormPattern, FoldChannelAffinePattern>(
      patterns.getContext());
}
