//===- WrapModeQat.cpp - qnn-wrap-mode{mode=qat}: the training step -------===//
//
// 1. Hoist: the forward's constants that training changes become mutable
//    ml_program globals (qnn.kind, qnn.layer), loaded where the constants
//    were. The forward stays the test-mode graph.
// 2. Clone the forward into @train_step; batch_norm becomes
//    batch_norm_train, whose new running statistics are stored.
// 3. Loss (softmax cross-entropy on the forward's result), backward
//    (differentiate()), one optimizer update per trainable global, stores.
//
//===----------------------------------------------------------------------===//

#include "passes/Autodiff.h"
#include "passes/Names.h"
#include "passes/Calibration.h"
#include "passes/Qat.h"

#include "dialect/QnnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

namespace {

class QatBuilder {
public:
  QatBuilder(ModuleOp module, const QatOptions &options, QatStats &stats)
      : module(module), symbols(module), options(options), stats(stats) {}

  LogicalResult run();

private:
  LogicalResult checkOptions();
  void hoistState(func::FuncOp forward);
  /// The global's load now read by `use`, or null when nothing was hoisted.
  Value hoist(OpOperand *use, const std::string &name, StringRef kind,
              StringRef layer);
  void hoistLayer(Operation *op, OpOperand *weight, OpOperand *bias,
                  const std::string &layer);
  ml_program::GlobalOp createGlobal(Location loc, const std::string &name,
                                    Type type, Attribute value, StringRef kind,
                                    StringRef layer);
  ml_program::GlobalOp createZeros(Location loc, const std::string &name,
                                   Type type, StringRef layer);
  LogicalResult buildTrainStep(func::FuncOp forward);
  FailureOr<Value> buildFcosLoss(func::FuncOp train, OpBuilder &b);
  LogicalResult
  trainBatchNorms(func::FuncOp train,
                  SmallVectorImpl<std::pair<Value, Value>> &stores);
  LogicalResult
  fitLqnetBases(func::FuncOp train,
                SmallVectorImpl<std::pair<Value, Value>> &stores);
  double weightDecayOf(ml_program::GlobalOp global) const;
  bool customLrOf(ml_program::GlobalOp global) const;

  ModuleOp module;
  SymbolTable symbols;
  const QatOptions &options;
  QatStats &stats;
  /// Non-splat constants hoisted already, with their global and load: a
  /// second use of the same kind is a tied weight.
  llvm::DenseMap<Value, std::pair<ml_program::GlobalOp, Value>> tied;
  /// The bias load of each (weight global, bias constant) pair: a layer
  /// whose weight is an earlier layer's global reads that layer's bias
  /// global when its bias is the same constant, splat or not (a shared
  /// detection head conv's one-element bias).
  llvm::DenseMap<std::pair<Attribute, Value>, Value> biasOfWeight;
  /// Constants that lost uses to loads; erased when they have none left.
  llvm::SetVector<Operation *> hoistedConstants;
  unsigned counter[5] = {0, 0, 0, 0, 0}; // conv, linear, batch_norm, prelu,
                                         // group_norm
};
} // namespace

static bool nameContainsAny(StringRef name,
                            const std::vector<std::string> &list) {
  return llvm::any_of(list, [&](const std::string &s) {
    return !s.empty() && name.contains(s);
  });
}

LogicalResult QatBuilder::checkOptions() {
  if (options.loss != "cross_entropy" && options.loss != "fcos")
    return emitError(module.getLoc(), "qnn-wrap-mode: unknown loss '")
           << options.loss << "' (expected cross_entropy or fcos)";
  if (!(options.focalAlpha <= 1.0) || !(options.focalGamma >= 0.0))
    return emitError(module.getLoc(), "qnn-wrap-mode: focal-alpha must be at "
                                      "most 1 and focal-gamma non-negative");
  if (options.optimizer != "sgd" && options.optimizer != "adam")
    return emitError(module.getLoc(), "qnn-wrap-mode: unknown optimizer '")
           << options.optimizer << "' (expected sgd or adam)";
  if (options.optimizer == "sgd" && options.nesterov &&
      (options.momentum <= 0.0 || options.dampening != 0.0))
    return emitError(module.getLoc(),
                     "qnn-wrap-mode: nesterov needs a positive "
                     "momentum and zero dampening");
  return success();
}

