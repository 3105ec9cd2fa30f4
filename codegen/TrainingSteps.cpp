//===- TrainingSteps.cpp - training ops to qrt backward kernels -----------===//
//
// The backward, loss and optimizer ops of qnn-autodiff / qnn-wrap-mode
// (docs/training.md) lowered to qrt's training kernels (TrainOps.h,
// BackwardConv.h, FakeQuant.h, Optimizer.h). Where the op's convention
// differs from qrt's (PyTorch's), the translation is here and nowhere else:
// batch-norm momentum (ONNX 0.9 = PyTorch 0.1), the zero-initialized SGD
// buffer, Adam's 1-based step operand.
//
// Value semantics: a kernel that updates in place (running statistics,
// optimizer steps) works on a copy, never on an operand tensor, which may
// be a global's current value that other steps still read.
//
//===----------------------------------------------------------------------===//

#include "codegen/Lowerings.h"
#include "dialect/QnnOps.h"

#include "runtime/BackwardConv.h"
#include "runtime/FakeQuant.h"
#include "runtime/Optimizer.h"
#include "runtime/Pool.h"
#include "runtime/TrainOps.h"

#include <map>

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

static constexpr unsigned kNoSlot = ~0u;

/// The static shape of `type` with dynamic dimensions taken from `like`
/// (a tensor of the same rank whose sizes are those of the run, e.g. dy for
/// the batch dimension).
static qrt::Shape runtimeShape(Type type, const qrt::Shape &like) {
  auto t = cast<RankedTensorType>(type);
  qrt::Shape s(t.getShape().begin(), t.getShape().end());
  for (size_t i = 0; i < s.size(); ++i)
    if (ShapedType::isDynamic(s[i]))
      s[i] = i < like.size() ? like[i] : 1;
  return s;
}

static qrt::Tensor scalarTensor(float v) {
  return qrt::Tensor::fromVector<float>({}, {v});
}

static float scalarValue(const qrt::Tensor &t) {
  return t.dtype() == qrt::DType::F32 && t.numel() == 1 ? t.data<float>()[0]
                                                        : 0.f;
}

//===-- Convolution and linear --------------------------------------------===//

/// One ConvBackwardPlan per (input shape, weight shape), created on first
/// use: the oneDNN backward primitives and their reorders are built once.
struct ConvBackwardCache {
  qrt::Conv2dParams params;
  std::map<std::pair<qrt::Shape, qrt::Shape>, qrt::ConvBackwardPlan> plans;
  qrt::Expected<const qrt::ConvBackwardPlan *> get(const qrt::Shape &in,
                                                   const qrt::Shape &w) {
    auto key = std::make_pair(in, w);
    auto it = plans.find(key);
    if (it == plans.end()) {
      qrt::Expected<qrt::ConvBackwardPlan> made =
          qrt::ConvBackwardPlan::create(in, w, /*withBias=*/false, params);
      if (!made)
        return made.status();
      it = plans.emplace(key, std::move(*made)).first;
    }
    return &it->second;
  }
};

static LogicalResult lowerConvGradInput(ExecutionPlan &plan,
                                        Conv2dGradInputOp op) {
  auto cache = std::make_shared<ConvBackwardCache>();
  cache->params = convParams(op.getStrides(), op.getDilations(), op.getPads(),
                             op.getGroups());
  unsigned dy = plan.slotOf(op.getOutputGrad()),
           w = plan.slotOf(op.getWeight()),
           dx = plan.slotOf(op.getInputGrad());
  Type xType = op.getInputGrad().getType();
  plan.addStep(op, [=](Frame &f) -> qrt::Status {
    qrt::Shape in = runtimeShape(xType, f[dy].shape());
    auto p = cache->get(in, f[w].shape());
    if (!p)
      return p.status();
    qrt::Tensor out = f.output(in, qrt::DType::F32);
    qrt::Status s = (*p)->backwardData(f[dy], f[w], out);
    f[dx] = std::move(out);
    return s;
  });
  return success();
}

static LogicalResult lowerConvGradWeight(ExecutionPlan &plan,
                                         Conv2dGradWeightOp op) {
  auto cache = std::make_shared<ConvBackwardCache>();
  cache->params = convParams(op.getStrides(), op.getDilations(), op.getPads(),
                             op.getGroups());
  unsigned dy = plan.slotOf(op.getOutputGrad()),
           x = plan.slotOf(op.getInput()), dw = plan.slotOf(op.getWeightGrad());
  qrt::Shape wShape =
      runtimeShape(op.getWeightGrad().getType(), /*like=*/{});
  plan.addStep(op, [=](Frame &f) -> qrt::Status {
    auto p = cache->get(f[x].shape(), wShape);
    if (!p)
      return p.status();
    qrt::Tensor out = f.output(wShape, qrt::DType::F32), noBias;
    qrt::Status s = (*p)->backwardWeights(f[x], f[dy], out, noBias);
    f[dw] = std::move(out);
    return s;
  });
  return success();
}

