//===- Reconstruction.cpp - qnn-build-reconstruction: AdaRound steps ------===//
//
// Post-training reconstruction (AdaRound, Nagel et al. 2020, layer by
// layer): every conv2d / linear whose weight goes through an `adaround`
// fake_quant is a unit. The rounding variable V of each unit becomes a
// mutable global that @main reads, and for unit k the pass emits
//
//   @recon_data_k(%x) -> (%in, %target)
//       the unit's input in the quantized model (reading every unit's
//       current V) and the unit's output in the float model (every
//       fake_quant bypassed), for a batch of model inputs;
//   @recon_step_k(%in, %target, %lr, %beta, %lambda) -> (%rec, %reg)
//       one Adam step on V_k: the unit (its input quantizers, the weight
//       quantizer with relaxed rounding, the layer, a following relu) on
//       %in, rec = C * mse(out, target) (BRECQ's loss: summed over the
//       channels, averaged over the rest), reg = the rounding regularizer.
//
// A driver (qc, tools/qc/Reconstruct.cpp) runs the units in order, so the
// inputs of unit k see the rounding already chosen for the units before it
// (AdaRound's asymmetric reconstruction), then freezes the globals.
//
//===----------------------------------------------------------------------===//

#include "passes/Autodiff.h"
#include "passes/Calibration.h"
#include "passes/Names.h"
#include "passes/Passes.h"

#include "dialect/QnnOps.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

namespace qopt {
#define GEN_PASS_DEF_BUILDRECONSTRUCTIONPASS
#include "passes/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

namespace {
/// One conv2d / linear with an AdaRound weight quantizer.
struct Unit {
  Operation *layer;
  FakeQuantOp weightQuant;
  /// Ops between the unit's input and the layer (activation quantizers,
  /// pads), producer first.
  SmallVector<Operation *> inputChain;
  Value input;  // what @recon_step_k receives
  Operation *relu = nullptr;
  Value output; // the layer's result, or its relu's
  std::string name;
};

class ReconstructionBuilder {
public:
  ReconstructionBuilder(ModuleOp module, func::FuncOp forward, bool qdrop)
      : module(module), symbols(module), forward(forward),
        ctx(module.getContext()), qdrop(qdrop) {}

