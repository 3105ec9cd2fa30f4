//===- ApplyPolicy.cpp - insert fake_quant by a quantization policy -------===//
//
// Finds the layers (conv2d and linear, in program order), decides for each
// by the policy whether and how its input feature map, weight and output are
// quantized, checks every decision against the layer's shapes, and only then
// rewrites: fake_quant ops with constant initial parameters, and for
// pad-then-quantize an explicit qnn.pad in front of the conv.
//
//===----------------------------------------------------------------------===//

#include "passes/BiReal.h"
#include "passes/Names.h"
#include "passes/Passes.h"
#include "passes/Policy.h"
#include "passes/PolicyInit.h"

#include "dialect/QnnOps.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

namespace qopt {
#define GEN_PASS_DEF_APPLYPOLICYPASS
#include "passes/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;
using namespace qopt::policy;

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

namespace {
struct Layer {
  Operation *op;
  int64_t index;
  std::string name; // may be empty
  /// The edge layers of first_bit / last_bit / quant_first / quant_last
  /// (isFirstLayer / isLastLayer below).
  bool first = false, last = false;

  Value input() const { return op->getOperand(0); }
  Value weight() const { return op->getOperand(1); }
  /// "layer 3 'conv1'" or "layer 3 (qnn.conv2d)".
  std::string label() const {
    if (!name.empty())
      return llvm::formatv("layer {0} '{1}'", index, name).str();
    return llvm::formatv("layer {0} ({1})", index, op->getName().getStringRef())
        .str();
  }
};

/// The decisions for one layer: up to three quantizers.
struct LayerPlan {
  Layer layer;
  std::optional<QuantizerSpec> fm, wt, ot;
  bool padBeforeQuant = false;
  /// sign_before_relu: the fm quantizer reads this ReLU's input.
  ReluOp bypassRelu;
};
} // namespace


static std::string layerName(Operation *op) {
  if (auto name = op->getAttrOfType<StringAttr>("qnn.name"))
    return name.str();
  return nameInLoc(op->getLoc());
}

/// True when `v` is known to be >= 0: a ReLU (or clip at >= 0, a sigmoid)
/// seen through ops that keep the sign.
static bool isNonNegative(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (isa<ReluOp, SigmoidOp, HardSigmoidOp>(def))
      return true;
    if (auto clip = dyn_cast<ClipOp>(def))
      return clip.getMin().convertToDouble() >= 0.0;
    if (auto fq = dyn_cast<FakeQuantOp>(def))
      return fq.getHalfRange();
    if (auto pad = dyn_cast<PadOp>(def)) {
      if (pad.getValue().convertToDouble() < 0.0)
        return false;
    } else if (!isa<MaxPoolOp, AvgPoolOp, GlobalAvgPoolOp, FlattenOp,
                    ReshapeOp, TransposeOp>(def)) {
      return false;
    }
    v = def->getOperand(0);
  }
  return false;
}

/// real_skip: a 1x1 convolution (a ResNet shortcut / downsample) whose
/// result meets another branch in a qnn.add.
static bool isSkipConv(Operation *op) {
  auto conv = dyn_cast<Conv2dOp>(op);
  if (!conv)
    return false;
  auto w = cast<RankedTensorType>(conv.getWeight().getType());
  if (w.getRank() != 4 || w.getDimSize(2) != 1 || w.getDimSize(3) != 1)
    return false;
  // Directly, or through its batch norm when BN is kept for training.
  return llvm::any_of(conv->getUsers(), [](Operation *user) {
    if (isa<BatchNormOp>(user))
      return llvm::any_of(user->getUsers(),
                          [](Operation *u) { return isa<AddOp>(u); });
    return isa<AddOp>(user);
  });
}

/// The operands of a non-layer op that carry the activation it transforms:
/// every operand of the ops that join activations (elementwise binaries,
/// concat, matmul), else operand 0 only, so that the parameters of a
/// batch norm, PReLU or resize are never mistaken for data.
static OperandRange dataOperands(Operation *op) {
  if (isa<AddOp, SubOp, MulOp, DivOp, ConcatOp, MatmulOp>(op))
    return op->getOperands();
  return op->getOperands().take_front(op->getNumOperands() ? 1 : 0);
}

