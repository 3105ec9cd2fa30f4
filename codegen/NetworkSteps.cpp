//===- NetworkSteps.cpp - float network ops to qrt calls ------------------===//

#include "codegen/Lowerings.h"
#include "dialect/QnnOps.h"

#include "runtime/Conv.h"
#include "runtime/Elementwise.h"
#include "runtime/Pool.h"

#include "llvm/ADT/TypeSwitch.h"

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

/// Builds the step of a layer backed by a oneDNN plan (conv or linear). Plans
/// are made on first sight of an input shape (the batch size may vary) and
/// kept when the weights are constants, so weights are reordered once.
template <typename PlanT, typename MakePlan>
static void addPlannedStep(ExecutionPlan &plan, Operation *op, Value input,
                           Value weight, Value bias, Value output,
                           MakePlan make) {
  unsigned x = plan.slotOf(input), w = plan.slotOf(weight);
  unsigned b = bias ? plan.slotOf(bias) : kNoSlot;
  unsigned y = plan.slotOf(output);
  bool cacheable = plan.isConstant(weight) && (!bias || plan.isConstant(bias));
  auto cache = std::make_shared<std::map<qrt::Shape, PlanT>>();
  plan.addStep(op, [=](Frame &f) -> qrt::Status {
    const qrt::Tensor &in = f[x];
    auto it = cache->find(in.shape());
    if (it == cache->end()) {
      qrt::Expected<PlanT> made =
          make(in.shape(), f[w], b == kNoSlot ? qrt::Tensor() : f[b]);
      if (!made)
        return made.status();
      if (!cacheable)
        cache->clear();
      it = cache->emplace(in.shape(), std::move(*made)).first;
    }
    qrt::Tensor out;
    qrt::Status s = it->second.run(in, out);
    f[y] = std::move(out);
    if (!cacheable)
      cache->clear();
    return s;
  });
}

static LogicalResult lowerConv(ExecutionPlan &plan, Conv2dOp conv) {
  if (succeeded(lowerExactQuantizedLayer(plan, conv)))
    return success();
  qrt::Conv2dParams p;
  ArrayRef<int64_t> s = conv.getStrides(), d = conv.getDilations(),
                    pads = conv.getPads();
  p.strideH = s[0];
  p.strideW = s[1];
  p.dilationH = d[0];
  p.dilationW = d[1];
  p.padTop = pads[0];
  p.padLeft = pads[1];
  p.padBottom = pads[2];
  p.padRight = pads[3];
  p.groups = conv.getGroups();
  // Decide fusion before creating the step: the relu's slot aliases ours.
  p.fuseRelu = fuseTrailingRelu(plan, conv.getResult());
  addPlannedStep<qrt::ConvPlan>(
      plan, conv, conv.getInput(), conv.getWeight(), conv.getBias(),
      conv.getResult(),
      [p](const qrt::Shape &in, const qrt::Tensor &w, const qrt::Tensor &b) {
        return qrt::ConvPlan::create(in, w, b, p);
      });
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
template <typename Fn>
static void addUnary(ExecutionPlan &plan, Operation *op, Fn fn) {
  unsigned x = plan.slotOf(op->getOperand(0));
  unsigned y = plan.slotOf(op->getResult(0));
  plan.addStep(op, [=](Frame &f) {
    qrt::Tensor out;
    qrt::Status s = fn(f[x], out);
    f[y] = std::move(out);
    return s;
  });
}

/// A step `y = fn(a, b)` for an op with two operands and one result.
template <typename Fn>
static void addBinary(ExecutionPlan &plan, Operation *op, Fn fn) {
  unsigned a = plan.slotOf(op->getOperand(0));
  unsigned b = plan.slotOf(op->getOperand(1));
  unsigned y = plan.slotOf(op->getResult(0));
  plan.addStep(op, [=](Frame &f) {
    qrt::Tensor out;
    qrt::Status s = fn(f[a], f[b], out);
    f[y] = std::move(out);
    return s;
  });
}

static qrt::Pool2dParams poolParams(ArrayRef<int64_t> kernel,
                                    ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> pads, bool ceilMode) {
  qrt::Pool2dParams p;
  p.kernelH = kernel[0];
  p.kernelW = kernel[1];
  p.strideH = strides[0];
  p.strideW = strides[1];
  p.padTop = pads[0];
  p.padLeft = pads[1];
  p.padBottom = pads[2];
  p.padRight = pads[3];
  p.ceilMode = ceilMode;
  return p;
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
        addUnary(plan, o, qrt::relu);
        return success();
      })
      .Case([&](SigmoidOp o) {
        addUnary(plan, o, qrt::sigmoid);
        return success();
      })
      .Case([&](HardSwishOp o) {
        addUnary(plan, o, qrt::hardSwish);
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
        addBinary(plan, o, qrt::add);
        return success();
      })
      .Case([&](SubOp o) {
        addBinary(plan, o, qrt::sub);
        return success();
      })
      .Case([&](MulOp o) {
        addBinary(plan, o, qrt::mul);
        return success();
      })
      .Case([&](DivOp o) {
        addBinary(plan, o, qrt::div);
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
