//===- NetworkSteps.cpp - float network ops to qrt calls ------------------===//

#include "codegen/Lowerings.h"
#include "dialect/QnnOps.h"

#include "runtime/Conv.h"
#include "runtime/Elementwise.h"
#include "runtime/Pool.h"
#include "runtime/ShapeOps.h"

#include "llvm/ADT/TypeSwitch.h"


using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

/// If `v`'s only user is a qnn.relu, fuses it: the relu's result shares v's
/// slot and the relu gets no step of its own.
static bool fuseTrailingRelu(ExecutionPlan &plan, Value v) {
  if (!v.hasOneUse())
    return false;
  auto relu = dyn_cast<ReluOp>(*v.getUsers().begin());
  if (!relu)
    return false;
  plan.absorb(relu);
  plan.aliasSlot(relu.getResult(), v);
  return true;
}

//===----------------------------------------------------------------------===//
// Conv fusion and activation layout
//
// A conv2d whose only user is an add (the residual add of a ResNet block)
// computes the add itself through oneDNN's sum post-op when the add's other
// operand (the addend) is already computed when the conv runs; a relu or a
// clip (ReLU6) that is
// the add's only user is fused too. The conv's output buffer is prefilled
// with the addend (or, when the addend dies at the add and nothing else
// shares its buffer, *is* the addend's buffer).
//
// Values produced by convs whose every user is a conv (as input) or a fused
// add (as addend) are kept channels-last (NHWC, stored as [N, H, W, C]): the
// oneDNN kernels work in NHWC, so no layout reorder runs between such convs.
// Every other value stays NCHW; the only conversions are prefills of an
// addend whose layout differs from its conv's output.
//===----------------------------------------------------------------------===//

namespace {
struct ConvFusion {
  AddOp add;      // fused residual add, or null
  Value addend;   // the add's other operand
  Operation *act = nullptr; // fused relu or clip (after the add, if any)
  Value result;   // the value the conv's step finally writes
};
} // namespace

static bool isF32Rank4(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getRank() == 4 && t.getElementType().isF32();
}

/// True when `conv` takes the fp32 ConvPlan path of lowerConv (not the
/// exact fake-quantized one, whose operands are fake_quant results; this is
/// conservative: any fake-quantized operand excludes the conv).
static bool isPlainFloatConv(Conv2dOp conv) {
  return !conv.getInput().getDefiningOp<FakeQuantOp>() &&
         !conv.getWeight().getDefiningOp<FakeQuantOp>();
}

/// The fusions of `conv` (pure: the producer and its consumers agree).
static ConvFusion fusionOf(Conv2dOp conv) {
  ConvFusion f;
  Value v = conv.getResult();
  f.result = v;
  if (!v.hasOneUse() || !isPlainFloatConv(conv))
    return f;
  Operation *user = *v.getUsers().begin();
  if (auto add = dyn_cast<AddOp>(user)) {
    if (!isF32Rank4(v))
      return f;
    Value other = add.getLhs() == v ? add.getRhs() : add.getLhs();
    Operation *def = other.getDefiningOp();
    // The addend must exist when the conv runs and must not broadcast.
    if (other.getType() == v.getType() && add.getType() == v.getType() &&
        (!def || (def->getBlock() == conv->getBlock() &&
                  def->isBeforeInBlock(conv)))) {
      f.add = add;
      f.addend = other;
      v = add.getResult();
      f.result = v;
    } else {
      return f;
    }
  }
  if (v.hasOneUse()) {
    Operation *act = *v.getUsers().begin();
    if (isa<ReluOp, ClipOp>(act)) {
      f.act = act;
      f.result = act->getResult(0);
    }
  }
  return f;
}

/// Elementwise ops of one operand that run on a tensor in any layout: a
/// value between convs that passes through them (MobileNet's ReLU6 clip)
/// stays channels-last.
static bool isLayoutFreeUnary(Operation *op) {
  return isa<ClipOp, ReluOp, LeakyReluOp, HardSwishOp, HardSigmoidOp,
             SigmoidOp, SiluOp>(op) &&
         op->getNumOperands() == 1 && op->getNumResults() == 1 &&
         op->getOperand(0).getType() == op->getResult(0).getType();
}

/// True when every user of `v` takes it channels-last: a conv (as input), an
/// add fused into a conv (as addend; not after a layout-free op, whose
/// result then follows the conv's output layout as before), or a
/// layout-free unary op whose result is taken so in turn.
static bool usersTakeChannelsLast(Value v, bool viaUnary = false) {
  if (!isF32Rank4(v) || v.use_empty())
    return false;
  for (OpOperand &use : v.getUses()) {
    Operation *user = use.getOwner();
    if (auto c = dyn_cast<Conv2dOp>(user)) {
      if (use.getOperandNumber() != 0 || !isPlainFloatConv(c))
        return false;
      continue;
    }
    if (auto add = dyn_cast<AddOp>(user); add && !viaUnary) {
      // v must be the addend of an add fused into a conv.
      Value other = add.getLhs() == v ? add.getRhs() : add.getLhs();
      auto c = other.getDefiningOp<Conv2dOp>();
      if (other != v && c && fusionOf(c).add == add)
        continue;
    }
    if (isLayoutFreeUnary(user) &&
        usersTakeChannelsLast(user->getResult(0), /*viaUnary=*/true))
      continue;
    return false;
  }
  return true;
}