/// Σ dy over every axis but 1.
static LogicalResult lowerBiasGrad(ExecutionPlan &plan, BiasGradOp op) {
  unsigned dy = plan.slotOf(op.getOutputGrad()),
           db = plan.slotOf(op.getBiasGrad());
  plan.addStep(op, [=](Frame &f) -> qrt::Status {
    const qrt::Tensor &g = f[dy];
    if (g.rank() < 2)
      return qrt::invalidArgument("bias_grad needs rank >= 2");
    qrt::Shape keep(g.rank() - 1, 1);
    keep[0] = g.dim(1); // right-aligned: [C, 1, ..., 1]
    qrt::Tensor sum;
    QRT_RETURN_IF_ERROR(qrt::reduceSumToShape(g, keep, sum));
    qrt::Expected<qrt::Tensor> flat = sum.reshape({g.dim(1)});
    if (!flat)
      return flat.status();
    f[db] = std::move(*flat);
    return qrt::Status::ok();
  });
  return success();
}

static LogicalResult lowerLinearGradInput(ExecutionPlan &plan,
                                          LinearGradInputOp op) {
  unsigned dy = plan.slotOf(op.getOutputGrad()),
           w = plan.slotOf(op.getWeight()), dx = plan.slotOf(op.getInputGrad());
  Type xType = op.getInputGrad().getType();
  auto cache = std::make_shared<std::map<qrt::Shape, qrt::LinearBackwardPlan>>();
  plan.addStep(op, [=](Frame &f) -> qrt::Status {
    qrt::Shape in = runtimeShape(xType, f[dy].shape());
    auto it = cache->find(in);
    if (it == cache->end()) {
      auto made = qrt::LinearBackwardPlan::create(in, f[w].shape(), false);
      if (!made)
        return made.status();
      it = cache->emplace(in, std::move(*made)).first;
    }
    qrt::Tensor out = f.output(in, qrt::DType::F32);
    qrt::Status s = it->second.backwardData(f[dy], f[w], out);
    f[dx] = std::move(out);
    return s;
  });
  return success();
}

static LogicalResult lowerLinearGradWeight(ExecutionPlan &plan,
                                           LinearGradWeightOp op) {
  unsigned dy = plan.slotOf(op.getOutputGrad()),
           x = plan.slotOf(op.getInput()), dw = plan.slotOf(op.getWeightGrad());
  qrt::Shape wShape = runtimeShape(op.getWeightGrad().getType(), {});
  auto cache = std::make_shared<std::map<qrt::Shape, qrt::LinearBackwardPlan>>();
  plan.addStep(op, [=](Frame &f) -> qrt::Status {
    const qrt::Shape &in = f[x].shape();
    auto it = cache->find(in);
    if (it == cache->end()) {
      auto made = qrt::LinearBackwardPlan::create(in, wShape, false);
      if (!made)
        return made.status();
      it = cache->emplace(in, std::move(*made)).first;
    }
    qrt::Tensor out = f.output(wShape, qrt::DType::F32), noBias;
    qrt::Status s = it->second.backwardWeights(f[x], f[dy], out, noBias);
    f[dw] = std::move(out);
    return s;
  });
  return success();
}

//===-- Elementwise, pooling, data movement -------------------------------===//

/// A step computing `out = fn(frame)`; fn takes a recycled buffer from the
/// frame's pool when it knows the output shape (else the kernel allocates).
template <typename Fn>
static void addUnaryStep(ExecutionPlan &plan, Operation *op, Value result,
                         Fn fn) {
  unsigned r = plan.slotOf(result);
  plan.addStep(op, [=](Frame &f) -> qrt::Status {
    qrt::Tensor out;
    qrt::Status s = fn(f, out);
    f[r] = std::move(out);
    return s;
  });
}

/// True when `v` is available before `op` runs (a block argument or an
/// earlier op's result in the same block).
static bool definedBefore(Value v, Operation *op) {
  Operation *def = v.getDefiningOp();
  return !def ? cast<BlockArgument>(v).getOwner() == op->getBlock()
              : def->getBlock() == op->getBlock() && def->isBeforeInBlock(op);
}

