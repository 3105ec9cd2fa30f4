//===- Reconstruction.cpp - qnn-build-reconstruction: AdaRound steps ------===//
//
// Post-training reconstruction (AdaRound, Nagel et al. 2020; BRECQ's block
// units, QDrop's dropping): every conv2d / linear whose weight goes through
// an `adaround` fake_quant belongs to a unit (the layer, or its block). The
// rounding variables V become mutable globals that @main reads, and for
// unit k the pass emits
//
//   @recon_data_k(%x) -> (%in, [%in_float,] %target)
//       the unit's input in the quantized model (reading every unit's
//       current V) and the unit's output in the float model (every
//       fake_quant bypassed), for a batch of model inputs;
//   @recon_step_k(%in, [%in_float,] %target, %lr, %beta, %lambda,
//                 [%act_lr,] [%keep...]) -> (%rec, %reg)
//       one Adam step on the unit's V (and, with learn-activations, on its
//       activation quantizers' learnable steps): the unit's ops on %in with
//       relaxed rounding, rec = C * mse(out, target) (BRECQ's loss: summed
//       over the channels, averaged over the rest), reg = the rounding
//       regularizers. With qdrop every activation quantizer of the unit
//       mixes its quantized and unquantized values by its keep mask.
//
// A driver (qc, pipeline/Reconstruct.cpp) runs the units in order, so the
// inputs of unit k see the rounding already chosen for the units before it
// (AdaRound's asymmetric reconstruction), then freezes the globals.
//
//===----------------------------------------------------------------------===//

#include "passes/Autodiff.h"
#include "passes/Names.h"
#include "passes/Passes.h"

#include "dialect/QnnOps.h"

#include "llvm/ADT/DenseSet.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace qopt {
#define GEN_PASS_DEF_BUILDRECONSTRUCTIONPASS
#include "passes/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

namespace {
/// What one reconstruction step optimizes: a layer (with its input
/// quantizers and a relu that is its only user) or a block (every op
/// between two cuts of the forward, see findBlocks).
struct Unit {
  /// The unit's ops in program order, without the parameters they read
  /// (constants, global loads and ops computing only from those, such as
  /// the weight quantizers), which are cloned where used.
  SmallVector<Operation *> ops;
  /// The AdaRound weight quantizers of the unit's layers.
  SmallVector<FakeQuantOp> weightQuants;
  /// The activation quantizers among `ops`, in program order: where QDrop
  /// drops quantization, and whose learnable parameters the step learns.
  SmallVector<FakeQuantOp> actQuants;
  Value input;  // what @recon_step_k receives
  Value output; // what it is compared with
  std::string name;      // the first layer's
  unsigned numLayers = 0;
};

class ReconstructionBuilder {
public:
  ReconstructionBuilder(ModuleOp module, func::FuncOp forward, bool qdrop,
                        bool blocks, bool learnActivations)
      : module(module), symbols(module), forward(forward),
        ctx(module.getContext()), qdrop(qdrop), blocks(blocks),
        learnActivations(learnActivations) {}

  FailureOr<unsigned> run();

private:
  LogicalResult findUnits();
  LogicalResult findBlocks();
  LogicalResult findChains(ArrayRef<Operation *> order);
  LogicalResult checkLayer(Operation *layer, FakeQuantOp wq,
                           const std::string &name);
  LogicalResult collectQuantizers(Unit &u,
                                  function_ref<unsigned(Operation *)> indexOf);
  bool isParam(Operation *op);
  Value hoistParam(FakeQuantOp fq, OpOperand &operand, StringRef suffix);
  LogicalResult hoistActivationParams(FakeQuantOp fq);
  ml_program::GlobalOp createGlobal(Location loc, const std::string &name,
                                    Type type, Attribute value, StringRef kind,
                                    StringRef layer);
  void buildData(const Unit &unit, unsigned k);
  LogicalResult buildStep(const Unit &unit, unsigned k);
  FlatSymbolRefAttr symbolOf(ml_program::GlobalOp g) {
    return FlatSymbolRefAttr::get(g.getSymNameAttr());
  }

