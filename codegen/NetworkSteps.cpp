//===- NetworkSteps.cpp - float network ops to qrt calls ------------------===//

#include "codegen/Lowerings.h"
#include "dialect/QnnOps.h"

#include "runtime/Conv.h"
#include "runtime/Elementwise.h"
#include "runtime/Pool.h"
#include "runtime/ShapeOps.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cstring>
#include <map>
#include <memory>

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

static constexpr unsigned kNoSlot = ~0u;

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
// operand (the addend) is already computed when the conv runs; a relu that is
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
  ReluOp relu;    // fused relu (after the add, if any)
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
  if (v.hasOneUse())
    if (auto relu = dyn_cast<ReluOp>(*v.getUsers().begin())) {
      f.relu = relu;
      f.result = relu.getResult();
    }
  return f;
}

/// True when `conv`'s step writes its output channels-last.
static bool writesChannelsLast(Conv2dOp conv) {
  if (conv.getGroups() != 1 || !isPlainFloatConv(conv))
    return false;
  Value v = fusionOf(conv).result;
  if (!isF32Rank4(v) || v.use_empty())
    return false;
  for (OpOperand &use : v.getUses()) {
    Operation *user = use.getOwner();
    if (auto c = dyn_cast<Conv2dOp>(user)) {
      if (use.getOperandNumber() != 0 || c.getGroups() != 1 ||
          !isPlainFloatConv(c))
        return false;
      continue;
    }
    if (auto add = dyn_cast<AddOp>(user)) {
      // v must be the addend of an add fused into a conv.
      Value other = add.getLhs() == v ? add.getRhs() : add.getLhs();
      auto c = other.getDefiningOp<Conv2dOp>();
      if (other != v && c && fusionOf(c).add == add)
        continue;
    }
    return false;
  }
  return true;
}