/// pad_grad -> [add] -> relu_grad, the backward of a ResNet's
/// relu(conv(pad(x)) [+ shortcut]), as one pass
/// (qrt::padBackwardAddReluBackward) when each intermediate has that single
/// use and the add does not broadcast. The add and relu_grad are absorbed.
static LogicalResult lowerPadGradAddRelu(ExecutionPlan &plan, PadGradOp op) {
  Value v = op.getInputGrad();
  if (!v.hasOneUse())
    return failure();
  AddOp add = dyn_cast<AddOp>(*v.getUsers().begin());
  Value addend;
  if (add) {
    addend = add.getLhs() == v ? add.getRhs() : add.getLhs();
    if (addend == v || addend.getType() != v.getType() ||
        add.getType() != v.getType() || !definedBefore(addend, op))
      return failure();
    v = add.getResult();
    if (!v.hasOneUse())
      return failure();
  }
  auto relu = dyn_cast<ReluGradOp>(*v.getUsers().begin());
  if (!relu || relu.getOutputGrad() != v ||
      relu.getType() != op.getInputGrad().getType() ||
      !definedBefore(relu.getOutput(), op))
    return failure();
  std::vector<int64_t> pads(op.getPads().begin(), op.getPads().end());
  unsigned dy = plan.slotOf(op.getOutputGrad()),
           y = plan.slotOf(relu.getOutput()),
           a = addend ? plan.slotOf(addend) : kNoSlot;
  Type xType = op.getInputGrad().getType();
  if (add) {
    plan.absorb(add);
    plan.aliasSlot(add.getResult(), op.getInputGrad());
  }
  plan.absorb(relu);
  plan.aliasSlot(relu.getInputGrad(), op.getInputGrad());
  unsigned dx = plan.slotOf(op.getInputGrad());
  SmallVector<Value, 2> extra{relu.getOutput()};
  if (addend)
    extra.push_back(addend);
  plan.addStep(
      op,
      [=](Frame &f) -> qrt::Status {
        qrt::Shape xs = runtimeShape(xType, f[dy].shape());
        qrt::Tensor out = f.output(xs, qrt::DType::F32);
        qrt::Status s = qrt::padBackwardAddReluBackward(
            xs, pads, f[dy], a == kNoSlot ? nullptr : &f[a], f[y], out);
        f[dx] = std::move(out);
        return s;
      },
      extra);
  return success();
}