/// True when `conv`'s step writes its output channels-last.
static bool writesChannelsLast(Conv2dOp conv) {
  if (!isPlainFloatConv(conv))
    return false;
  return usersTakeChannelsLast(fusionOf(conv).result);
}

/// The conv whose step writes `v` (its result, fused add or fused relu).
static Conv2dOp producerConv(Value v) {
  Operation *def = v.getDefiningOp();
  if (!def)
    return {};
  if (auto c = dyn_cast<Conv2dOp>(def))
    return c;
  if (isa<ReluOp, ClipOp>(def)) {
    if (auto c = def->getOperand(0).getDefiningOp<Conv2dOp>())
      return c;
    def = def->getOperand(0).getDefiningOp();
  }
  if (auto add = dyn_cast_or_null<AddOp>(def))
    for (Value operand : add->getOperands())
      if (auto c = operand.getDefiningOp<Conv2dOp>())
        if (fusionOf(c).add == add)
          return c;
  return {};
}

/// True when `v` is held channels-last at run time.
static bool isChannelsLast(Value v) {
  Conv2dOp conv = producerConv(v);
  if (conv && fusionOf(conv).result == v)
    return writesChannelsLast(conv);
  // A layout-free op keeps its operand's layout.
  Operation *def = v.getDefiningOp();
  return def && isLayoutFreeUnary(def) && isChannelsLast(def->getOperand(0));
}

namespace step = qrt::exec::step;

static LogicalResult lowerConv(ExecutionPlan &plan, Conv2dOp conv) {
  if (succeeded(lowerBinaryConv(plan, conv)))
    return success();
  if (succeeded(lowerLqLayer(plan, conv)))
    return success();
  if (succeeded(lowerExactQuantizedLayer(plan, conv)))
    return success();
  qrt::exec::ConvF32 p;
  p.conv = convParams(conv.getStrides(), conv.getDilations(), conv.getPads(),
                      conv.getGroups());
  p.conv.srcChannelsLast = isChannelsLast(conv.getInput());
  p.conv.dstChannelsLast = writesChannelsLast(conv);
  p.constWeights = plan.isConstant(conv.getWeight()) &&
                   (!conv.getBias() || plan.isConstant(conv.getBias()));
  // Decide fusion before creating the step: the fused ops' results alias
  // the conv's slot.
  ConvFusion fusion = fusionOf(conv);
  if (!isPlainFloatConv(conv))
    p.conv.fuseRelu = fuseTrailingRelu(plan, conv.getResult());
  if (fusion.add) {
    plan.absorb(fusion.add);
    plan.aliasSlot(fusion.add.getResult(), conv.getResult());
    p.conv.fuseSum = true;
    // The output buffer starts as the addend, in the output's layout.
    p.addendChannelsLast = isChannelsLast(fusion.addend);
  }
  if (fusion.act) {
    plan.absorb(fusion.act);
    plan.aliasSlot(fusion.act->getResult(0), conv.getResult());
    if (auto clip = dyn_cast<ClipOp>(fusion.act)) {
      p.conv.fuseClip = true;
      p.conv.clipMin = (float)clip.getMin().convertToDouble();
      p.conv.clipMax = (float)clip.getMax().convertToDouble();
    } else {
      p.conv.fuseRelu = true;
    }
  }
  plan.addCall(conv, step::conv2d,
               {conv.getInput(), conv.getWeight(), conv.getBias(),
                fusion.addend},
               {conv.getResult()}, p);
  return success();
}

static LogicalResult lowerLinear(ExecutionPlan &plan, LinearOp linear) {
  if (succeeded(lowerLqLayer(plan, linear)))
    return success();
  if (succeeded(lowerExactQuantizedLayer(plan, linear)))
    return success();
  if (cast<RankedTensorType>(linear.getInput().getType()).getRank() != 2)
    return linear.emitError("linear on rank ")
           << cast<RankedTensorType>(linear.getInput().getType()).getRank()
           << " input is not supported yet (flatten to 2-D first)";
  qrt::exec::LinearF32 p;
  p.relu = fuseTrailingRelu(plan, linear.getResult());
  p.constWeights = plan.isConstant(linear.getWeight()) &&
                   (!linear.getBias() || plan.isConstant(linear.getBias()));
  plan.addCall(linear, step::linear,
               {linear.getInput(), linear.getWeight(), linear.getBias()},
               {linear.getResult()}, p);
  return success();
}