  ModuleOp module;
  SymbolTable symbols;
  func::FuncOp forward;
  MLIRContext *ctx;
  /// QDrop: the steps also take the unit's float input and a keep mask.
  bool qdrop;
  /// Units are blocks (BRECQ), not layers.
  bool blocks;
  /// The steps learn the activation quantizers' learnable parameters.
  bool learnActivations;
  /// isParam's answers for the forward's ops.
  DenseMap<Operation *, bool> params;
  SmallVector<Unit> units;
};
} // namespace

static bool isLayer(Operation *op) { return isa<Conv2dOp, LinearOp>(op); }

/// The user-facing name of a layer (its location's, else by position).
static std::string layerNameOf(Operation *layer, unsigned index) {
  std::string name = nameInLoc(layer->getLoc());
  return name.empty() ? "layer" + std::to_string(index) : name;
}

/// The layer's AdaRound weight quantizer, or null.
static FakeQuantOp adaroundWeightOf(Operation *layer) {
  auto wq = layer->getOperand(1).getDefiningOp<FakeQuantOp>();
  return wq && wq.getMethod() == QuantMethod::Adaround ? wq : FakeQuantOp();
}

/// Fills `u`'s activation and AdaRound weight quantizers, layer count and
/// name (its first AdaRound layer's) from `u.ops`. `indexOf` is called for
/// every layer in order and gives its index for layerNameOf.
LogicalResult ReconstructionBuilder::collectQuantizers(
    Unit &u, function_ref<unsigned(Operation *)> indexOf) {
  for (Operation *op : u.ops) {
    if (auto fq = dyn_cast<FakeQuantOp>(op);
        fq && fq.getRole() == QuantRole::Activation)
      u.actQuants.push_back(fq);
    if (!isLayer(op))
      continue;
    std::string name = layerNameOf(op, indexOf(op));
    FakeQuantOp wq = adaroundWeightOf(op);
    if (!wq)
      continue;
    if (failed(checkLayer(op, wq, name)))
      return failure();
    if (u.weightQuants.empty())
      u.name = name;
    u.weightQuants.push_back(wq);
    ++u.numLayers;
  }
  return success();
}

LogicalResult ReconstructionBuilder::checkLayer(Operation *layer,
                                                FakeQuantOp wq,
                                                const std::string &name) {
  if (!wq.getInput().getDefiningOp<arith::ConstantOp>())
    return layer->emitError("qnn-build-reconstruction: the weight of layer '")
           << name << "' is not a constant; reconstruction rounds "
           << "constant weights (fold batch norm and freeze first)";
  if (!wq.getOffset())
    return wq.emitError("qnn-build-reconstruction: the AdaRound quantizer "
                        "of layer '")
           << name << "' has no offset operand";
  return success();
}