LogicalResult QatBuilder::run() {
  if (failed(checkOptions()))
    return failure();
  auto forward = symbols.lookup<func::FuncOp>(options.forward);
  // As qrun: without a @main, the module's only function is the model.
  auto functions = module.getOps<func::FuncOp>();
  if (!forward && options.forward == "main" &&
      std::distance(functions.begin(), functions.end()) == 1)
    forward = *functions.begin();
  if (!forward)
    return emitError(module.getLoc(),
                     "qnn-wrap-mode: mode=qat trains the function @")
           << options.forward << ", which the module does not define";
  if (!forward.getBody().hasOneBlock())
    return forward.emitError("qnn-wrap-mode: mode=qat needs a forward "
                             "function with one block");
  if (options.loss == "cross_entropy" && forward.getNumResults() != 1)
    return forward.emitError("qnn-wrap-mode: mode=qat with loss=cross_entropy "
                             "needs a forward function with one result (the "
                             "logits), got ")
           << forward.getNumResults()
           << " (a detector body trains with loss=fcos)";
  if (symbols.lookup("train_step"))
    return emitError(module.getLoc(), "qnn-wrap-mode: the module already has a "
                                      "@train_step");
  hoistState(forward);
  return buildTrainStep(forward);
}

//===----------------------------------------------------------------------===//
// 1. State
//===----------------------------------------------------------------------===//

ml_program::GlobalOp QatBuilder::createGlobal(Location loc,
                                              const std::string &name,
                                              Type type, Attribute value,
                                              StringRef kind, StringRef layer) {
  ml_program::GlobalOp global = createStateGlobal(
      module, symbols, loc, name, type, value, kind, layer);
  if (isTrainable(global))
    ++stats.trainable;
  else
    ++stats.state;
  return global;
}

ml_program::GlobalOp QatBuilder::createZeros(Location loc,
                                             const std::string &name, Type type,
                                             StringRef layer) {
  return createGlobal(loc, name, type,
                      DenseElementsAttr::get(cast<ShapedType>(type), 0.0f),
                      "optimizer_state", layer);
}

/// Makes the constant that `use` reads a global, loaded where the constant
/// was defined. Only this use is rewritten: CSE merges equal constants (the
/// zero biases and unit variances of different layers), which must not
/// become one parameter. Two uses of the same non-splat constant in the
/// same role are a tied weight and share the global.
Value QatBuilder::hoist(OpOperand *use, const std::string &name, StringRef kind,
                       StringRef layer) {
  if (!use)
    return {}; // an absent optional operand
  Value value = use->get();
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!constant || !type || !type.hasStaticShape())
    return {}; // not a constant: it stays as it is, untrained
  // A fitted quantizer statistic belongs to its quantizer alone, even when
  // two quantizers start from equal constants.
  bool mayTie = kind != "quant_stat";
  auto it = mayTie ? tied.find(value) : tied.end();
  if (it != tied.end() && globalKind(it->second.first) == kind) {
    use->set(it->second.second);
    return it->second.second;
  }
  ml_program::GlobalOp global = createGlobal(constant.getLoc(), name, type,
                                             constant.getValue(), kind, layer);
  OpBuilder b(constant);
  Value load = ml_program::GlobalLoadOp::create(
      b, constant.getLoc(), type,
      FlatSymbolRefAttr::get(global.getSymNameAttr()));
  use->set(load);
  hoistedConstants.insert(constant);
  auto elements = dyn_cast<ElementsAttr>(constant.getValue());
  if (mayTie && it == tied.end() && elements && !elements.isSplat())
    tied.try_emplace(value, global, load);
  return load;
}

