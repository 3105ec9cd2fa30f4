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
//   @recon_step_k(%in, [%in_float, %keep,] %target, %lr, %beta, %lambda)
//       -> (%rec, %reg)
//       one Adam step on the unit's V: the unit's ops on %in with relaxed
//       rounding, rec = C * mse(out, target) (BRECQ's loss: summed over the
//       channels, averaged over the rest), reg = the rounding regularizers.
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
  /// Layer units: the layer and the ops between its input and it.
  Operation *layer = nullptr;
  SmallVector<Operation *> inputChain;
  Value input;  // what @recon_step_k receives
  Value output; // what it is compared with
  std::string name;      // the first layer's
  unsigned numLayers = 0;
};

class ReconstructionBuilder {
public:
  ReconstructionBuilder(ModuleOp module, func::FuncOp forward, bool qdrop,
                        bool blocks)
      : module(module), symbols(module), forward(forward),
        ctx(module.getContext()), qdrop(qdrop), blocks(blocks) {}

  FailureOr<unsigned> run();

private:
  LogicalResult findUnits();
  LogicalResult findBlocks();
  LogicalResult checkLayer(Operation *layer, FakeQuantOp wq,
                           const std::string &name);
  bool isParam(Operation *op);
  Value hoistOffset(FakeQuantOp fq);
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
    u.layer = op;
    u.weightQuants.push_back(wq);
    u.name = name;
    u.numLayers = 1;
    // The input: up through the layer's activation quantizers and pads.
    Value in = op->getOperand(0);
    while (Operation *def = in.getDefiningOp()) {
      auto fq = dyn_cast<FakeQuantOp>(def);
      if (!(fq && fq.getRole() == QuantRole::Activation) && !isa<PadOp>(def))
        break;
      u.inputChain.insert(u.inputChain.begin(), def);
      in = def->getOperand(0);
    }
    u.input = in;
    u.ops = u.inputChain;
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
    for (Operation *op : u.ops) {
      if (!isLayer(op))
        continue;
      std::string name = layerNameOf(op, layerIndex++);
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
    if (!u.weightQuants.empty())
      units.push_back(std::move(u));
  }
  return success();
}

ml_program::GlobalOp
ReconstructionBuilder::createGlobal(Location loc, const std::string &name,
                                    Type type, Attribute value, StringRef kind,
                                    StringRef layer) {
  return createStateGlobal(module, symbols, loc, name, type, value, kind,
                           layer);
}