/// A first layer reads a function argument with no other layer between:
/// its input, followed back through non-layer ops (pads, normalizations,
/// reshapes, concats, ...), reaches an argument of the function.
static bool isFirstLayer(Operation *layer, func::FuncOp func) {
  SmallVector<Value> work{layer->getOperand(0)};
  DenseSet<Value> seen;
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (!seen.insert(v).second)
      continue;
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (arg.getOwner() == &func.getBody().front())
        return true;
      continue;
    }
    Operation *def = v.getDefiningOp();
    if (isa<Conv2dOp, LinearOp>(def))
      continue;
    llvm::append_range(work, dataOperands(def));
  }
  return false;
}

/// A last layer feeds an output: its result, followed forward through
/// non-layer ops (activations, reshapes, concats, ...), reaches the
/// function's return.
static bool isLastLayer(Operation *layer) {
  SmallVector<Value> work{layer->getResult(0)};
  DenseSet<Value> seen;
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (!seen.insert(v).second)
      continue;
    for (Operation *user : v.getUsers()) {
      if (isa<func::ReturnOp>(user))
        return true;
      if (!isa<Conv2dOp, LinearOp>(user))
        llvm::append_range(work, user->getResults());
    }
  }
  return false;
}

static bool hasPadding(Conv2dOp conv) {
  return llvm::any_of(conv.getPads(), [](int64_t p) { return p != 0; });
}

//===----------------------------------------------------------------------===//
// Planning
//===----------------------------------------------------------------------===//

/// Whether an override's selector picks `layer`; marks in `used` each of
/// its alternatives that does (an alternative that picks no layer of the
/// function is an error).
static bool selectorMatches(StringRef selector, const Layer &layer,
                            int64_t numLayers, MutableArrayRef<bool> used) {
  bool any = false;
  for (auto [alt, u] : llvm::zip(selectorAlternatives(selector), used))
    if (alternativeMatches(alt, layer.index, layer.name, numLayers))
      any = u = true;
  return any;
}

/// The policy of one layer: the base, then first / last, real_skip,
/// quant_scope and the per-layer overrides in the order written.
static LayerPolicy
policyForLayer(const Policy &policy, const Layer &layer, int64_t numLayers,
               MutableArrayRef<SmallVector<bool>> overrideUsed,
               MutableArrayRef<bool> scopeUsed) {
  LayerPolicy lp = policy.base;
  auto edge = [&](std::optional<int64_t> bits, bool quantize) {
    if (bits) {
      lp.enable = true;
      lp.fm.bits = lp.wt.bits = *bits;
    } else if (!quantize) {
      lp.enable = false;
    }
  };
  if (layer.first)
    edge(policy.firstBit, policy.quantFirst);
  if (layer.last)
    edge(policy.lastBit, policy.quantLast);
  if (policy.realSkip && isSkipConv(layer.op))
    lp.enable = false;
  if (policy.quantScope &&
      !selectorMatches(*policy.quantScope, layer, numLayers, scopeUsed))
    lp.enable = false;
  for (auto [i, o] : llvm::enumerate(policy.overrides)) {
    if (!selectorMatches(o.selector, layer, numLayers, overrideUsed[i]))
      continue;
    // Checked when parsed.
    llvm::cantFail(applyOption(lp, o.key, o.value));
  }
  return lp;
}