/// The conv whose step writes `v` (its result, fused add or fused relu).
static Conv2dOp producerConv(Value v) {
  Operation *def = v.getDefiningOp();
  if (!def)
    return {};
  if (auto c = dyn_cast<Conv2dOp>(def))
    return c;
  if (auto relu = dyn_cast<ReluOp>(def)) {
    if (auto c = relu.getInput().getDefiningOp<Conv2dOp>())
      return c;
    def = relu.getInput().getDefiningOp();
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
  return conv && fusionOf(conv).result == v && writesChannelsLast(conv);
}

/// Builds the step of a layer backed by a oneDNN plan (conv or linear). Plans
/// are made on first sight of an input shape (the batch size may vary) and
/// kept; with constant weights they are reordered once, otherwise on every
/// call (updateWeights), without rebuilding the primitive.
template <typename PlanT, typename MakePlan>
static void addPlannedStep(ExecutionPlan &plan, Operation *op, Value input,
                           Value weight, Value bias, Value output,
                           MakePlan make) {
  addPlannedStep<PlanT>(plan, op, input, weight, bias, output, make,
                        [](Frame &f, const PlanT &p, qrt::Tensor &out) {
                          out = f.output(p.outputShape(), qrt::DType::F32);
                          return qrt::Status::ok();
                        });
}

/// As above; `prepare` makes the output tensor the plan runs into.
template <typename PlanT, typename MakePlan, typename Prepare>
static void addPlannedStep(ExecutionPlan &plan, Operation *op, Value input,
                           Value weight, Value bias, Value output,
                           MakePlan make, Prepare prepare,
                           ArrayRef<Value> extraReads = {}) {
  unsigned x = plan.slotOf(input), w = plan.slotOf(weight);
  unsigned b = bias ? plan.slotOf(bias) : kNoSlot;
  unsigned y = plan.slotOf(output);
  bool cacheable = plan.isConstant(weight) && (!bias || plan.isConstant(bias));
  auto cache = std::make_shared<std::map<qrt::Shape, PlanT>>();
  plan.addStep(op, [=](Frame &f) -> qrt::Status {
    const qrt::Tensor &in = f[x];
    const qrt::Tensor noBias, &bias = b == kNoSlot ? noBias : f[b];
    auto it = cache->find(in.shape());
    if (it == cache->end()) {
      qrt::Expected<PlanT> made = make(in.shape(), f[w], bias);
      if (!made)
        return made.status();
      it = cache->emplace(in.shape(), std::move(*made)).first;
    } else if (!cacheable) {
      // Weights computed at run time (a global, a fake_quant in training):
      // keep the primitive, reorder only the new weights.
      QRT_RETURN_IF_ERROR(it->second.updateWeights(f[w], bias));
    }
    qrt::Tensor out;
    qrt::Status s = prepare(f, it->second, out);
    if (s)
      s = it->second.run(in, out);
    f[y] = std::move(out);
    return s;
  }, extraReads);
}

static LogicalResult lowerConv(ExecutionPlan &plan, Conv2dOp conv) {
  if (succeeded(lowerExactQuantizedLayer(plan, conv)))
    return success();
  qrt::Conv2dParams p =
      convParams(conv.getStrides(), conv.getDilations(), conv.getPads(),
                 conv.getGroups());
  p.srcChannelsLast = isChannelsLast(conv.getInput());
  p.dstChannelsLast = writesChannelsLast(conv);
  // Decide fusion before creating the step: the fused ops' results alias
  // the conv's slot.
  ConvFusion fusion = fusionOf(conv);
  if (!isPlainFloatConv(conv))
    p.fuseRelu = fuseTrailingRelu(plan, conv.getResult());
  if (fusion.add) {
    plan.absorb(fusion.add);
    plan.aliasSlot(fusion.add.getResult(), conv.getResult());
    p.fuseSum = true;
  }
  if (fusion.relu) {
    plan.absorb(fusion.relu);
    plan.aliasSlot(fusion.relu.getResult(), conv.getResult());
    p.fuseRelu = true;
  }
  auto make = [p](const qrt::Shape &in, const qrt::Tensor &w,
                  const qrt::Tensor &b) {
    return qrt::ConvPlan::create(in, w, b, p);
  };
  if (!fusion.add) {
    addPlannedStep<qrt::ConvPlan>(plan, conv, conv.getInput(),
                                  conv.getWeight(), conv.getBias(),
                                  conv.getResult(), make);
    return success();
  }
  // The output buffer starts as the addend, in the output's layout.
  unsigned addend = plan.slotOf(fusion.addend);
  unsigned x = plan.slotOf(conv.getInput());
  bool addendCL = isChannelsLast(fusion.addend), dstCL = p.dstChannelsLast;
  auto prepare = [=](Frame &f, const qrt::ConvPlan &cp,
                     qrt::Tensor &out) -> qrt::Status {
    qrt::Tensor &a = f[addend];
    if (addendCL == dstCL) {
      if (a.shape() != cp.outputShape() || a.dtype() != qrt::DType::F32)
        return qrt::invalidArgument(
            "fused residual add: addend " + qrt::shapeToString(a.shape()) +
            " does not match the conv output " +
            qrt::shapeToString(cp.outputShape()));
      // Accumulate in place into a dead addend nobody else references.
      if (addend != x && f.diesHere(addend) && a.uniquelyOwned()) {
        out = std::move(a);
        return qrt::Status::ok();
      }
      out = f.output(a.shape(), a.dtype());
      QRT_RETURN_IF_ERROR(
          qrt::prepareOutput(out, a.shape(), a.dtype(), "fused residual add"));
      std::memcpy(out.rawData(), a.rawData(), a.nbytes());
      return qrt::Status::ok();
    }
    std::vector<int64_t> perm = dstCL ? std::vector<int64_t>{0, 2, 3, 1}
                                      : std::vector<int64_t>{0, 3, 1, 2};
    out = f.output(cp.outputShape(), qrt::DType::F32);
    return qrt::transpose(a, perm, out);
  };
  addPlannedStep<qrt::ConvPlan>(plan, conv, conv.getInput(), conv.getWeight(),
                                conv.getBias(), conv.getResult(), make,
                                prepare, {fusion.addend});
  return success();
}

static LogicalResult lowerLinear(ExecutionPlan &plan, LinearOp linear) {
  if (succeeded(lowerExactQuantizedLayer(plan, linear)))
    return success();
  if (cast<RankedTensorType>(linear.getInput().getType()).getRank() != 2)
    return linear.emitError("qrun: linear on rank ")
           << cast<RankedTensorType>(linear.getInput().getType()).getRank()
           << " input is not supported yet (flatten to 2-D first)";
  bool relu = fuseTrailingRelu(plan, linear.getResult());
  addPlannedStep<qrt::LinearPlan>(
      plan, linear, linear.getInput(), linear.getWeight(), linear.getBias(),
      linear.getResult(),
      [relu](const qrt::Shape &in, const qrt::Tensor &w, const qrt::Tensor &b) {
        return qrt::LinearPlan::create(in, w, b, relu);
      });
  return success();
}

/// A step `y = fn(x)` for an op with one operand and one result.
/// `elementwise`: y has x's shape and dtype (its buffer can be recycled).
template <typename Fn>
static void addUnary(ExecutionPlan &plan, Operation *op, Fn fn,
                     bool elementwise = false) {
  unsigned x = plan.slotOf(op->getOperand(0));
  unsigned y = plan.slotOf(op->getResult(0));
  plan.addStep(op, [=](Frame &f) {
    const qrt::Tensor &in = f[x];
    qrt::Tensor out = elementwise && in.defined()
                          ? f.output(in.shape(), in.dtype())
                          : qrt::Tensor();
    qrt::Status s = fn(in, out);
    f[y] = std::move(out);
    return s;
  });
}

/// A step `y = fn(a, b)` for an op with two operands and one result.
/// `elementwise`: with equal operand shapes, y has a's shape and dtype.
template <typename Fn>
static void addBinary(ExecutionPlan &plan, Operation *op, Fn fn,
                      bool elementwise = false) {
  unsigned a = plan.slotOf(op->getOperand(0));
  unsigned b = plan.slotOf(op->getOperand(1));
  unsigned y = plan.slotOf(op->getResult(0));
  plan.addStep(op, [=](Frame &f) {
    const qrt::Tensor &l = f[a], &r = f[b];
    qrt::Tensor out = elementwise && l.defined() && r.defined() &&
                              l.shape() == r.shape() &&
                              l.dtype() == qrt::DType::F32 &&
                              r.dtype() == qrt::DType::F32
                          ? f.output(l.shape(), l.dtype())
                          : qrt::Tensor();
    qrt::Status s = fn(l, r, out);
    f[y] = std::move(out);
    return s;
  });
}

LogicalResult qopt::lowerNetworkOp(ExecutionPlan &plan, Operation *op,
                                   bool &handled) {
  handled = true;
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](Conv2dOp o) { return lowerConv(plan, o); })
      .Case([&](LinearOp o) { return lowerLinear(plan, o); })
      .Case([&](MatmulOp o) {
        addBinary(plan, o, qrt::matmul);
        return success();
      })
      .Case([&](BatchNormOp o) {
        unsigned x = plan.slotOf(o.getInput()), g = plan.slotOf(o.getScale()),
                 b = plan.slotOf(o.getBias()), m = plan.slotOf(o.getMean()),
                 v = plan.slotOf(o.getVariance()), y = plan.slotOf(o);
        float eps = o.getEpsilon().convertToDouble();
        plan.addStep(o, [=](Frame &f) {
          qrt::Tensor out;
          qrt::Status s = qrt::batchNorm(f[x], f[g], f[b], f[m], f[v], eps, out);
          f[y] = std::move(out);
          return s;
        });
        return success();
      })
      .Case([&](ReluOp o) {
        addUnary(plan, o, qrt::relu, /*elementwise=*/true);
        return success();
      })
      .Case([&](SigmoidOp o) {
        addUnary(plan, o, qrt::sigmoid, /*elementwise=*/true);
        return success();
      })
      .Case([&](HardSwishOp o) {
        addUnary(plan, o, qrt::hardSwish, /*elementwise=*/true);
        return success();
      })
      .Case([&](HardSigmoidOp o) {
        float alpha = o.getAlpha().convertToDouble(),
              beta = o.getBeta().convertToDouble();
        addUnary(plan, o, [=](const qrt::Tensor &x, qrt::Tensor &y) {
          return qrt::hardSigmoid(x, alpha, beta, y);
        });
        return success();
      })
      .Case([&](LeakyReluOp o) {
        float alpha = o.getAlpha().convertToDouble();
        addUnary(plan, o, [=](const qrt::Tensor &x, qrt::Tensor &y) {
          return qrt::leakyRelu(x, alpha, y);
        });
        return success();
      })
      .Case([&](ClipOp o) {
        float lo = o.getMin().convertToDouble(),
              hi = o.getMax().convertToDouble();
        addUnary(plan, o, [=](const qrt::Tensor &x, qrt::Tensor &y) {
          return qrt::clip(x, lo, hi, y);
        });
        return success();
      })
      .Case([&](SoftmaxOp o) {
        int64_t axis = o.getAxis();
        addUnary(plan, o, [=](const qrt::Tensor &x, qrt::Tensor &y) {
          return qrt::softmax(x, axis, y);
        });
        return success();
      })
      .Case([&](PreluOp o) {
        addBinary(plan, o, qrt::prelu);
        return success();
      })
      .Case([&](AddOp o) {
        addBinary(plan, o, qrt::add, /*elementwise=*/true);
        return success();
      })
      .Case([&](SubOp o) {
        addBinary(plan, o, qrt::sub, /*elementwise=*/true);
        return success();
      })
      .Case([&](MulOp o) {
        addBinary(plan, o, qrt::mul, /*elementwise=*/true);
        return success();
      })
      .Case([&](DivOp o) {
        addBinary(plan, o, qrt::div, /*elementwise=*/true);
        return success();
      })
      .Case([&](MaxPoolOp o) {
        qrt::Pool2dParams p = poolParams(o.getKernel(), o.getStrides(),
                                         o.getPads(), o.getCeilMode());
        p.dilationH = o.getDilations()[0];
        p.dilationW = o.getDilations()[1];
        addUnary(plan, o, [=](const qrt::Tensor &x, qrt::Tensor &y) {
          return qrt::maxPool2d(x, p, y);
        });
        return success();
      })
      .Case([&](AvgPoolOp o) {
        qrt::Pool2dParams p = poolParams(o.getKernel(), o.getStrides(),
                                         o.getPads(), o.getCeilMode());
        p.countIncludePad = o.getCountIncludePad();
        addUnary(plan, o, [=](const qrt::Tensor &x, qrt::Tensor &y) {
          return qrt::avgPool2d(x, p, y);
        });
        return success();
      })
      .Case([&](GlobalAvgPoolOp o) {
        addUnary(plan, o, qrt::globalAvgPool);
        return success();
      })
      .Default([&](Operation *) {
        handled = false;
        return success();
      });
}