/// Makes an AdaRound quantizer's V a mutable global (`<layer>.offset`)
/// loaded by @main where the constant was.
Value ReconstructionBuilder::hoistOffset(FakeQuantOp fq) {
  Value offset = fq.getOffset();
  if (offset.getDefiningOp<ml_program::GlobalLoadOp>())
    return offset;
  auto constant = offset.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return {};
  std::string layer;
  for (Operation *user : fq->getUsers())
    if (isLayer(user) && (layer = nameInLoc(user->getLoc())).size())
      break;
  if (layer.empty())
    layer = nameInLoc(fq.getLoc());
  ml_program::GlobalOp global =
      createGlobal(constant.getLoc(), layer + ".offset", offset.getType(),
                   constant.getValue(), "quant_param", layer);
  OpBuilder b(fq);
  Value load = ml_program::GlobalLoadOp::create(b, fq.getLoc(),
                                                offset.getType(),
                                                symbolOf(global));
  fq.getOffsetMutable().assign(load);
  if (constant->use_empty())
    constant->erase();
  return load;
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

LogicalResult ReconstructionBuilder::buildStep(const Unit &unit, unsigned k) {
  Location loc = unit.weightQuants.front()->getLoc();
  auto scalar = RankedTensorType::get({}, Float32Type::get(ctx));
  Type inType = unit.input.getType(), outType = unit.output.getType();
  Type layerInType = qdrop ? unit.layer->getOperand(0).getType() : Type();
  SmallVector<Type> argTypes = {inType};
  if (qdrop)
    argTypes.append({inType, layerInType});
  argTypes.append({outType, scalar, scalar, scalar});
  OpBuilder b(ctx);
  auto fn = func::FuncOp::create(
      b, loc, ("recon_step_" + Twine(k)).str(),
      FunctionType::get(ctx, argTypes, {scalar, scalar}));
  Block *body = fn.addEntryBlock();
  b.setInsertionPointToStart(body);
  unsigned next = 0;
  Value in = body->getArgument(next++);
  Value inFloat = qdrop ? body->getArgument(next++) : Value();
  Value keep = qdrop ? body->getArgument(next++) : Value();
  Value target = body->getArgument(next++), lr = body->getArgument(next++),
        beta = body->getArgument(next++), lambda = body->getArgument(next++);

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
    // QDrop (Wei et al. 2022): each element of the layer's input is the
    // float model's value where `keep` is 1, the quantized one elsewhere:
    // x + keep * (x_float - x), x_float through the same pads, no quantizer.
    IRMapping floating;
    floating.map(unit.input, inFloat);
    for (Operation *op : unit.inputChain) {
      if (isa<FakeQuantOp>(op)) {
        floating.map(op->getResult(0), floating.lookup(op->getOperand(0)));
        continue;
      }
      for (Value operand : op->getOperands())
        if (!floating.contains(operand))
          floating.map(operand, m.lookup(operand));
      b.setInsertionPoint(m.lookup(unit.layer->getResult(0)).getDefiningOp());
      b.clone(*op, floating);
    }
    Operation *layer = m.lookup(unit.layer->getResult(0)).getDefiningOp();
    b.setInsertionPoint(layer);
    Value x = layer->getOperand(0);
    Value xf = floating.lookup(unit.layer->getOperand(0));
    Value diff = SubOp::create(b, loc, layerInType, xf, x);
    Value kept = MulOp::create(b, loc, layerInType, keep, diff);
    Value mixed = AddOp::create(b, loc, layerInType, x, kept);
    layer->setOperand(0, mixed);
    b.setInsertionPointToEnd(body);
  }
  // The relaxed rounding of every AdaRound weight of the unit: the leaves.
  SmallVector<Value> offsets;
  for (FakeQuantOp wq : unit.weightQuants) {
    auto clone =
        cast<FakeQuantOp>(m.lookup(wq.getResult()).getDefiningOp());
    clone.setRelaxed(true);
    offsets.push_back(clone.getOffset());
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
  FailureOr<SmallVector<Value>> grads = differentiate(b, loss, offsets);
  if (failed(grads))
    return failure();

  // Adam on each V (BRECQ / QDrop: torch.optim.Adam, no weight decay), one
  // step counter per unit.
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
  for (auto [v, grad] : llvm::zip(offsets, *grads)) {
    auto vLoad = v.getDefiningOp<ml_program::GlobalLoadOp>();
    StringRef vName = vLoad.getGlobal().getRootReference().getValue();
    std::string layer = vName.drop_back(StringRef(".offset").size()).str();
    auto vType = cast<ShapedType>(v.getType());
    ml_program::GlobalOp expAvg = global(
        layer + ".exp_avg", vType, DenseElementsAttr::get(vType, 0.0f));
    ml_program::GlobalOp expAvgSq = global(
        layer + ".exp_avg_sq", vType, DenseElementsAttr::get(vType, 0.0f));
    Value mOld =
        ml_program::GlobalLoadOp::create(b, loc, vType, symbolOf(expAvg));
    Value vOld =
        ml_program::GlobalLoadOp::create(b, loc, vType, symbolOf(expAvgSq));
    auto update = AdamUpdateOp::create(
        b, loc, vType, vType, vType, v, grad, mOld, vOld, lr, step,
        b.getF64FloatAttr(0.9), b.getF64FloatAttr(0.999),
        b.getF64FloatAttr(1e-8), b.getF64FloatAttr(0.0));
    stores.push_back({symbolOf(expAvg), update.getNewExpAvg()});
    stores.push_back({symbolOf(expAvgSq), update.getNewExpAvgSq()});
    stores.push_back(
        {FlatSymbolRefAttr::get(vLoad.getGlobal().getRootReference()),
         update.getNewParam()});
  }
  for (auto [symbol, value] : stores)
    ml_program::GlobalStoreOp::create(b, loc, symbol, value);
  func::ReturnOp::create(b, loc, ValueRange{rec, regSum});
  std::string label = unit.name;
  if (unit.numLayers > 1)
    label += " (block of " + std::to_string(unit.numLayers) + " layers)";
  fn->setAttr("qnn.layer", b.getStringAttr(label));
  symbols.insert(fn);
  return success();
}

FailureOr<unsigned> ReconstructionBuilder::run() {
  if (qdrop && blocks)
    return emitError(module.getLoc(), "qnn-build-reconstruction: qdrop mixes "
                                      "a layer's input; it needs unit=layer");
  if (failed(blocks ? findBlocks() : findUnits()))
    return failure();
  for (Unit &unit : units)
    for (FakeQuantOp wq : unit.weightQuants)
      if (!hoistOffset(wq))
        return wq.emitError("qnn-build-reconstruction: the offset of the "
                            "AdaRound quantizer in unit '")
               << unit.name << "' is neither a constant nor a global";
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
        ReconstructionBuilder(module, fn, qdrop, unit == "block").run();
    if (failed(n))
      return signalPassFailure();
    numUnits += *n;
  }
};
} // namespace