static LogicalResult lowerWindowGrad(ExecutionPlan &plan, Operation *op) {
  if (auto o = dyn_cast<ReluGradOp>(op)) {
    unsigned dy = plan.slotOf(o.getOutputGrad()), y = plan.slotOf(o.getOutput());
    addUnaryStep(plan, op, o.getInputGrad(), [=](Frame &f, qrt::Tensor &out) {
      out = f.output(f[y].shape(), qrt::DType::F32);
      return qrt::reluBackward(f[y], f[dy], out);
    });
    return success();
  }
  if (auto o = dyn_cast<ClipGradOp>(op)) {
    unsigned dy = plan.slotOf(o.getOutputGrad()), x = plan.slotOf(o.getInput());
    float lo = static_cast<float>(o.getMin().convertToDouble()),
          hi = static_cast<float>(o.getMax().convertToDouble());
    addUnaryStep(plan, op, o.getInputGrad(), [=](Frame &f, qrt::Tensor &out) {
      return qrt::clipBackward(f[x], lo, hi, f[dy], out);
    });
    return success();
  }
  if (auto o = dyn_cast<SliceOp>(op)) {
    // A slice is the backward of a zero pad: the window of the input at
    // [start, start + size) along its axis.
    unsigned in = plan.slotOf(o.getInput());
    int64_t axis = o.getAxis(), start = o.getStart();
    Type rType = o.getOutput().getType();
    addUnaryStep(plan, op, o.getOutput(), [=](Frame &f, qrt::Tensor &out) {
      const qrt::Tensor &x = f[in];
      qrt::Shape r = runtimeShape(rType, x.shape());
      std::vector<int64_t> pads(2 * x.rank(), 0);
      pads[axis] = start;
      pads[x.rank() + axis] = x.dim(axis) - start - r[axis];
      return qrt::padBackward(r, pads, x, out);
    });
    return success();
  }
  if (auto o = dyn_cast<MaxPoolGradOp>(op)) {
    qrt::Pool2dParams p = poolParams(o.getKernel(), o.getStrides(),
                                       o.getPads(), o.getCeilMode());
    p.dilationH = o.getDilations()[0];
    p.dilationW = o.getDilations()[1];
    unsigned dy = plan.slotOf(o.getOutputGrad()), x = plan.slotOf(o.getInput());
    addUnaryStep(plan, op, o.getInputGrad(), [=](Frame &f, qrt::Tensor &out) {
      out = f.output(f[x].shape(), qrt::DType::F32);
      return qrt::maxPool2dBackward(f[x], p, f[dy], out);
    });
    return success();
  }
  if (auto o = dyn_cast<AvgPoolGradOp>(op)) {
    qrt::Pool2dParams p = poolParams(o.getKernel(), o.getStrides(),
                                       o.getPads(), o.getCeilMode());
    p.countIncludePad = o.getCountIncludePad();
    unsigned dy = plan.slotOf(o.getOutputGrad());
    Type xType = o.getInputGrad().getType();
    addUnaryStep(plan, op, o.getInputGrad(), [=](Frame &f, qrt::Tensor &out) {
      qrt::Shape xs = runtimeShape(xType, f[dy].shape());
      out = f.output(xs, qrt::DType::F32);
      return qrt::avgPool2dBackward(xs, p, f[dy], out);
    });
    return success();
  }
  if (auto o = dyn_cast<GlobalAvgPoolGradOp>(op)) {
    unsigned dy = plan.slotOf(o.getOutputGrad());
    Type xType = o.getInputGrad().getType();
    addUnaryStep(plan, op, o.getInputGrad(), [=](Frame &f, qrt::Tensor &out) {
      qrt::Shape xs = runtimeShape(xType, f[dy].shape());
      out = f.output(xs, qrt::DType::F32);
      return qrt::globalAvgPoolBackward(xs, f[dy], out);
    });
    return success();
  }
  if (auto o = dyn_cast<PadGradOp>(op)) {
    std::vector<int64_t> pads(o.getPads().begin(), o.getPads().end());
    unsigned dy = plan.slotOf(o.getOutputGrad());
    Type xType = o.getInputGrad().getType();
    if (succeeded(lowerPadGradAddRelu(plan, o)))
      return success();
    addUnaryStep(plan, op, o.getInputGrad(), [=](Frame &f, qrt::Tensor &out) {
      qrt::Shape xs = runtimeShape(xType, f[dy].shape());
      out = f.output(xs, qrt::DType::F32);
      return qrt::padBackward(xs, pads, f[dy], out);
    });
    return success();
  }
  if (auto o = dyn_cast<ReduceToOp>(op)) {
    unsigned in = plan.slotOf(o.getInput());
    Type rType = o.getOutput().getType();
    addUnaryStep(plan, op, o.getOutput(), [=](Frame &f, qrt::Tensor &out) {
      // A dynamic result dimension kept its size (it was not broadcast).
      const qrt::Shape &g = f[in].shape();
      auto t = cast<RankedTensorType>(rType);
      qrt::Shape s(t.getShape().begin(), t.getShape().end());
      size_t off = g.size() - s.size();
      for (size_t i = 0; i < s.size(); ++i)
        if (ShapedType::isDynamic(s[i]))
          s[i] = g[off + i];
      out = f.output(s, qrt::DType::F32);
      return qrt::reduceSumToShape(f[in], s, out);
    });
    return success();
  }
  return failure();
}

//===-- Batch norm ---------------------------------------------------------===//

static LogicalResult lowerBatchNormTrain(ExecutionPlan &plan,
                                         BatchNormTrainOp op) {
  unsigned x = plan.slotOf(op.getInput()), g = plan.slotOf(op.getScale()),
           b = plan.slotOf(op.getBias()), rm = plan.slotOf(op.getRunningMean()),
           rv = plan.slotOf(op.getRunningVar());
  unsigned y = plan.slotOf(op.getOutput()),
           mean = plan.slotOf(op.getSavedMean()),
           invstd = plan.slotOf(op.getSavedInvstd()),
           newMean = plan.slotOf(op.getNewRunningMean()),
           newVar = plan.slotOf(op.getNewRunningVar());
  // ONNX momentum (weight of the running statistic) -> PyTorch's.
  float torchMomentum = 1.f - static_cast<float>(op.getMomentum().convertToDouble());
  float eps = static_cast<float>(op.getEpsilon().convertToDouble());
  plan.addStep(op, [=](Frame &f) -> qrt::Status {
    qrt::Tensor runMean = f[rm].clone(), runVar = f[rv].clone();
    qrt::Tensor out = f.output(f[x].shape(), qrt::DType::F32), sm, si;
    QRT_RETURN_IF_ERROR(qrt::batchNormTrainForward(
        f[x], f[g], f[b], runMean, runVar, torchMomentum, eps, out, sm, si));
    f[y] = std::move(out);
    f[mean] = std::move(sm);
    f[invstd] = std::move(si);
    f[newMean] = std::move(runMean);
    f[newVar] = std::move(runVar);
    return qrt::Status::ok();
  });
  return success();
}