/// A conv / linear layer's weight and bias. Equal splat constants are not
/// tied in general (CSE merges the zero biases of unrelated layers), but a
/// bias read together with a tied weight is the shared layer's bias.
void QatBuilder::hoistLayer(Operation *op, OpOperand *weight, OpOperand *bias,
                            const std::string &layer) {
  // The weight's global: hoisted now, or already (a quantizer shared by
  // the layers of a shared weight reads the load).
  Value weightLoad = weight ? weight->get() : Value();
  if (weightLoad && !weightLoad.getDefiningOp<ml_program::GlobalLoadOp>())
    weightLoad = hoist(weight, layer + ".weight", "weight", layer);
  auto load = weightLoad ? weightLoad.getDefiningOp<ml_program::GlobalLoadOp>()
                         : ml_program::GlobalLoadOp();
  if (!bias)
    return;
  Value biasConstant = bias->get();
  if (!load) {
    hoist(bias, layer + ".bias", "bias", layer);
    return;
  }
  std::pair<Attribute, Value> key{load.getGlobal().getLeafReference(),
                                  biasConstant};
  if (auto it = biasOfWeight.find(key); it != biasOfWeight.end()) {
    bias->set(it->second);
    return;
  }
  if (Value biasLoad = hoist(bias, layer + ".bias", "bias", layer))
    biasOfWeight.try_emplace(key, biasLoad);
}

/// The operand in ODS operand group `group` of `op`, or null when that
/// optional operand is absent.
template <typename OpT> static OpOperand *odsOperand(OpT op, unsigned group) {
  auto [start, length] = op.getODSOperandIndexAndLength(group);
  return length ? &op->getOpOperand(start) : nullptr;
}

/// The float weight operand of a layer: the fake_quant's input when the
/// weight is quantized (the global holds the float weight).
template <typename OpT> static OpOperand *weightOperand(OpT op) {
  if (auto fq = op.getWeight().template getDefiningOp<FakeQuantOp>())
    return odsOperand(fq, 0);
  return odsOperand(op, 1);
}

/// A parameter the training step refits in its forward (not by the
/// optimizer): LQ-Nets' basis (QEM).
static bool isFittedInStep(QuantMethod method, QuantParam param) {
  return method == QuantMethod::Lqnet && param == QuantParam::Basis;
}

void QatBuilder::hoistState(func::FuncOp forward) {
  SmallVector<Operation *> ops;
  forward.walk([&](Operation *op) { ops.push_back(op); });
  unsigned quantizers = 0;
  auto layerName = [&](Operation *op, StringRef prefix, unsigned &n) {
    std::string name = nameInLoc(op->getLoc());
    unsigned index = n++;
    return name.empty() ? (prefix + Twine(index)).str() : name;
  };
  for (Operation *op : ops) {
    if (auto conv = dyn_cast<Conv2dOp>(op)) {
      std::string layer = layerName(op, "conv", counter[0]);
      hoistLayer(op, weightOperand(conv), odsOperand(conv, 2), layer);
    } else if (auto linear = dyn_cast<LinearOp>(op)) {
      std::string layer = layerName(op, "linear", counter[1]);
      hoistLayer(op, weightOperand(linear), odsOperand(linear, 2), layer);
    } else if (auto bn = dyn_cast<BatchNormOp>(op)) {
      std::string layer = layerName(op, "bn", counter[2]);
      hoist(odsOperand(bn, 1), layer + ".weight", "bn_weight", layer);
      hoist(odsOperand(bn, 2), layer + ".bias", "bn_bias", layer);
      hoist(odsOperand(bn, 3), layer + ".running_mean", "bn_stat", layer);
      hoist(odsOperand(bn, 4), layer + ".running_var", "bn_stat", layer);
    } else if (auto gn = dyn_cast<GroupNormOp>(op)) {
      // A head's GroupNorm shared by the levels reads one scale and one
      // bias constant (the importers keep them shared): one global each.
      std::string layer = layerName(op, "gn", counter[4]);
      hoist(&gn.getScaleMutable(), layer + ".weight", "gn_weight", layer);
      hoist(&gn.getBiasMutable(), layer + ".bias", "gn_bias", layer);
    } else if (auto prelu = dyn_cast<PreluOp>(op)) {
      // PReLU's slope (the policy's `PReLU`) is a trained parameter.
      std::string layer = layerName(op, "prelu", counter[3]);
      hoist(odsOperand(prelu, 1), layer + ".weight", "prelu_weight", layer);
    } else if (auto fq = dyn_cast<FakeQuantOp>(op)) {
      // The policy names quantizers by location ("layer1.conv1.wt").
      std::string name = quantizerName(fq, quantizers++);
      if (!fq->hasAttr("qnn.name"))
        if (std::string loc = nameInLoc(fq.getLoc()); !loc.empty())
          name = loc;
      static const char *const suffixes[kNumQuantParams] = {
          ".scale", ".zero_point", ".clip", ".basis", ".offset"};
      // ODS operand group i + 1 (after the input) is parameter i.
      for (unsigned i = 0; i < kNumQuantParams; ++i) {
        if (isLearnedParam(fq.getMethod(), QuantParam(i)))
          hoist(odsOperand(fq, i + 1), name + suffixes[i], "quant_param", name);
        else if (isFittedInStep(fq.getMethod(), QuantParam(i)))
          hoist(odsOperand(fq, i + 1), name + suffixes[i], "quant_stat", name);
      }
    }
  }
  for (Operation *constant : hoistedConstants)
    if (constant->use_empty())
      constant->erase();
}