/// A kernel call over all of `op`'s operands and results.
template <typename P>
static LogicalResult addOpCall(ExecutionPlan &plan, Operation *op,
                               qrt::exec::Step (*make)(qrt::exec::StepIO, P),
                               P params = P()) {
  plan.addCall(op, make, SmallVector<Value>(op->getOperands()),
               SmallVector<Value>(op->getResults()), std::move(params));
  return success();
}

LogicalResult qopt::lowerNetworkOp(ExecutionPlan &plan, Operation *op,
                                   bool &handled) {
  handled = true;
  using qrt::exec::NoParams;
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](Conv2dOp o) { return lowerConv(plan, o); })
      .Case([&](LinearOp o) { return lowerLinear(plan, o); })
      .Case([&](MatmulOp o) { return addOpCall(plan, o, step::matmul); })
      .Case([&](BatchNormOp o) {
        return addOpCall(plan, o, step::batch_norm,
                         {(float)o.getEpsilon().convertToDouble()});
      })
      .Case([&](ReluOp o) { return addOpCall(plan, o, step::relu); })
      .Case([&](SigmoidOp o) { return addOpCall(plan, o, step::sigmoid); })
      .Case([&](HardSwishOp o) { return addOpCall(plan, o, step::hard_swish); })
      .Case([&](SiluOp o) { return addOpCall(plan, o, step::silu); })
      .Case([&](GeluOp o) {
        return addOpCall(plan, o, step::gelu, {o.getApproximate() == "tanh"});
      })
      .Case([&](ErfOp o) { return addOpCall(plan, o, step::erf); })
      .Case([&](SqrtOp o) { return addOpCall(plan, o, step::sqrt); })
      .Case([&](TanhOp o) { return addOpCall(plan, o, step::tanh); })
      .Case([&](PowOp o) {
        return addOpCall(plan, o, step::pow,
                         {(float)o.getExponent().convertToDouble()});
      })
      .Case([&](ExpandOp o) {
        return addOpCall(plan, o, step::expand,
                         {std::vector<int64_t>(o.getAxes().begin(),
                                               o.getAxes().end())});
      })
      .Case([&](LayerNormOp o) {
        return addOpCall(plan, o, step::layer_norm,
                         {(int64_t)o.getAxis(),
                          (float)o.getEpsilon().convertToDouble()});
      })
      .Case([&](GroupNormOp o) {
        return addOpCall(plan, o, step::group_norm,
                         {(int64_t)o.getNumGroups(),
                          (float)o.getEpsilon().convertToDouble()});
      })
      .Case([&](HardSigmoidOp o) {
        return addOpCall(plan, o, step::hard_sigmoid,
                         {(float)o.getAlpha().convertToDouble(),
                          (float)o.getBeta().convertToDouble()});
      })
      .Case([&](LeakyReluOp o) {
        return addOpCall(plan, o, step::leaky_relu,
                         {(float)o.getAlpha().convertToDouble()});
      })
      .Case([&](ClipOp o) {
        return addOpCall(plan, o, step::clip,
                         {(float)o.getMin().convertToDouble(),
                          (float)o.getMax().convertToDouble()});
      })
      .Case([&](SoftmaxOp o) {
        return addOpCall(plan, o, step::softmax, {(int64_t)o.getAxis()});
      })
      .Case([&](PreluOp o) { return addOpCall(plan, o, step::prelu); })
      .Case([&](AddOp o) { return addOpCall(plan, o, step::add); })
      .Case([&](SubOp o) { return addOpCall(plan, o, step::sub); })
      .Case([&](MulOp o) { return addOpCall(plan, o, step::mul); })
      .Case([&](DivOp o) { return addOpCall(plan, o, step::div); })
      .Case([&](MaxPoolOp o) {
        qrt::Pool2dParams p = poolParams(o.getKernel(), o.getStrides(),
                                         o.getPads(), o.getCeilMode());
        p.dilationH = o.getDilations()[0];
        p.dilationW = o.getDilations()[1];
        return addOpCall(plan, o, step::max_pool, p);
      })
      .Case([&](AvgPoolOp o) {
        qrt::Pool2dParams p = poolParams(o.getKernel(), o.getStrides(),
                                         o.getPads(), o.getCeilMode());
        p.countIncludePad = o.getCountIncludePad();
        return addOpCall(plan, o, step::avg_pool, p);
      })
      .Case([&](GlobalAvgPoolOp o) {
        return addOpCall(plan, o, step::global_avg_pool);
      })
      .Case([&](ReduceMeanOp o) {
        return addOpCall(plan, o, step::reduce_mean,
                         {std::vector<int64_t>(o.getAxes().begin(),
                                               o.getAxes().end()),
                          o.getKeepdims()});
      })
      .Default([&](Operation *) {
        handled = false;
        return success();
      });
}