static LogicalResult lowerBatchNormGrad(ExecutionPlan &plan,
                                        BatchNormGradOp op) {
  unsigned dy = plan.slotOf(op.getOutputGrad()), x = plan.slotOf(op.getInput()),
           g = plan.slotOf(op.getScale()), mean = plan.slotOf(op.getSavedMean()),
           invstd = plan.slotOf(op.getSavedInvstd());
  unsigned dx = plan.slotOf(op.getInputGrad()),
           dg = plan.slotOf(op.getScaleGrad()),
           db = plan.slotOf(op.getBiasGrad());
  plan.addStep(op, [=](Frame &f) -> qrt::Status {
    qrt::Tensor outX = f.output(f[x].shape(), qrt::DType::F32), outG, outB;
    QRT_RETURN_IF_ERROR(qrt::batchNormTrainBackward(
        f[x], f[g], f[mean], f[invstd], f[dy], outX, outG, outB));
    f[dx] = std::move(outX);
    f[dg] = std::move(outG);
    f[db] = std::move(outB);
    return qrt::Status::ok();
  });
  return success();
}

//===-- Losses -------------------------------------------------------------===//

static LogicalResult lowerLoss(ExecutionPlan &plan, Operation *op) {
  bool ce = isa<SoftmaxCrossEntropyOp>(op);
  unsigned a = plan.slotOf(op->getOperand(0)), b = plan.slotOf(op->getOperand(1));
  unsigned loss = plan.slotOf(op->getResult(0)),
           grad = plan.slotOf(op->getResult(1));
  plan.addStep(op, [=](Frame &f) -> qrt::Status {
    float value = 0.f;
    qrt::Tensor g = f.output(f[a].shape(), qrt::DType::F32);
    QRT_RETURN_IF_ERROR(ce ? qrt::softmaxCrossEntropy(f[a], f[b], value, g)
                           : qrt::mseLoss(f[a], f[b], value, g));
    f[loss] = scalarTensor(value);
    f[grad] = std::move(g);
    return qrt::Status::ok();
  });
  return success();
}

static LogicalResult lowerAdaroundRegularizer(ExecutionPlan &plan,
                                              AdaroundRegularizerOp op) {
  unsigned v = plan.slotOf(op.getOffset()), beta = plan.slotOf(op.getBeta()),
           lambda = plan.slotOf(op.getLambda());
  unsigned loss = plan.slotOf(op.getLoss()),
           grad = plan.slotOf(op.getOffsetGrad());
  plan.addStep(op, [=](Frame &f) -> qrt::Status {
    float value = 0.f;
    qrt::Tensor g = f.output(f[v].shape(), qrt::DType::F32);
    QRT_RETURN_IF_ERROR(qrt::adaroundRegularizer(
        f[v], scalarValue(f[beta]), scalarValue(f[lambda]), value, g));
    f[loss] = scalarTensor(value);
    f[grad] = std::move(g);
    return qrt::Status::ok();
  });
  return success();
}

//===-- fake_quant_grad ----------------------------------------------------===//

static qrt::GradType gradTypeOf(GradType t) {
  switch (t) {
  case GradType::ClippedSte:
    return qrt::GradType::ClippedSte;
  case GradType::Triangle:
    return qrt::GradType::Triangle;
  default:
    return qrt::GradType::Ste;
  }
}

/// LSQ's step-size gradient scale: the seeds' keyword, or by default the
/// paper's g = 1/sqrt(N·Qp) with N the elements per group of one sample
/// (weights: the group's weights; activations: features per sample).
static float lsqGradScale(GradScale mode, const qrt::Tensor &x,
                          qrt::Granularity g, bool weight, float qp) {
  double perGroup = static_cast<double>(x.numel()) / g.numGroups;
  double perSample =
      weight || x.rank() == 0 ? perGroup : perGroup / std::max<int64_t>(1, x.dim(0));
  double fan = x.rank() > 1 ? static_cast<double>(x.numel()) / x.dim(0) : 1.0;
  switch (mode) {
  case GradScale::None:
    return qrt::qmath::gradScaleFactor(qrt::GradScaleMode::Lsq, fan, perSample,
                                       qp);
  case GradScale::FanScale:
    return qrt::qmath::gradScaleFactor(qrt::GradScaleMode::FanScale, fan,
                                       perGroup, qp);
  case GradScale::ScaleFan:
    return qrt::qmath::gradScaleFactor(qrt::GradScaleMode::ScaleFan, fan,
                                       perGroup, qp);
  case GradScale::ElementScale:
    return qrt::qmath::gradScaleFactor(qrt::GradScaleMode::ElementScale, fan,
                                       perGroup, qp);
  case GradScale::ScaleElement:
    return qrt::qmath::gradScaleFactor(qrt::GradScaleMode::ScaleElement, fan,
                                       perGroup, qp);
  }
  return 1.f;
}