//===----------------------------------------------------------------------===//
// 2-3. The training step
//===----------------------------------------------------------------------===//

static FlatSymbolRefAttr loadedGlobal(Value v) {
  if (auto load = v.getDefiningOp<ml_program::GlobalLoadOp>())
    return FlatSymbolRefAttr::get(load.getGlobal().getRootReference());
  return nullptr;
}

LogicalResult
QatBuilder::trainBatchNorms(func::FuncOp train,
                            SmallVectorImpl<std::pair<Value, Value>> &stores) {
  SmallVector<BatchNormOp> norms;
  train.walk([&](BatchNormOp bn) { norms.push_back(bn); });
  for (BatchNormOp bn : norms) {
    if (!loadedGlobal(bn.getMean()) || !loadedGlobal(bn.getVariance()))
      return bn.emitError("qnn-wrap-mode: mode=qat needs constant running "
                          "statistics to keep them in globals");
    OpBuilder b(bn);
    auto trainBn =
        BatchNormTrainOp::create(b, bn.getLoc(), bn.getInput(), bn.getScale(),
                                 bn.getBias(), bn.getMean(), bn.getVariance(),
                                 bn.getEpsilonAttr(), bn.getMomentumAttr(),
                                 /*sync=*/UnitAttr());
    bn.replaceAllUsesWith(trainBn.getOutput());
    stores.push_back({bn.getMean(), trainBn.getNewRunningMean()});
    stores.push_back({bn.getVariance(), trainBn.getNewRunningVar()});
    bn.erase();
  }
  return success();
}

/// LQ-Nets: each lqnet quantizer's basis is refit to the batch by the QEM
/// step (least squares on the current codes, then a moving average) in the
/// forward, as the seeds' LqNet_fm / LqNet_wt do; the fake_quant itself
/// uses the basis loaded at the top of the step.
LogicalResult
QatBuilder::fitLqnetBases(func::FuncOp train,
                          SmallVectorImpl<std::pair<Value, Value>> &stores) {
  SmallVector<FakeQuantOp> quantizers;
  train.walk([&](FakeQuantOp fq) {
    if (fq.getMethod() == QuantMethod::Lqnet && loadedGlobal(fq.getBasis()))
      quantizers.push_back(fq);
  });
  llvm::DenseSet<Attribute> fitted;
  for (FakeQuantOp fq : quantizers) {
    if (fq.getAdaptive() != Adaptive::None)
      return fq.emitError("qnn-wrap-mode: the LQ-Nets basis update does not "
                          "support adaptive normalization yet");
    if (!fitted.insert(loadedGlobal(fq.getBasis())).second)
      return fq.emitError("qnn-wrap-mode: two lqnet quantizers share one "
                          "basis global; each fits its own");
    OpBuilder b(fq->getContext());
    b.setInsertionPointAfter(fq);
    auto update = LqnetBasisUpdateOp::create(
        b, fq.getLoc(), fq.getBasis().getType(), fq.getInput(), fq.getBasis(),
        fq.getRoleAttr(), fq.getBitsAttr(), fq.getHalfRangeAttr(),
        fq.getAxisAttr(), fq.getGroupsAttr(), b.getF64FloatAttr(0.9));
    stores.push_back({fq.getBasis(), update.getNewBasis()});
  }
  return success();
}