/// Resolves one tensor's quantizer and checks it against the tensor's
/// shape. Errors name the layer.
static FailureOr<QuantizerSpec> planTensor(const Policy &policy,
                                           const TensorPolicy &t, Tag tag,
                                           const Layer &layer, Value tensor,
                                           func::FuncOp func) {
  QuantRole role = tag == Tag::Wt ? QuantRole::Weight : QuantRole::Activation;
  QuantizerSpec spec;
  spec.role = role;
  spec.method = resolveMethod(policy, t, role);
  spec.bits = resolveBits(t, spec.method);
  if (llvm::Error e = checkTensor(t, tag, spec.method, spec.bits))
    return func.emitError() << layer.label() << ": "
                            << llvm::toString(std::move(e));
  QuantMethod m = spec.method;
  bool weight = role == QuantRole::Weight;
  bool hasZeroPoint = m == QuantMethod::Uniform || m == QuantMethod::Adaround;
  spec.symmetric = t.symmetric;
  spec.nonNegative = !weight && isNonNegative(tensor);
  if (weight) {
    spec.halfRange = !t.symmetric && hasZeroPoint;
  } else if (m == QuantMethod::Pact || m == QuantMethod::Dorefa ||
             m == QuantMethod::NonUniform) {
    spec.halfRange = true; // these clamp activations at 0
  } else if (m == QuantMethod::Lqnet) {
    // The seeds' LqNet_fm: {0, 1} codes (half range) for a non-negative
    // input, {-1, 1} codes for a signed one (a normalized image).
    spec.halfRange = spec.nonNegative;
  } else if (m != QuantMethod::Xnor) {
    spec.halfRange = spec.nonNegative || (!t.symmetric && hasZeroPoint);
  }
  spec.narrow = t.narrow && !spec.halfRange;
  spec.grad = t.grad;
  spec.gradScale = t.gradScale;
  spec.adaptive = t.adaptive;
  spec.boundary = t.boundary;
  // Only an explicit observer (QDrop YAML) is recorded; otherwise the
  // calibrate mode's `observer` option decides.
  spec.observer = t.observer;

  // Granularity: weights along their output channels (axis 0), feature
  // maps along NCHW's / [N, K]'s axis 1.
  std::optional<int64_t> group = t.quantGroup;
  if (!group)
    group = weight && (hasZeroPoint || m == QuantMethod::Xnor ||
                       m == QuantMethod::XnorPlusPlus)
                ? kPerChannel
                : 1;
  if (*group != 1) {
    int64_t axis = weight ? 0 : 1;
    auto type = cast<RankedTensorType>(tensor.getType());
    int64_t channels = type.getRank() > axis ? type.getDimSize(axis)
                                             : ShapedType::kDynamic;
    StringRef what = weight ? "output channels" : "channels";
    std::string key = (tagName(tag) + "_quant_group").str();
    if (ShapedType::isDynamic(channels))
      return func.emitError()
             << layer.label() << ": " << key << " needs a static number of "
             << what << " along axis " << axis << ", got " << type;
    spec.axis = axis;
    if (*group != kPerChannel) {
      if (channels % *group != 0)
        return func.emitError()
               << layer.label() << ": " << key << "=" << *group
               << " does not divide its " << channels << " " << what;
      spec.groups = *group;
    }
  }
  return spec;
}

static FailureOr<LayerPlan> planLayer(const Policy &policy,
                                      const LayerPolicy &lp,
                                      const Layer &layer, func::FuncOp func) {
  LayerPlan plan{layer, {}, {}, {}, false, {}};
  if (!lp.enable)
    return plan;
  if (lp.fm.enable) {
    FailureOr<QuantizerSpec> s =
        planTensor(policy, lp.fm, Tag::Fm, layer, layer.input(), func);
    if (failed(s))
      return failure();
    plan.fm = *s;
    // sign(ReLU(x)) is +1 everywhere: a binarized input reads x, as the
    // seeds' binary blocks do (BN -> sign -> conv); other users of the
    // ReLU (the residual path) keep it.
    if (policy.signBeforeRelu && s->method == QuantMethod::Xnor)
      plan.bypassRelu = layer.input().getDefiningOp<ReluOp>();
    if (auto conv = dyn_cast<Conv2dOp>(layer.op))
      plan.padBeforeQuant = !policy.paddingAfterQuant && hasPadding(conv);
  }
  if (lp.wt.enable) {
    FailureOr<QuantizerSpec> s =
        planTensor(policy, lp.wt, Tag::Wt, layer, layer.weight(), func);
    if (failed(s))
      return failure();
    plan.wt = *s;
  }
  if (lp.ot.enable) {
    FailureOr<QuantizerSpec> s = planTensor(policy, lp.ot, Tag::Ot, layer,
                                            layer.op->getResult(0), func);
    if (failed(s))
      return failure();
    plan.ot = *s;
  }
  return plan;
}

//===----------------------------------------------------------------------===//
// Rewriting
//===----------------------------------------------------------------------===//