  FailureOr<unsigned> run();

private:
  LogicalResult findUnits();
  Value hoistOffset(Unit &unit);
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
  SmallVector<Unit> units;
};
} // namespace

static bool isLayer(Operation *op) { return isa<Conv2dOp, LinearOp>(op); }

LogicalResult ReconstructionBuilder::findUnits() {
  unsigned index = 0;
  WalkResult walk = forward.walk([&](Operation *op) -> WalkResult {
    if (!isLayer(op))
      return WalkResult::advance();
    unsigned layerIndex = index++;
    auto wq = op->getOperand(1).getDefiningOp<FakeQuantOp>();
    if (!wq || wq.getMethod() != QuantMethod::Adaround)
      return WalkResult::advance();
    Unit u;
    u.layer = op;
    u.weightQuant = wq;
    u.name = nameInLoc(op->getLoc());
    if (u.name.empty())
      u.name = "layer" + std::to_string(layerIndex);
    if (!wq.getInput().getDefiningOp<arith::ConstantOp>())
      return op->emitError("qnn-build-reconstruction: the weight of layer '")
             << u.name << "' is not a constant; reconstruction rounds "
             << "constant weights (fold batch norm and freeze first)";
    if (!wq.getOffset())
      return wq.emitError("qnn-build-reconstruction: the AdaRound quantizer "
                          "of layer '")
             << u.name << "' has no offset operand";
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
    u.output = op->getResult(0);
    Value result = op->getResult(0);
    if (result.hasOneUse() && isa<ReluOp>(*result.getUsers().begin())) {
      u.relu = *result.getUsers().begin();
      u.output = u.relu->getResult(0);
    }
    units.push_back(std::move(u));
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

ml_program::GlobalOp
ReconstructionBuilder::createGlobal(Location loc, const std::string &name,
                                    Type type, Attribute value, StringRef kind,
                                    StringRef layer) {
  return createStateGlobal(module, symbols, loc, name, type, value, kind,
                           layer);
}

/// Makes V_k a mutable global loaded by @main where the constant was.
Value ReconstructionBuilder::hoistOffset(Unit &unit) {
  FakeQuantOp fq = unit.weightQuant;
  Value offset = fq.getOffset();
  if (offset.getDefiningOp<ml_program::GlobalLoadOp>())
    return offset;
  auto constant = offset.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return {};
  ml_program::GlobalOp global =
      createGlobal(constant.getLoc(), unit.name + ".offset", offset.getType(),
                   constant.getValue(), "quant_param", unit.name);
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
  Location loc = unit.layer->getLoc();
  auto scalar = RankedTensorType::get({}, Float32Type::get(ctx));
  Type inType = unit.input.getType(), outType = unit.output.getType();
  Type layerInType = unit.layer->getOperand(0).getType();
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

  // The unit's ops, with the constants and global loads they read.
  IRMapping m;
  m.map(unit.input, in);
  SmallVector<Operation *> ops(unit.inputChain);
  FakeQuantOp unitQuant = unit.weightQuant;
  ops.push_back(unitQuant);
  ops.push_back(unit.layer);
  if (unit.relu)
    ops.push_back(unit.relu);
  for (Operation *op : ops) {
    for (Value operand : op->getOperands()) {
      if (m.contains(operand))
        continue;
      Operation *def = operand.getDefiningOp();
      if (!def || !isa<arith::ConstantOp, ml_program::GlobalLoadOp>(def))
        return op->emitError("qnn-build-reconstruction: layer '")
               << unit.name << "' reads a value that is neither its input "
               << "nor a constant; only a layer with its own quantizers can "
               << "be reconstructed alone";
      b.clone(*def, m);
    }
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
  auto weightQuant =
      cast<FakeQuantOp>(m.lookup(unitQuant.getResult()).getDefiningOp());
  weightQuant.setRelaxed(true);
  Value v = weightQuant.getOffset();
  Value out = m.lookup(unit.output);

  // rec = C * mean((out - target)^2): BRECQ's sum over channels, mean over
  // the batch (and pixels); with it, lambda = 0.01 weighs as in QDrop.
  auto mse = MseLossOp::create(b, loc, out, target);
  int64_t channels = cast<RankedTensorType>(outType).getDimSize(1);
  Value c = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(scalar, (float)channels));
  Value rec = MulOp::create(b, loc, scalar, mse.getLoss(), c);
  auto reg = AdaroundRegularizerOp::create(b, loc, v, beta, lambda);
  Value loss = AddOp::create(b, loc, scalar, rec, reg.getLoss());
  FailureOr<SmallVector<Value>> grads = differentiate(b, loss, {v});
  if (failed(grads))
    return failure();

  // Adam on V (BRECQ / QDrop: torch.optim.Adam, no weight decay).
  auto global = [&](StringRef suffix, Type type, Attribute value) {
    return createGlobal(loc, "recon." + unit.name + "." + suffix.str(), type,
                        value, "optimizer_state", unit.name);
  };
  auto vType = cast<ShapedType>(v.getType());
  ml_program::GlobalOp counter =
      global("step", scalar, DenseElementsAttr::get(scalar, 0.0f));
  ml_program::GlobalOp expAvg =
      global("exp_avg", vType, DenseElementsAttr::get(vType, 0.0f));
  ml_program::GlobalOp expAvgSq =
      global("exp_avg_sq", vType, DenseElementsAttr::get(vType, 0.0f));
  Value oldStep =
      ml_program::GlobalLoadOp::create(b, loc, scalar, symbolOf(counter));
  Value one = arith::ConstantOp::create(b, loc,
                                        DenseElementsAttr::get(scalar, 1.0f));
  Value step = AddOp::create(b, loc, scalar, oldStep, one);
  Value mOld = ml_program::GlobalLoadOp::create(b, loc, vType, symbolOf(expAvg));
  Value vOld =
      ml_program::GlobalLoadOp::create(b, loc, vType, symbolOf(expAvgSq));
  auto update = AdamUpdateOp::create(
      b, loc, vType, vType, vType, v, (*grads)[0], mOld, vOld, lr, step,
      b.getF64FloatAttr(0.9), b.getF64FloatAttr(0.999),
      b.getF64FloatAttr(1e-8), b.getF64FloatAttr(0.0));
  auto vLoad = v.getDefiningOp<ml_program::GlobalLoadOp>();
  ml_program::GlobalStoreOp::create(b, loc, symbolOf(counter), step);
  ml_program::GlobalStoreOp::create(b, loc, symbolOf(expAvg),
                                    update.getNewExpAvg());
  ml_program::GlobalStoreOp::create(b, loc, symbolOf(expAvgSq),
                                    update.getNewExpAvgSq());
  ml_program::GlobalStoreOp::create(
      b, loc, FlatSymbolRefAttr::get(vLoad.getGlobal().getRootReference()),
      update.getNewParam());
  func::ReturnOp::create(b, loc, ValueRange{rec, reg.getLoss()});
  fn->setAttr("qnn.layer", b.getStringAttr(unit.name));
  symbols.insert(fn);
  return success();
}

FailureOr<unsigned> ReconstructionBuilder::run() {
  if (failed(findUnits()))
    return failure();
  for (Unit &unit : units)
    if (!hoistOffset(unit))
      return unit.weightQuant.emitError("qnn-build-reconstruction: the "
                                        "offset of layer '")
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
    FailureOr<unsigned> n = ReconstructionBuilder(module, fn, qdrop).run();
    if (failed(n))
      return signalPassFailure();
    numUnits += *n;
  }
};
} // namespace