/// FCOS's loss over the forward's results, (class logits N x C x H x W, box
/// distances N x 4 x H x W, centerness logits N x 1 x H x W) per level (as
/// models/detection/train.py): adds the targets as arguments of the step,
/// per level (classes i32 N x H x W with -1 for background, box distances,
/// centerness, positive mask N x 1 x H x W) and then npos and ctr_sum, and
/// returns
///   sum over levels of focal(cls, classes) / npos
///     + sum(ctr_t GIoU(relu(box), box_t)) / ctr_sum
///     + sum(pos BCE(ctr, ctr_t)) / npos.
/// The data side (qrt::fcosTargets) assigns the targets and normalizers.
FailureOr<Value> QatBuilder::buildFcosLoss(func::FuncOp train, OpBuilder &b) {
  MLIRContext *ctx = module.getContext();
  Location loc = train.getLoc();
  auto ret = cast<func::ReturnOp>(train.getBody().front().getTerminator());
  unsigned n = ret.getNumOperands();
  if (n == 0 || n % 3 != 0)
    return train.emitError("qnn-wrap-mode: loss=fcos needs the forward to "
                           "return (class logits, box distances, centerness "
                           "logits) per level, got ")
           << n << " result(s)";
  auto f32 = Float32Type::get(ctx);
  auto scalar = RankedTensorType::get({}, f32);
  struct Level {
    Value cls, box, ctr;
    int64_t h, w;
  };
  SmallVector<Level> levels;
  for (unsigned l = 0; l < n / 3; ++l) {
    Level level{ret.getOperand(3 * l), ret.getOperand(3 * l + 1),
                ret.getOperand(3 * l + 2), 0, 0};
    auto shape = [](Value v) {
      return cast<RankedTensorType>(v.getType()).getShape();
    };
    ArrayRef<int64_t> c = shape(level.cls), bx = shape(level.box),
                      ct = shape(level.ctr);
    bool ok = c.size() == 4 && bx.size() == 4 && ct.size() == 4 &&
              !ShapedType::isDynamic(c[1]) && bx[1] == 4 && ct[1] == 1 &&
              !ShapedType::isDynamic(c[2]) && !ShapedType::isDynamic(c[3]) &&
              bx[2] == c[2] && bx[3] == c[3] && ct[2] == c[2] && ct[3] == c[3];
    if (!ok)
      return train.emitError("qnn-wrap-mode: loss=fcos: level ")
             << l << " (results " << 3 * l << ".." << 3 * l + 2
             << ") must be N x C x H x W class logits, N x 4 x H x W box "
                "distances and N x 1 x H x W centerness logits of one known "
                "H x W, got "
             << level.cls.getType() << ", " << level.box.getType() << ", "
             << level.ctr.getType();
    level.h = c[2];
    level.w = c[3];
    levels.push_back(level);
  }
  // Arguments: per level (classes, box, ctr, pos), then npos, ctr_sum.
  SmallVector<std::array<Value, 4>> targets;
  for (Level &l : levels) {
    int64_t dyn = ShapedType::kDynamic;
    Type types[4] = {
        RankedTensorType::get({dyn, l.h, l.w}, IntegerType::get(ctx, 32)),
        RankedTensorType::get({dyn, 4, l.h, l.w}, f32),
        RankedTensorType::get({dyn, 1, l.h, l.w}, f32),
        RankedTensorType::get({dyn, 1, l.h, l.w}, f32)};
    std::array<Value, 4> args;
    for (int k = 0; k < 4; ++k) {
      unsigned index = train.getNumArguments();
      if (failed(train.insertArgument(index, types[k], {}, loc)))
        return failure();
      args[k] = train.getArgument(index);
    }
    targets.push_back(args);
  }
  unsigned index = train.getNumArguments();
  if (failed(train.insertArgument(index, scalar, {}, loc)) ||
      failed(train.insertArgument(index + 1, scalar, {}, loc)))
    return failure();
  Value npos = train.getArgument(index), ctrSum = train.getArgument(index + 1);

  Value total;
  auto accumulate = [&](Value v) {
    total = total ? AddOp::create(b, loc, scalar, total, v).getResult() : v;
  };
  for (auto [l, t] : llvm::zip(levels, targets)) {
    accumulate(SigmoidFocalLossOp::create(
                   b, loc, l.cls, t[0], npos,
                   b.getF64FloatAttr(options.focalAlpha),
                   b.getF64FloatAttr(options.focalGamma))
                   .getLoss());
    Value box = ReluOp::create(b, loc, l.box.getType(), l.box);
    accumulate(GiouLossOp::create(b, loc, box, t[1], t[2], ctrSum).getLoss());
    accumulate(
        BceWithLogitsLossOp::create(b, loc, l.ctr, t[2], t[3], npos).getLoss());
  }
  return total;
}