static Location tensorLoc(const Layer &layer, StringRef tag) {
  Location loc = layer.op->getLoc();
  if (layer.name.empty())
    return loc;
  return NameLoc::get(
      StringAttr::get(loc.getContext(), layer.name + "." + tag), loc);
}

static bool sameQuantizer(const QuantizerSpec &a, const QuantizerSpec &c) {
  auto fields = [](const QuantizerSpec &q) {
    return std::tie(q.method, q.role, q.bits, q.halfRange, q.narrow,
                    q.symmetric, q.nonNegative, q.axis, q.groups, q.grad,
                    q.gradScale, q.adaptive, q.boundary, q.observer);
  };
  return fields(a) == fields(c);
}

namespace {
/// The weight quantizers made so far, by the weight they read: layers that
/// run the same weight (a detection head's conv on every FPN level) share
/// one quantizer, so that calibration, training and the integer program
/// see one set of weight levels, while each layer keeps its own activation
/// quantizers.
using WeightQuantizers =
    DenseMap<Value, SmallVector<std::pair<FakeQuantOp, QuantizerSpec>, 1>>;
} // namespace

/// Returns the number of fake_quant ops created.
static int64_t applyPlan(const LayerPlan &plan, WeightQuantizers &shared) {
  const Layer &layer = plan.layer;
  OpBuilder b(layer.op);
  int64_t created = 0;
  if (plan.wt) {
    Value weight = layer.weight();
    auto &made = shared[weight];
    auto same = llvm::find_if(made, [&](const auto &m) {
      return sameQuantizer(m.second, *plan.wt);
    });
    if (same != made.end()) {
      layer.op->setOperand(1, same->first);
    } else {
      FakeQuantOp fq =
          buildFakeQuant(b, tensorLoc(layer, "wt"), weight, *plan.wt);
      layer.op->setOperand(1, fq);
      made.push_back({fq, *plan.wt});
      ++created;
    }
  }
  if (plan.fm) {
    Value input = layer.input();
    if (plan.bypassRelu)
      input = ReluOp(plan.bypassRelu).getInput();
    if (plan.padBeforeQuant) {
      // Zero-pad first, then quantize: padding takes a valid quantized
      // value (0) and the conv itself no longer pads.
      auto conv = cast<Conv2dOp>(layer.op);
      ArrayRef<int64_t> p = conv.getPads(); // top, left, bottom, right
      input = PadOp::create(b, tensorLoc(layer, "pad"), input,
                            b.getDenseI64ArrayAttr(
                                {0, 0, p[0], p[1], 0, 0, p[2], p[3]}),
                            b.getF64FloatAttr(0.0));
      conv.setPadsAttr(b.getDenseI64ArrayAttr({0, 0, 0, 0}));
    }
    FakeQuantOp fq = buildFakeQuant(b, tensorLoc(layer, "fm"), input, *plan.fm);
    layer.op->setOperand(0, fq);
    ++created;
  }
  if (plan.ot) {
    b.setInsertionPointAfter(layer.op);
    Value out = layer.op->getResult(0);
    FakeQuantOp fq = buildFakeQuant(b, tensorLoc(layer, "ot"), out, *plan.ot);
    out.replaceAllUsesExcept(fq, fq);
    ++created;
  }
  return created;
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {
struct ApplyPolicyPass : qopt::impl::ApplyPolicyPassBase<ApplyPolicyPass> {
  using ApplyPolicyPassBase::ApplyPolicyPassBase;

  /// The policy for `func`: its own `qnn.policy` / `qnn.policy_file`
  /// attributes if it has any, else the pass options. A YAML file is read
  /// first and the keyword string applied on top.
  FailureOr<Policy> loadPolicy(func::FuncOp func) {
    std::string text = policy, file = policyFile;
    auto textAttr = func->getAttrOfType<StringAttr>("qnn.policy");
    auto fileAttr = func->getAttrOfType<StringAttr>("qnn.policy_file");
    if (textAttr || fileAttr) {
      text = textAttr ? textAttr.str() : "";
      file = fileAttr ? fileAttr.str() : "";
    }
    Policy p;
    if (!file.empty())
      if (llvm::Error e = parseYamlFile(p, file))
        return func.emitError("invalid policy file: ")
               << llvm::toString(std::move(e));
    if (llvm::Error e = parseKeywords(p, text))
      return func.emitError("invalid policy: ") << llvm::toString(std::move(e));
    if (llvm::Error e = validate(p))
      return func.emitError("invalid policy: ") << llvm::toString(std::move(e));
    for (const std::string &word : p.ignoredKeywords)
      func.emitWarning("policy keyword '")
          << word
          << "' chooses how model-quantization builds a PyTorch model; it "
             "has no effect on an imported graph";
    return p;
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    FailureOr<Policy> p = loadPolicy(func);
    if (failed(p))
      return signalPassFailure();

    SmallVector<Layer> layers;
    func.walk([&](Operation *op) {
      if (isa<Conv2dOp, LinearOp>(op))
        layers.push_back({op, (int64_t)layers.size(), layerName(op)});
    });
    for (Layer &layer : layers) {
      layer.first = isFirstLayer(layer.op, func);
      layer.last = isLastLayer(layer.op);
    }

    // Plan everything before touching the IR: a bad policy fails the pass
    // with the function unchanged.
    SmallVector<SmallVector<bool>> overrideUsed;
    for (const Override &o : p->overrides)
      overrideUsed.emplace_back(selectorAlternatives(o.selector).size(), false);
    SmallVector<bool> scopeUsed(
        p->quantScope ? selectorAlternatives(*p->quantScope).size() : 0, false);
    std::vector<LayerPlan> plans;
    auto planAll = [&] {
      plans.clear();
      for (const Layer &layer : layers) {
        LayerPolicy lp =
            policyForLayer(*p, layer, layers.size(), overrideUsed, scopeUsed);
        FailureOr<LayerPlan> plan = planLayer(*p, lp, layer, func);
        if (failed(plan))
          return failure();
        plans.push_back(*plan);
      }
      return success();
    };
    if (failed(planAll()))
      return signalPassFailure();
    // A selector alternative that picks no layer is a typo or a policy
    // written for another model.
    auto unmatched = [&](StringRef text, StringRef selector,
                         ArrayRef<bool> used) {
      auto unused = llvm::find(used, false);
      if (unused == used.end())
        return false;
      auto diag = func.emitError() << text;
      if (used.size() > 1)
        diag << ": '" << selectorAlternatives(selector)[unused - used.begin()]
             << "'";
      diag << " matches no layer; layers are 0.." << (int64_t)layers.size() - 1;
      SmallVector<std::string> names;
      for (const Layer &l : layers)
        if (!l.name.empty())
          names.push_back("'" + l.name + "'");
      if (!names.empty())
        diag << " named " << llvm::join(names, ", ");
      return true;
    };
    for (auto [used, o] : llvm::zip(overrideUsed, p->overrides))
      if (unmatched("per-layer option '" + o.text + "'", o.selector, used))
        return signalPassFailure();
    if (p->quantScope &&
        unmatched("policy keyword 'quant_scope=" + *p->quantScope + "'",
                  *p->quantScope, scopeUsed))
      return signalPassFailure();

    // Structure first, on the float graph (the shortcuts read the convs'
    // real-valued inputs), then plan again: the quantizers' ranges and
    // sign_before_relu look at the activations the rewrites changed.
    if (p->bireal || p->prelu || p->nrelu) {
      SmallVector<Conv2dOp> binarized;
      for (const LayerPlan &plan : plans)
        if (auto conv = dyn_cast<Conv2dOp>(plan.layer.op))
          if (plan.fm && plan.wt && plan.fm->bits == 1 && plan.wt->bits == 1)
            binarized.push_back(conv);
      if (p->bireal && failed(addBiRealShortcuts(func, binarized)))
        return signalPassFailure();
      if ((p->prelu || p->nrelu) &&
          failed(rewriteBinaryActivations(func, binarized, p->prelu)))
        return signalPassFailure();
      if (failed(planAll()))
        return signalPassFailure();
    }

    WeightQuantizers shared;
    for (const LayerPlan &plan : plans) {
      int64_t created = applyPlan(plan, shared);
      numFakeQuants += created;
      if (plan.fm || plan.wt || plan.ot)
        ++numQuantized;
      else
        ++numFullPrecision;
    }
  }
};
} // namespace