/// dx and the learned parameters' gradients of one method.
using QuantGradFn = std::function<qrt::Status(
    const qrt::Tensor &x, const qrt::Tensor *params[5], qrt::Granularity g,
    const qrt::Tensor &dy, qrt::Tensor &dx, std::vector<qrt::Tensor> &dparams)>;

static FailureOr<QuantGradFn> quantGradFnFor(FakeQuantGradOp op) {
  int bits = op.getBits();
  qrt::QuantRange range =
      qrt::QuantRange::fromBits(bits, !op.getHalfRange(), op.getNarrow());
  bool weight = op.getRole() == QuantRole::Weight;
  bool signedCodes = !op.getHalfRange(); // LQ-Nets' codes, as the forward
  qrt::GradType gt = gradTypeOf(op.getGrad());
  GradScale gs = op.getGradScale();
  enum { kScale, kZeroPoint, kClip, kBasis, kOffset };
  switch (op.getMethod()) {
  case QuantMethod::Uniform:
    return QuantGradFn([=](auto &x, auto p, auto g, auto &dy, auto &dx, auto &) {
      return qrt::fakeQuantAffineBackward(x, *p[kScale], *p[kZeroPoint], range,
                                          g, dy, dx);
    });
  case QuantMethod::Lsq:
    return QuantGradFn([=](auto &x, auto p, auto g, auto &dy, auto &dx,
                           auto &dp) {
      float scale = lsqGradScale(gs, x, g, weight, range.qmax);
      dp.resize(1);
      return qrt::lsqBackward(x, *p[kScale], -range.qmin, range.qmax, g, scale,
                              dy, dx, dp[0]);
    });
  case QuantMethod::LsqPlus:
    return QuantGradFn([=](auto &x, auto p, auto g, auto &dy, auto &dx,
                           auto &dp) {
      float scale = lsqGradScale(gs, x, g, weight, range.qmax);
      dp.resize(2);
      return qrt::lsqPlusBackward(x, *p[kScale], *p[kZeroPoint], -range.qmin,
                                  range.qmax, g, scale, dy, dx, dp[0], dp[1]);
    });
  case QuantMethod::Pact:
    return QuantGradFn([=](auto &x, auto p, auto g, auto &dy, auto &dx,
                           auto &dp) {
      dp.resize(1);
      return qrt::pactBackward(x, *p[kClip], g, dy, dx, dp[0]);
    });
  case QuantMethod::Dorefa:
    if (weight)
      return QuantGradFn([=](auto &x, auto, auto g, auto &dy, auto &dx,
                             auto &) {
        return qrt::dorefaWeightBackward(x, bits, g, /*maxAsConstant=*/false,
                                         dy, dx);
      });
    return QuantGradFn([=](auto &x, auto p, auto, auto &dy, auto &dx, auto &) {
      float clip = p[kClip] ? scalarValue(*p[kClip]) : 1.f;
      return qrt::dorefaActivationBackward(x, clip, dy, dx);
    });
  case QuantMethod::Xnor:
    if (weight)
      return QuantGradFn([=](auto &x, auto, auto g, auto &dy, auto &dx,
                             auto &) {
        return qrt::xnorWeightBackward(x, g, gt, /*scaleByAlpha=*/true, dy, dx);
      });
    return QuantGradFn([=](auto &x, auto, auto, auto &dy, auto &dx, auto &) {
      return qrt::signActivationBackward(x, gt, dy, dx);
    });
  case QuantMethod::XnorPlusPlus:
    return QuantGradFn([=](auto &x, auto p, auto g, auto &dy, auto &dx,
                           auto &dp) {
      dp.resize(1);
      return qrt::xnorWeightScaledBackward(x, *p[kScale], g, gt, dy, dx, dp[0]);
    });
  case QuantMethod::Lqnet:
    if (weight)
      return QuantGradFn([=](auto &, auto, auto, auto &dy, auto &dx, auto &) {
        return qrt::lqnetBackward(dy, dx);
      });
    return QuantGradFn([=](auto &x, auto p, auto g, auto &dy, auto &dx,
                           auto &) -> qrt::Status {
      qrt::Expected<qrt::Tensor> basis = lqBasisRows(*p[kBasis], g);
      if (!basis)
        return basis.status();
      return qrt::lqnetActivationBackward(x, *basis, signedCodes, g, dy, dx);
    });
  case QuantMethod::NonUniform:
    return QuantGradFn([=](auto &x, auto p, auto, auto &dy, auto &dx,
                           auto &dp) {
      dp.resize(1);
      return qrt::nonUniformBackward(x, *p[kClip], dy, dx, dp[0]);
    });
  case QuantMethod::Adaround:
    return QuantGradFn([=](auto &x, auto p, auto g, auto &dy, auto &dx,
                           auto &dp) {
      // The rounding offsets get the gradient; w is fixed (dx = 0).
      qrt::Tensor zero;
      const qrt::Tensor &z = p[kZeroPoint] ? *p[kZeroPoint] : zero;
      dp.resize(1);
      dx = qrt::Tensor::zeros(x.shape(), qrt::DType::F32);
      return qrt::adaroundBackward(x, *p[kScale], z, *p[kOffset], range, g, dy,
                                   dp[0]);
    });
  }
  return failure();
}