double QatBuilder::weightDecayOf(ml_program::GlobalOp global) const {
  if (nameContainsAny(global.getSymName(), options.customDecayList))
    return options.customDecay;
  StringRef kind = globalKind(global);
  if (options.decaySmall &&
      (kind == "bn_weight" || kind == "bn_bias" || kind == "gn_weight" ||
       kind == "gn_bias" || kind == "quant_param" ||
       kind == "prelu_weight"))
    return 0.0;
  return options.weightDecay;
}

bool QatBuilder::customLrOf(ml_program::GlobalOp global) const {
  return nameContainsAny(global.getSymName(), options.customLrList);
}

LogicalResult QatBuilder::buildTrainStep(func::FuncOp forward) {
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  auto train = cast<func::FuncOp>(forward->clone());
  train.setSymName("train_step");
  train.setPublic();
  symbols.insert(train, std::next(Block::iterator(forward)));

  Block &body = train.getBody().front();
  Location loc = train.getLoc();
  auto scalar = RankedTensorType::get({}, Float32Type::get(ctx));
  bool classifier = options.loss == "cross_entropy";
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  Value logits = classifier ? ret.getOperand(0) : Value();
  if (classifier && cast<RankedTensorType>(logits.getType()).getRank() != 2)
    return forward.emitError("qnn-wrap-mode: mode=qat trains a classifier: "
                             "the forward must return N x C logits, got ")
           << logits.getType();
  Value labels;
  if (classifier) {
    auto labelsType = RankedTensorType::get({ShapedType::kDynamic},
                                            IntegerType::get(ctx, 32));
    unsigned numInputs = train.getNumArguments();
    if (failed(train.insertArgument(numInputs, labelsType, {}, loc)))
      return failure();
    labels = train.getArgument(numInputs);
  }
  b.setInsertionPoint(ret);
  FailureOr<Value> detectionLoss =
      classifier ? FailureOr<Value>(Value()) : buildFcosLoss(train, b);
  if (failed(detectionLoss))
    return failure();
  unsigned lrIndex = train.getNumArguments();
  if (failed(train.insertArgument(lrIndex, scalar, {}, loc)))
    return failure();
  Value lr = train.getArgument(lrIndex);

  SmallVector<std::pair<Value, Value>> stores; // (load of a global, new value)
  if (failed(trainBatchNorms(train, stores)) ||
      failed(fitLqnetBases(train, stores)))
    return failure();

  b.setInsertionPoint(ret);
  Value loss = *detectionLoss;
  if (classifier)
    loss = SoftmaxCrossEntropyOp::create(b, loc, scalar, logits.getType(),
                                         logits, labels)
               .getLoss();

  // Leaves: the loads of trainable globals (a tied global may be loaded
  // more than once).
  llvm::MapVector<ml_program::GlobalOp, SmallVector<Value>> loads;
  SymbolTableCollection collection;
  train.walk([&](ml_program::GlobalLoadOp load) {
    ml_program::GlobalOp global = load.getGlobalOp(collection);
    if (global && isTrainable(global))
      loads[global].push_back(load.getResult());
  });
  SmallVector<Value> leaves;
  for (auto &[global, values] : loads)
    llvm::append_range(leaves, values);
  FailureOr<SmallVector<Value>> grads = differentiate(b, loss, leaves);
  if (failed(grads))
    return failure();

  // Optimizer: Adam counts steps in a global of its own.
  Value step;
  if (options.optimizer == "adam") {
    ml_program::GlobalOp counter =
        createZeros(loc, "optimizer.step", scalar, "");
    auto sym = FlatSymbolRefAttr::get(counter.getSymNameAttr());
    Value old = ml_program::GlobalLoadOp::create(b, loc, scalar, sym);
    Value one =
        arith::ConstantOp::create(b, loc, DenseElementsAttr::get(scalar, 1.0f));
    step = AddOp::create(b, loc, scalar, old, one);
    ml_program::GlobalStoreOp::create(b, loc, sym, step);
  }
  Value customLr;
  unsigned next = 0;
  for (auto &[global, values] : loads) {
    Value grad;
    for (size_t i = 0; i < values.size(); ++i, ++next)
      if (Value g = (*grads)[next])
        grad =
            grad ? AddOp::create(b, loc, g.getType(), grad, g).getResult() : g;
    if (!grad)
      continue; // as PyTorch: a parameter without a gradient is not updated
    StringRef name = global.getSymName();
    StringRef layer = "";
    if (auto attr = global->getAttrOfType<StringAttr>("qnn.layer"))
      layer = attr.getValue();
    Type type = global.getType();
    Value param = values.front();
    Value rate = lr;
    if (customLrOf(global)) {
      if (!customLr)
        customLr = MulOp::create(
            b, loc, scalar, lr,
            arith::ConstantOp::create(
                b, loc,
                DenseElementsAttr::get(scalar, (float)options.customLr)));
      rate = customLr;
    }
    FloatAttr decay = b.getF64FloatAttr(weightDecayOf(global));
    auto symOf = [](ml_program::GlobalOp g) {
      return FlatSymbolRefAttr::get(g.getSymNameAttr());
    };
    Value newParam;
    if (options.optimizer == "sgd") {
      ml_program::GlobalOp buffer;
      Value bufferValue;
      if (options.momentum > 0.0) {
        buffer = createZeros(global.getLoc(), (name + ".momentum_buffer").str(),
                             type, layer);
        bufferValue =
            ml_program::GlobalLoadOp::create(b, loc, type, symOf(buffer));
      } else {
        bufferValue = arith::ConstantOp::create(
            b, loc, DenseElementsAttr::get(cast<ShapedType>(type), 0.0f));
      }
      auto update = SgdUpdateOp::create(
          b, loc, type, type, param, grad, bufferValue, rate,
          b.getF64FloatAttr(options.momentum),
          b.getF64FloatAttr(options.dampening),
          options.nesterov ? b.getUnitAttr() : UnitAttr(), decay);
      newParam = update.getNewParam();
      if (buffer)
        stores.push_back({bufferValue, update.getNewMomentumBuffer()});
    } else {
      ml_program::GlobalOp m =
          createZeros(global.getLoc(), (name + ".exp_avg").str(), type, layer);
      ml_program::GlobalOp v = createZeros(
          global.getLoc(), (name + ".exp_avg_sq").str(), type, layer);
      Value mValue = ml_program::GlobalLoadOp::create(b, loc, type, symOf(m));
      Value vValue = ml_program::GlobalLoadOp::create(b, loc, type, symOf(v));
      auto update = AdamUpdateOp::create(
          b, loc, type, type, type, param, grad, mValue, vValue, rate, step,
          b.getF64FloatAttr(options.beta1), b.getF64FloatAttr(options.beta2),
          b.getF64FloatAttr(options.epsilon), decay);
      newParam = update.getNewParam();
      stores.push_back({mValue, update.getNewExpAvg()});
      stores.push_back({vValue, update.getNewExpAvgSq()});
    }
    stores.push_back({param, newParam});
  }

  // Every load happened above: the stores come last.
  for (auto [load, value] : stores)
    ml_program::GlobalStoreOp::create(b, loc, loadedGlobal(load), value);
  // A classifier's logits too: the driver's running training accuracy needs
  // no second forward.
  if (classifier) {
    ret->setOperands({loss, logits});
    train.setFunctionType(FunctionType::get(
        ctx, body.getArgumentTypes(), TypeRange{scalar, logits.getType()}));
  } else {
    ret->setOperands({loss});
    train.setFunctionType(
        FunctionType::get(ctx, body.getArgumentTypes(), TypeRange{scalar}));
  }
  train.removeResAttrsAttr();
  return success();
}

LogicalResult qopt::buildQatTraining(ModuleOp module, const QatOptions &options,
                                     QatStats &stats) {
  return QatBuilder(module, options, stats).run();
}