LogicalResult ReconstructionBuilder::findUnits() {
  unsigned index = 0;
  WalkResult walk = forward.walk([&](Operation *op) -> WalkResult {
    if (!isLayer(op))
      return WalkResult::advance();
    std::string name = layerNameOf(op, index++);
    FakeQuantOp wq = adaroundWeightOf(op);
    if (!wq)
      return WalkResult::advance();
    if (failed(checkLayer(op, wq, name)))
      return WalkResult::interrupt();
    Unit u;
    u.weightQuants.push_back(wq);
    u.name = name;
    u.numLayers = 1;
    // The input: up through the layer's activation quantizers and pads.
    Value in = op->getOperand(0);
    SmallVector<Operation *> inputChain;
    while (Operation *def = in.getDefiningOp()) {
      auto fq = dyn_cast<FakeQuantOp>(def);
      if (!(fq && fq.getRole() == QuantRole::Activation) && !isa<PadOp>(def))
        break;
      inputChain.insert(inputChain.begin(), def);
      in = def->getOperand(0);
    }
    u.input = in;
    for (Operation *def : inputChain)
      if (auto fq = dyn_cast<FakeQuantOp>(def))
        u.actQuants.push_back(fq);
    u.ops = inputChain;
    u.ops.push_back(op);
    u.output = op->getResult(0);
    Value result = op->getResult(0);
    if (result.hasOneUse() && isa<ReluOp>(*result.getUsers().begin())) {
      u.ops.push_back(*result.getUsers().begin());
      u.output = u.ops.back()->getResult(0);
    }
    units.push_back(std::move(u));
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

/// A parameter: a constant, a global load, or an op computing only from
/// parameters (a weight quantizer of a constant). Parameters are not
/// activations (they do not cut the forward) and the steps clone them where
/// they are used.
bool ReconstructionBuilder::isParam(Operation *op) {
  if (isa<arith::ConstantOp, ml_program::GlobalLoadOp>(op))
    return true;
  if (auto it = params.find(op); it != params.end())
    return it->second;
  bool param = op->getNumOperands() > 0 && op->getNumRegions() == 0 &&
               llvm::all_of(op->getOperands(), [&](Value v) {
                 Operation *def = v.getDefiningOp();
                 return def && isParam(def);
               });
  params[op] = param;
  return param;
}

/// Blocks (BRECQ): the forward is cut after every op where exactly one
/// activation is live (a value that a later op reads, parameters aside):
/// in a ResNet, after the stem, after each residual block's final relu,
/// after the pooling. The ops between two cuts form a block; a block with
/// an AdaRound layer is a unit from the first cut's value to the second's.
LogicalResult ReconstructionBuilder::findBlocks() {
  Block &body = forward.getBody().front();
  SmallVector<Operation *> order;
  for (Operation &op : body.without_terminator())
    order.push_back(&op);
  // Where each activation is read for the last time (the return: n).
  unsigned n = order.size();
  DenseMap<Value, unsigned> lastUse;
  for (unsigned i = 0; i <= n; ++i) {
    Operation *op = i < n ? order[i] : body.getTerminator();
    if (i < n && isParam(op))
      continue;
    for (Value v : op->getOperands())
      lastUse[v] = i;
  }
  llvm::SetVector<Value> live;
  for (Value arg : body.getArguments())
    if (lastUse.count(arg))
      live.insert(arg);
  SmallVector<std::pair<int, Value>> cuts;
  if (live.size() == 1)
    cuts.push_back({-1, live.front()});
  for (unsigned i = 0; i < n; ++i) {
    Operation *op = order[i];
    if (isParam(op))
      continue;
    for (Value r : op->getResults())
      if (lastUse.count(r))
        live.insert(r);
    for (Value v : op->getOperands())
      if (lastUse.lookup(v) == i)
        live.remove(v);
    if (live.size() == 1 && (cuts.empty() || cuts.back().second != live.front()))
      cuts.push_back({(int)i, live.front()});
  }
  // Segments between consecutive cuts; a chain (stem, head) cuts after
  // every op, so segments without a layer join a neighbour: an activation
  // (relu, clip) the unit before it, anything else (quantizers, pads,
  // pooling, reshapes) the unit after it.
  struct Segment {
    Value in, out;
    SmallVector<Operation *> ops;
    bool hasLayer = false, activationsOnly = true;
  };
  SmallVector<Segment> segments;
  std::optional<Segment> pending;
  for (size_t c = 0; c + 1 < cuts.size(); ++c) {
    Segment seg;
    seg.in = cuts[c].second;
    seg.out = cuts[c + 1].second;
    for (int i = cuts[c].first + 1; i <= cuts[c + 1].first; ++i) {
      if (isParam(order[i]))
        continue;
      seg.ops.push_back(order[i]);
      seg.hasLayer |= isLayer(order[i]);
      seg.activationsOnly &= isa<ReluOp, ClipOp>(order[i]);
    }
    if (seg.hasLayer) {
      if (pending) {
        pending->ops.append(seg.ops);
        seg.ops = std::move(pending->ops);
        seg.in = pending->in;
        pending.reset();
      }
      segments.push_back(std::move(seg));
    } else if (seg.activationsOnly && !pending && !segments.empty()) {
      segments.back().ops.append(seg.ops);
      segments.back().out = seg.out;
    } else if (pending) {
      pending->ops.append(seg.ops);
      pending->out = seg.out;
    } else {
      pending = std::move(seg);
    }
  }
  unsigned layerIndex = 0;
  for (Segment &seg : segments) {
    Unit u;
    u.input = seg.in;
    u.output = seg.out;
    u.ops = std::move(seg.ops);
    if (failed(collectQuantizers(u, [&](Operation *) { return layerIndex++; })))
      return failure();
    if (!u.weightQuants.empty())
      units.push_back(std::move(u));
  }
  return findChains(order);
}

/// After findBlocks: the AdaRound layers that no cut isolates (an FPN and a
/// detector's heads, where every value after the first branch is live with
/// another until the outputs) are reconstructed in chains. A chain starts
/// at such a layer with its input quantizers and pads and grows forward
/// while the current value has exactly one user that reads nothing else but
/// parameters (a relu, an unfolded batch norm, the next layer's quantizer
/// and pad, the next layer); it ends after its last layer and the relus and
/// clips that follow it. On the FCOS body (docs/detection.md) the chains
/// are the stage c4, c5 with its lateral conv, each level's class tower and
/// box tower (two convs and their Head-BNs each; the output convs are float
/// under the default policy, and the box tower's output feeds two of
/// them), and every other layer alone (the FPN's convs read or feed joins).
LogicalResult
ReconstructionBuilder::findChains(ArrayRef<Operation *> order) {
  Block &body = forward.getBody().front();
  DenseSet<Operation *> covered;
  DenseMap<Operation *, unsigned> position, layerIndex;
  for (auto [i, op] : llvm::enumerate(order)) {
    position[op] = i;
    if (isLayer(op))
      layerIndex.try_emplace(op, layerIndex.size());
  }
  for (const Unit &u : units)
    covered.insert(u.ops.begin(), u.ops.end());
  auto onlyReads = [&](Operation *op, Value v) {
    return llvm::all_of(op->getOperands(), [&](Value o) {
      Operation *def = o.getDefiningOp();
      return o == v || (def && isParam(def));
    });
  };
  unsigned numBlocks = units.size();
  for (Operation *layer : order) {
    if (!isLayer(layer) || covered.contains(layer) || !adaroundWeightOf(layer))
      continue;
    Unit u;
    Value in = layer->getOperand(0);
    while (Operation *def = in.getDefiningOp()) {
      auto fq = dyn_cast<FakeQuantOp>(def);
      if ((!(fq && fq.getRole() == QuantRole::Activation) &&
           !isa<PadOp>(def)) ||
          covered.contains(def) || !def->getResult(0).hasOneUse())
        break;
      u.ops.insert(u.ops.begin(), def);
      in = def->getOperand(0);
    }
    u.input = in;
    u.ops.push_back(layer);
    size_t end = u.ops.size();
    Value v = layer->getResult(0);
    while (v.hasOneUse()) {
      Operation *user = *v.getUsers().begin();
      // An unfolded (inference) batch norm with constant statistics (a
      // detector's Head-BN, kept because the levels share the conv's
      // weight) is part of the chain: qnn-autodiff passes dy times its
      // per-channel scale.
      if (user->getBlock() != &body || user == body.getTerminator() ||
          covered.contains(user) || user->getNumResults() != 1 ||
          isParam(user) || !onlyReads(user, v))
        break;
      u.ops.push_back(user);
      if (isLayer(user) || isa<ReluOp, ClipOp>(user))
        end = u.ops.size();
      v = user->getResult(0);
    }
    u.ops.resize(end);
    u.output = u.ops.back()->getResult(0);
    covered.insert(u.ops.begin(), u.ops.end());
    if (failed(collectQuantizers(
            u, [&](Operation *op) { return layerIndex.lookup(op); })))
      return failure();
    units.push_back(std::move(u));
  }
  // Program order, so that each unit's data see the rounding chosen for
  // the units before it.
  if (units.size() > numBlocks)
    llvm::stable_sort(units, [&](const Unit &a, const Unit &b) {
      return position.lookup(a.ops.front()) < position.lookup(b.ops.front());
    });
  return success();
}

ml_program::GlobalOp
ReconstructionBuilder::createGlobal(Location loc, const std::string &name,
                                    Type type, Attribute value, StringRef kind,
                                    StringRef layer) {
  return createStateGlobal(module, symbols, loc, name, type, value, kind,
                           layer);
}

/// The name of the layer a quantizer feeds (its first named layer user),
/// else the quantizer's own location name.
static std::string layerFedBy(FakeQuantOp fq) {
  std::string layer;
  for (Operation *user : fq->getUsers())
    if (isLayer(user) && (layer = nameInLoc(user->getLoc())).size())
      return layer;
  for (Operation *user : fq->getUsers())
    if (auto pad = dyn_cast<PadOp>(user))
      for (Operation *next : pad->getUsers())
        if (isLayer(next) && (layer = nameInLoc(next->getLoc())).size())
          return layer;
  layer = nameInLoc(fq.getLoc());
  return layer.empty() ? "quantizer" : layer;
}

/// Makes a quantizer parameter (AdaRound's V, an LSQ step) a mutable global
/// `<layer><suffix>` loaded by @main where the constant was. Returns the
/// load, or null when the operand is neither a constant nor a global.
Value ReconstructionBuilder::hoistParam(FakeQuantOp fq, OpOperand &operand,
                                        StringRef suffix) {
  Value value = operand.get();
  if (value.getDefiningOp<ml_program::GlobalLoadOp>())
    return value;
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return {};
  std::string layer = layerFedBy(fq);
  ml_program::GlobalOp global =
      createGlobal(constant.getLoc(), layer + suffix.str(), value.getType(),
                   constant.getValue(), "quant_param", layer);
  OpBuilder b(fq);
  Value load = ml_program::GlobalLoadOp::create(b, fq.getLoc(),
                                                value.getType(),
                                                symbolOf(global));
  operand.set(load);
  if (constant->use_empty())
    constant->erase();
  return load;
}

/// learn-activations: the learnable parameters of an activation quantizer
/// become globals (`<layer>.act_scale`, `.act_zero_point`, `.act_clip`).
LogicalResult ReconstructionBuilder::hoistActivationParams(FakeQuantOp fq) {
  struct Param {
    QuantParam which;
    MutableOperandRange operand;
    StringRef suffix;
  } params[] = {
      {QuantParam::Scale, fq.getScaleMutable(), ".act_scale"},
      {QuantParam::ZeroPoint, fq.getZeroPointMutable(), ".act_zero_point"},
      {QuantParam::Clip, fq.getClipMutable(), ".act_clip"},
  };
  for (Param &p : params) {
    if (p.operand.empty() || !isLearnedParam(fq.getMethod(), p.which))
      continue;
    if (!hoistParam(fq, p.operand[0], p.suffix))
      return fq.emitError("qnn-build-reconstruction: the learnable ")
             << p.suffix.drop_front(5) << " of the activation quantizer of '"
             << layerFedBy(fq) << "' is neither a constant nor a global";
  }
  return success();
}

/// Erases the ops of `fn` whose results nobody uses (global loads included:
/// they only read).
static void eraseDeadOps(func::FuncOp fn) {
  Block &body = fn.getBody().front();
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
    if (isOpTriviallyDead(&op))
      op.erase();
}

void ReconstructionBuilder::buildData(const Unit &unit, unsigned k) {
  // The quantized model is a clone of @main; the float model is a second
  // copy of its body in the same function with every fake_quant bypassed.
  IRMapping quantized;
  auto fn = cast<func::FuncOp>(forward->clone(quantized));
  fn.setSymName(("recon_data_" + Twine(k)).str());
  fn.setPublic();
  fn.removeResAttrsAttr();
  Block &body = fn.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  OpBuilder b(ret);
  IRMapping floating;
  for (auto [from, to] :
       llvm::zip(forward.getArguments(), body.getArguments()))
    floating.map(from, to);
  for (Operation &op : forward.getBody().front().without_terminator()) {
    if (auto fq = dyn_cast<FakeQuantOp>(op)) {
      floating.map(fq.getResult(), floating.lookup(fq.getInput()));
      continue;
    }
    b.clone(op, floating);
  }
  SmallVector<Value> results = {quantized.lookup(unit.input)};
  if (qdrop)
    results.push_back(floating.lookup(unit.input));
  results.push_back(floating.lookup(unit.output));
  ret->setOperands(results);
  fn.setFunctionType(FunctionType::get(ctx, body.getArgumentTypes(),
                                       ValueRange(results).getTypes()));
  eraseDeadOps(fn);
  symbols.insert(fn);
}

/// The operands of an activation quantizer that the steps learn (those
/// that hoistActivationParams made globals).
static SmallVector<OpOperand *> learnedActivationParams(FakeQuantOp fq) {
  SmallVector<OpOperand *> learned;
  std::pair<QuantParam, MutableOperandRange> params[] = {
      {QuantParam::Scale, fq.getScaleMutable()},
      {QuantParam::ZeroPoint, fq.getZeroPointMutable()},
      {QuantParam::Clip, fq.getClipMutable()},
  };
  for (auto &[which, operand] : params)
    if (!operand.empty() && isLearnedParam(fq.getMethod(), which))
      learned.push_back(&operand[0]);
  return learned;
}

LogicalResult ReconstructionBuilder::buildStep(const Unit &unit, unsigned k) {
  Location loc = unit.weightQuants.front()->getLoc();
  auto scalar = RankedTensorType::get({}, Float32Type::get(ctx));
  Type inType = unit.input.getType(), outType = unit.output.getType();
  // The activation parameters this step learns, in program order.
  SmallVector<std::pair<FakeQuantOp, OpOperand *>> actParams;
  if (learnActivations)
    for (FakeQuantOp aq : unit.actQuants)
      for (OpOperand *operand : learnedActivationParams(aq))
        actParams.push_back({aq, operand});

  // The arguments, named in `qnn.recon_args` for the driver.
  SmallVector<Type> argTypes;
  SmallVector<Attribute> argNames;
  auto addArg = [&](Type type, StringRef name) {
    argTypes.push_back(type);
    argNames.push_back(StringAttr::get(ctx, name));
    return argTypes.size() - 1;
  };
  unsigned inArg = addArg(inType, "in");
  unsigned inFloatArg = qdrop ? addArg(inType, "in_float") : 0;
  unsigned targetArg = addArg(outType, "target");
  unsigned lrArg = addArg(scalar, "lr"), betaArg = addArg(scalar, "beta"),
           lambdaArg = addArg(scalar, "lambda");
  unsigned actLrArg = actParams.empty() ? 0 : addArg(scalar, "act_lr");
  SmallVector<unsigned> keepArgs;
  if (qdrop)
    for (FakeQuantOp aq : unit.actQuants)
      keepArgs.push_back(addArg(aq.getType(), "keep"));

  OpBuilder b(ctx);
  auto fn = func::FuncOp::create(
      b, loc, ("recon_step_" + Twine(k)).str(),
      FunctionType::get(ctx, argTypes, {scalar, scalar}));
  Block *body = fn.addEntryBlock();
  b.setInsertionPointToStart(body);
  Value in = body->getArgument(inArg);
  Value target = body->getArgument(targetArg), lr = body->getArgument(lrArg),
        beta = body->getArgument(betaArg),
        lambda = body->getArgument(lambdaArg);

  // The unit's ops, with the parameters they read cloned where used.
  IRMapping m;
  m.map(unit.input, in);
  std::function<LogicalResult(Value)> materialize = [&](Value v) {
    if (m.contains(v))
      return success();
    Operation *def = v.getDefiningOp();
    if (!def || !isParam(def))
      return failure();
    for (Value operand : def->getOperands())
      if (failed(materialize(operand)))
        return failure();
    b.clone(*def, m);
    return success();
  };
  for (Operation *op : unit.ops) {
    for (Value operand : op->getOperands())
      if (failed(materialize(operand)))
        return op->emitError("qnn-build-reconstruction: the unit of layer '")
               << unit.name << "' reads a value that is neither its input, "
               << "one of its ops' results nor a parameter; only a unit "
               << "with its own quantizers can be reconstructed alone";
    b.clone(*op, m);
  }

  if (qdrop) {
    // QDrop (Wei et al. 2022): each activation quantizer's result is
    // y + keep * (d - y): where `keep` is 1, the element is d, the value
    // without this quantizer. For a quantizer of the unit's input, d is the
    // float model's input (%in_float, through the same pads); inside the
    // unit, d is the quantizer's own input.
    Value inFloat = body->getArgument(inFloatArg);
    DenseMap<Value, Value> floatOf;
    floatOf[unit.input] = inFloat;
    std::function<Value(Value)> floatValue = [&](Value v) -> Value {
      if (Value f = floatOf.lookup(v))
        return f;
      auto pad = v.getDefiningOp<PadOp>();
      if (!pad || !llvm::is_contained(unit.ops, pad.getOperation()))
        return {};
      Value operand = floatValue(pad->getOperand(0));
      if (!operand)
        return {};
      IRMapping mf;
      for (Value o : pad->getOperands())
        mf.map(o, m.lookupOrDefault(o));
      mf.map(pad->getOperand(0), operand);
      Operation *clonedPad = m.lookup(v).getDefiningOp();
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointAfter(clonedPad);
      Value f = b.clone(*pad, mf)->getResult(0);
      floatOf[v] = f;
      return f;
    };
    for (auto [quant, keepArg] : llvm::zip(unit.actQuants, keepArgs)) {
      FakeQuantOp aq = quant;
      Value y = m.lookup(aq.getResult());
      Value d = floatValue(aq.getInput());
      if (!d)
        d = m.lookup(aq.getInput());
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointAfterValue(y);
      if (Operation *def = d.getDefiningOp();
          def && def->getBlock() == body && y.getDefiningOp()->isBeforeInBlock(def))
        b.setInsertionPointAfter(def);
      Type type = y.getType();
      auto diff = SubOp::create(b, loc, type, d, y);
      auto kept = MulOp::create(b, loc, type, body->getArgument(keepArg), diff);
      auto mixed = AddOp::create(b, loc, type, y, kept);
      y.replaceAllUsesExcept(mixed, SmallPtrSet<Operation *, 2>{diff, mixed});
    }
    b.setInsertionPointToEnd(body);
  }

  // The leaves: the relaxed rounding of every AdaRound weight of the unit,
  // then the learned activation parameters.
  SmallVector<Value> offsets;
  for (FakeQuantOp wq : unit.weightQuants) {
    auto clone =
        cast<FakeQuantOp>(m.lookup(wq.getResult()).getDefiningOp());
    clone.setRelaxed(true);
    offsets.push_back(clone.getOffset());
  }
  SmallVector<Value> actLeaves;
  for (auto [aq, operand] : actParams) {
    Operation *clone = m.lookup(aq.getResult()).getDefiningOp();
    actLeaves.push_back(clone->getOperand(operand->getOperandNumber()));
  }
  Value out = m.lookup(unit.output);

  // rec = C * mean((out - target)^2): BRECQ's sum over channels, mean over
  // the batch (and pixels); with it, lambda = 0.01 weighs as in QDrop.
  auto mse = MseLossOp::create(b, loc, out, target);
  int64_t channels = cast<RankedTensorType>(outType).getDimSize(1);
  Value c = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(scalar, (float)channels));
  Value rec = MulOp::create(b, loc, scalar, mse.getLoss(), c);
  Value regSum;
  for (Value v : offsets) {
    Value reg =
        AdaroundRegularizerOp::create(b, loc, v, beta, lambda).getLoss();
    regSum = regSum ? AddOp::create(b, loc, scalar, regSum, reg).getResult()
                    : reg;
  }
  Value loss = AddOp::create(b, loc, scalar, rec, regSum);
  SmallVector<Value> leaves(offsets);
  leaves.append(actLeaves);
  FailureOr<SmallVector<Value>> grads = differentiate(b, loss, leaves);
  if (failed(grads))
    return failure();

  // Adam on each V and activation parameter (BRECQ / QDrop:
  // torch.optim.Adam, no weight decay; activation steps at their own
  // learning rate), one step counter per unit.
  auto global = [&](const std::string &name, Type type, Attribute value) {
    return createGlobal(loc, "recon." + name, type, value, "optimizer_state",
                        unit.name);
  };
  ml_program::GlobalOp counter = global(unit.name + ".step", scalar,
                                        DenseElementsAttr::get(scalar, 0.0f));
  Value oldStep =
      ml_program::GlobalLoadOp::create(b, loc, scalar, symbolOf(counter));
  Value one = arith::ConstantOp::create(b, loc,
                                        DenseElementsAttr::get(scalar, 1.0f));
  Value step = AddOp::create(b, loc, scalar, oldStep, one);
  // Every load comes before the stores (value semantics of the globals).
  SmallVector<std::pair<FlatSymbolRefAttr, Value>> stores = {
      {symbolOf(counter), step}};
  for (auto [i, leaf, grad] : llvm::enumerate(leaves, *grads)) {
    bool isActivation = i >= offsets.size();
    auto load = leaf.getDefiningOp<ml_program::GlobalLoadOp>();
    std::string param =
        load.getGlobal().getRootReference().getValue().str();
    auto type = cast<ShapedType>(leaf.getType());
    ml_program::GlobalOp expAvg =
        global(param + ".exp_avg", type, DenseElementsAttr::get(type, 0.0f));
    ml_program::GlobalOp expAvgSq = global(
        param + ".exp_avg_sq", type, DenseElementsAttr::get(type, 0.0f));
    Value mOld =
        ml_program::GlobalLoadOp::create(b, loc, type, symbolOf(expAvg));
    Value vOld =
        ml_program::GlobalLoadOp::create(b, loc, type, symbolOf(expAvgSq));
    Value rate = isActivation ? body->getArgument(actLrArg) : lr;
    auto update = AdamUpdateOp::create(
        b, loc, type, type, type, leaf, grad, mOld, vOld, rate, step,
        b.getF64FloatAttr(0.9), b.getF64FloatAttr(0.999),
        b.getF64FloatAttr(1e-8), b.getF64FloatAttr(0.0));
    Value updated = update.getNewParam();
    // A step size stays positive (MQBench clamps it likewise).
    if (isActivation && StringRef(param).ends_with(".act_scale"))
      updated = ClipOp::create(b, loc, type, updated, b.getF64FloatAttr(1e-8),
                               b.getF64FloatAttr(3.0e38));
    stores.push_back({symbolOf(expAvg), update.getNewExpAvg()});
    stores.push_back({symbolOf(expAvgSq), update.getNewExpAvgSq()});
    stores.push_back(
        {FlatSymbolRefAttr::get(load.getGlobal().getRootReference()),
         updated});
  }
  for (auto [symbol, value] : stores)
    ml_program::GlobalStoreOp::create(b, loc, symbol, value);
  func::ReturnOp::create(b, loc, ValueRange{rec, regSum});
  std::string label = unit.name;
  if (unit.numLayers > 1)
    label += " (block of " + std::to_string(unit.numLayers) + " layers)";
  fn->setAttr("qnn.layer", b.getStringAttr(label));
  fn->setAttr("qnn.recon_args", b.getArrayAttr(argNames));
  symbols.insert(fn);
  return success();
}

FailureOr<unsigned> ReconstructionBuilder::run() {
  if (failed(blocks ? findBlocks() : findUnits()))
    return failure();
  for (Unit &unit : units) {
    for (FakeQuantOp wq : unit.weightQuants)
      if (!hoistParam(wq, wq.getOffsetMutable()[0], ".offset"))
        return wq.emitError("qnn-build-reconstruction: the offset of the "
                            "AdaRound quantizer in unit '")
               << unit.name << "' is neither a constant nor a global";
    if (learnActivations)
      for (FakeQuantOp aq : unit.actQuants)
        if (failed(hoistActivationParams(aq)))
          return failure();
  }
  for (auto [k, unit] : llvm::enumerate(units)) {
    if (symbols.lookup(("recon_step_" + Twine(k)).str()))
      return emitError(module.getLoc(), "qnn-build-reconstruction: the "
                                        "module already has @recon_step_")
             << k;
    buildData(unit, k);
    if (failed(buildStep(unit, k)))
      return failure();
  }
  return units.size();
}

namespace {
struct BuildReconstructionPass
    : qopt::impl::BuildReconstructionPassBase<BuildReconstructionPass> {
  using BuildReconstructionPassBase::BuildReconstructionPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto fn = module.lookupSymbol<func::FuncOp>(forward);
    auto functions = module.getOps<func::FuncOp>();
    if (!fn && forward == "main" &&
        std::distance(functions.begin(), functions.end()) == 1)
      fn = *functions.begin();
    if (!fn) {
      emitError(module.getLoc(), "qnn-build-reconstruction: the module has "
                                 "no function @")
          << forward;
      return signalPassFailure();
    }
    if (!fn.getBody().hasOneBlock()) {
      fn.emitError("qnn-build-reconstruction: the forward must have one "
                   "block");
      return signalPassFailure();
    }
    if (unit != "layer" && unit != "block") {
      emitError(module.getLoc(), "qnn-build-reconstruction: unknown unit '")
          << unit << "' (expected layer or block)";
      return signalPassFailure();
    }
    FailureOr<unsigned> n =
        ReconstructionBuilder(module, fn, qdrop, unit == "block",
                              learnActivations)
            .run();
    if (failed(n))
      return signalPassFailure();
    numUnits += *n;
  }
};
} // namespace