static LogicalResult lowerFakeQuantGrad(ExecutionPlan &plan,
                                        FakeQuantGradOp op) {
  if (op.getAdaptive() != Adaptive::None)
    return op.emitError("qrun: adaptive normalization is not supported by the "
                        "interpreter yet");
  FailureOr<QuantGradFn> fn = quantGradFnFor(op);
  if (failed(fn))
    return op.emitError("qrun: unsupported fake_quant method");
  unsigned x = plan.slotOf(op.getInput()), dy = plan.slotOf(op.getOutputGrad()),
           dx = plan.slotOf(op.getInputGrad());
  QuantParamSlots params = QuantParamSlots::of(plan, op);
  std::vector<unsigned> grads;
  std::vector<qrt::Shape> gradShapes;
  for (Value g : op.getParamGrads()) {
    grads.push_back(plan.slotOf(g));
    gradShapes.push_back(runtimeShape(g.getType(), {}));
  }
  plan.addStep(op, [=, fn = *fn](Frame &f) -> qrt::Status {
    const qrt::Tensor &in = f[x];
    qrt::Granularity g = params.granularity(in);
    const qrt::Tensor *p[5];
    params.bind(f, p);
    // dx has x's shape for every method.
    qrt::Tensor out = f.output(in.shape(), qrt::DType::F32);
    std::vector<qrt::Tensor> dparams;
    QRT_RETURN_IF_ERROR(fn(in, p, g, f[dy], out, dparams));
    if (dparams.size() != grads.size())
      return qrt::invalidArgument("fake_quant_grad: the method gives " +
                                  std::to_string(dparams.size()) +
                                  " parameter gradient(s), the op has " +
                                  std::to_string(grads.size()));
    f[dx] = std::move(out);
    for (size_t i = 0; i < grads.size(); ++i) {
      // Per-group gradients come as [numGroups]; give them the operand's
      // shape (e.g. a scalar tensor<f32> scale).
      qrt::Expected<qrt::Tensor> shaped = dparams[i].reshape(gradShapes[i]);
      if (!shaped)
        return shaped.status();
      f[grads[i]] = std::move(*shaped);
    }
    return qrt::Status::ok();
  });
  return success();
}

/// LQ-Nets' QEM step on a copy of the basis (the operand may be a global's
/// current value, which the fake_quant of the same step reads).
static LogicalResult lowerLqnetBasisUpdate(ExecutionPlan &plan,
                                           LqnetBasisUpdateOp op) {
  unsigned x = plan.slotOf(op.getInput()), v = plan.slotOf(op.getBasis()),
           out = plan.slotOf(op.getNewBasis());
  bool signedCodes = !op.getHalfRange();
  float momentum = static_cast<float>(op.getMomentum().convertToDouble());
  std::optional<int64_t> axis = op.getAxis(), groups = op.getGroups();
  plan.addStep(op, [=](Frame &f) -> qrt::Status {
    qrt::Granularity g = granularityOf(axis, groups, f[x]);
    qrt::Tensor basis = f[v].clone();
    qrt::Expected<qrt::Tensor> rows = lqBasisRows(basis, g);
    if (!rows)
      return rows.status();
    // The [numGroups, K] view shares basis's storage.
    QRT_RETURN_IF_ERROR(
        qrt::lqnetBasisUpdate(f[x], *rows, signedCodes, g, momentum));
    f[out] = std::move(basis);
    return qrt::Status::ok();
  });
  return success();
}

//===-- Optimizers ---------------------------------------------------------===//

static LogicalResult lowerSgd(ExecutionPlan &plan, SgdUpdateOp op) {
  qrt::SgdOptions o;
  o.momentum = static_cast<float>(op.getMomentum().convertToDouble());
  o.dampening = static_cast<float>(op.getDampening().convertToDouble());
  o.nesterov = op.getNesterov();
  o.weightDecay = static_cast<float>(op.getWeightDecay().convertToDouble());
  unsigned p = plan.slotOf(op.getParam()), g = plan.slotOf(op.getGrad()),
           buf = plan.slotOf(op.getMomentumBuffer()), lr = plan.slotOf(op.getLr());
  unsigned np = plan.slotOf(op.getNewParam()),
           nbuf = plan.slotOf(op.getNewMomentumBuffer());
  plan.addStep(op, [=](Frame &f) -> qrt::Status {
    qrt::SgdOptions opts = o;
    opts.lr = scalarValue(f[lr]);
    qrt::Tensor param = f[p].clone();
    qrt::SgdState state;
    // With momentum 0 the buffer is returned unchanged (and not read).
    state.momentumBuffer = o.momentum > 0.f ? f[buf].clone() : qrt::Tensor();
    QRT_RETURN_IF_ERROR(qrt::sgdStep(param, f[g], state, opts));
    f[np] = std::move(param);
    f[nbuf] = o.momentum > 0.f ? std::move(state.momentumBuffer) : f[buf];
    return qrt::Status::ok();
  });
  return success();
}

static LogicalResult lowerAdam(ExecutionPlan &plan, AdamUpdateOp op) {
  qrt::AdamOptions o;
  o.beta1 = static_cast<float>(op.getBeta1().convertToDouble());
  o.beta2 = static_cast<float>(op.getBeta2().convertToDouble());
  o.eps = static_cast<float>(op.getEpsilon().convertToDouble());
  o.weightDecay = static_cast<float>(op.getWeightDecay().convertToDouble());
  unsigned p = plan.slotOf(op.getParam()), g = plan.slotOf(op.getGrad()),
           m = plan.slotOf(op.getExpAvg()), v = plan.slotOf(op.getExpAvgSq()),
           lr = plan.slotOf(op.getLr()), step = plan.slotOf(op.getStep());
  unsigned np = plan.slotOf(op.getNewParam()), nm = plan.slotOf(op.getNewExpAvg()),
           nv = plan.slotOf(op.getNewExpAvgSq());
  plan.addStep(op, [=](Frame &f) -> qrt::Status {
    qrt::AdamOptions opts = o;
    opts.lr = scalarValue(f[lr]);
    qrt::Tensor param = f[p].clone();
    qrt::AdamState state;
    state.expAvg = f[m].clone();
    state.expAvgSq = f[v].clone();
    // The operand is this update's 1-based number; adamStep increments.
    state.step = static_cast<int64_t>(scalarValue(f[step])) - 1;
    QRT_RETURN_IF_ERROR(qrt::adamStep(param, f[g], state, opts));
    f[np] = std::move(param);
    f[nm] = std::move(state.expAvg);
    f[nv] = std::move(state.expAvgSq);
    return qrt::Status::ok();
  });
  return success();
}

LogicalResult qopt::lowerTrainingOp(ExecutionPlan &plan, Operation *op,
                                    bool &handled) {
  handled = true;
  if (auto o = dyn_cast<Conv2dGradInputOp>(op))
    return lowerConvGradInput(plan, o);
  if (auto o = dyn_cast<Conv2dGradWeightOp>(op))
    return lowerConvGradWeight(plan, o);
  if (auto o = dyn_cast<BiasGradOp>(op))
    return lowerBiasGrad(plan, o);
  if (auto o = dyn_cast<LinearGradInputOp>(op))
    return lowerLinearGradInput(plan, o);
  if (auto o = dyn_cast<LinearGradWeightOp>(op))
    return lowerLinearGradWeight(plan, o);
  if (isa<ReluGradOp, ClipGradOp, SliceOp, MaxPoolGradOp, AvgPoolGradOp,
          GlobalAvgPoolGradOp, PadGradOp, ReduceToOp>(op))
    return lowerWindowGrad(plan, op);
  if (auto o = dyn_cast<BatchNormTrainOp>(op))
    return lowerBatchNormTrain(plan, o);
  if (auto o = dyn_cast<BatchNormGradOp>(op))
    return lowerBatchNormGrad(plan, o);
  if (isa<SoftmaxCrossEntropyOp, MseLossOp>(op))
    return lowerLoss(plan, op);
  if (auto o = dyn_cast<AdaroundRegularizerOp>(op))
    return lowerAdaroundRegularizer(plan, o);
  if (auto o = dyn_cast<FakeQuantGradOp>(op))
    return lowerFakeQuantGrad(plan, o);
  if (auto o = dyn_cast<LqnetBasisUpdateOp>(op))
    return lowerLqnetBasisUpdate(plan, o);
  if (auto o = dyn_cast<SgdUpdateOp>(op))
    return lowerSgd(plan, o);
  if (auto o = dyn_cast<AdamUpdateOp>(op))
    return lowerAdam(plan, o);
  handled = false;
  return failure();
}
