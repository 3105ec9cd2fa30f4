//===- ExecTrain.cpp - backward, loss, optimizer and state kernels --------===//
//
// The kernels of @train_step (qnn-autodiff, qnn-wrap-mode{mode=qat}):
// backward ops, losses, optimizer updates and the global_load / store of
// the training state. Conventions that differ between qnn and qrt
// (PyTorch's) were translated when the plan was built (batch-norm momentum,
// Adam's 1-based step), so the parameters here are qrt's.
//
// Value semantics: a kernel that updates in place (running statistics,
// optimizer steps, LQ-Nets' basis) works on a copy, never on an operand,
// which may be a global's current value that other steps still read.
//
//===----------------------------------------------------------------------===//

#include "runtime/BackwardConv.h"
#include "runtime/Collective.h"
#include "runtime/ExecKernel.h"
#include "runtime/FakeQuant.h"
#include "runtime/TrainOps.h"

#include <algorithm>

using namespace qrt;
using namespace qrt::exec;

/// `shape` with its -1 dimensions taken from `like` (the same position), or
/// 1 where `like` is shorter.
static Shape resolve(Shape shape, const Shape &like) {
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] < 0)
      shape[i] = i < like.size() ? like[i] : 1;
  return shape;
}

static Tensor scalar(float v) { return Tensor::fromVector<float>({}, {v}); }

static float scalarValue(const Tensor &t) {
  return t.dtype() == DType::F32 && t.numel() == 1 ? t.data<float>()[0] : 0.f;
}

/// The input gradient of shape `xs` (f32): computed by `fn(dx)` into the
/// step's output buffer.
template <typename Fn>
static Status inputGrad(Context &ctx, const StepIO &io, const Shape &xs,
                        Fn fn) {
  Tensor dx = ctx.output(io.out[0], xs, DType::F32);
  Status s = fn(dx);
  ctx[io.out[0]] = std::move(dx);
  return s;
}

//===-- Convolution and linear --------------------------------------------===//

namespace {
/// The oneDNN backward primitives of a conv, per (input, weight) shape.
struct ConvBackwardCache {
  std::map<std::pair<Shape, Shape>, ConvBackwardPlan> plans;
  Expected<const ConvBackwardPlan *> get(const Shape &in, const Shape &w,
                                         const Conv2dParams &conv) {
    auto key = std::make_pair(in, w);
    auto it = plans.find(key);
    if (it == plans.end()) {
      Expected<ConvBackwardPlan> made =
          ConvBackwardPlan::create(in, w, /*withBias=*/false, conv);
      if (!made)
        return made.status();
      it = plans.emplace(key, std::move(*made)).first;
    }
    return &it->second;
  }
};

/// The oneDNN backward primitives of a linear layer, per input shape.
struct LinearBackwardCache {
  PlanCache<LinearBackwardPlan> plans;
  Expected<const LinearBackwardPlan *> get(const Shape &in, const Shape &w) {
    auto it = plans.find(in);
    if (it == plans.end()) {
      Expected<LinearBackwardPlan> made =
          LinearBackwardPlan::create(in, w, /*withBias=*/false);
      if (!made)
        return made.status();
      it = plans.emplace(in, std::move(*made)).first;
    }
    return &it->second;
  }
};
} // namespace

/// dx of a conv / linear step, in = {dy, w}: its backward plan from the
/// step's `Cache` (made for the input shape on first use; `extra` are the
/// plan's parameters).
template <typename Cache, typename... Extra>
static Status dataGrad(Context &ctx, const StepIO &io, const Shape &shape,
                       const Extra &...extra) {
  const Tensor &dy = ctx[io.in[0]], &w = ctx[io.in[1]];
  Shape in = resolve(shape, dy.shape());
  auto plan = ctx.state<Cache>(io).get(in, w.shape(), extra...);
  if (!plan)
    return plan.status();
  return inputGrad(ctx, io, in, [&](Tensor &dx) {
    return (*plan)->backwardData(dy, w, dx);
  });
}

/// dw of a conv / linear step, in = {dy, x}.
template <typename Cache, typename... Extra>
static Status weightGrad(Context &ctx, const StepIO &io, const Shape &shape,
                         const Extra &...extra) {
  const Tensor &dy = ctx[io.in[0]], &x = ctx[io.in[1]];
  Shape wShape = resolve(shape, {});
  auto plan = ctx.state<Cache>(io).get(x.shape(), wShape, extra...);
  if (!plan)
    return plan.status();
  Tensor dw = ctx.output(io.out[0], wShape, DType::F32), noBias;
  Status s = (*plan)->backwardWeights(x, dy, dw, noBias);
  ctx[io.out[0]] = std::move(dw);
  return s;
}

QRT_DEFINE_KERNEL(conv2d_grad_input, ConvGradParams) {
  return dataGrad<ConvBackwardCache>(ctx, io, p.shape, p.conv);
}

QRT_DEFINE_KERNEL(conv2d_grad_weight, ConvGradParams) {
  return weightGrad<ConvBackwardCache>(ctx, io, p.shape, p.conv);
}

QRT_DEFINE_KERNEL(linear_grad_input, ShapeParams) {
  return dataGrad<LinearBackwardCache>(ctx, io, p.shape);
}

QRT_DEFINE_KERNEL(linear_grad_weight, ShapeParams) {
  return weightGrad<LinearBackwardCache>(ctx, io, p.shape);
}

/// Σ dy over every axis but 1.
QRT_DEFINE_KERNEL(bias_grad, NoParams) {
  const Tensor &dy = ctx[io.in[0]];
  if (dy.rank() < 2)
    return invalidArgument("bias_grad needs rank >= 2");
  Shape keep(dy.rank() - 1, 1);
  keep[0] = dy.dim(1); // right-aligned: [C, 1, ..., 1]
  Tensor sum;
  QRT_RETURN_IF_ERROR(reduceSumToShape(dy, keep, sum));
  Expected<Tensor> flat = sum.reshape({dy.dim(1)});
  if (!flat)
    return flat.status();
  ctx[io.out[0]] = std::move(*flat);
  return Status::ok();
}

//===-- Elementwise, pooling, data movement -------------------------------===//

/// in = {dy, y (the relu's output)}.
QRT_DEFINE_KERNEL(relu_grad, NoParams) {
  const Tensor &dy = ctx[io.in[0]], &y = ctx[io.in[1]];
  return inputGrad(ctx, io, y.shape(),
                   [&](Tensor &dx) { return reluBackward(y, dy, dx); });
}

/// in = {dy, x}.
QRT_DEFINE_KERNEL(clip_grad, ClipParams) {
  Tensor dx;
  Status s = clipBackward(ctx[io.in[1]], p.lo, p.hi, ctx[io.in[0]], dx);
  ctx[io.out[0]] = std::move(dx);
  return s;
}

QRT_DEFINE_KERNEL(slice, SliceParams) {
  const Tensor &x = ctx[io.in[0]];
  Shape r = resolve(p.shape, x.shape());
  if (p.axis < 0 || p.axis >= x.rank() || p.start < 0 ||
      p.start + r[p.axis] > x.dim(p.axis))
    return invalidArgument("slice [" + std::to_string(p.start) + ", " +
                           std::to_string(p.start + r[p.axis]) +
                           ") of axis " + std::to_string(p.axis) +
                           " is outside " + shapeToString(x.shape()));
  std::vector<int64_t> pads(2 * x.rank(), 0);
  pads[p.axis] = p.start;
  pads[x.rank() + p.axis] = x.dim(p.axis) - p.start - r[p.axis];
  // Into the arena where the plan placed the result (ArenaPlan: Fresh).
  Tensor out = ctx.output(io.out[0], r, x.dtype());
  Status s = padBackward(r, pads, x, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

/// in = {dy, x}.
QRT_DEFINE_KERNEL(max_pool_grad, PoolGradParams) {
  const Tensor &dy = ctx[io.in[0]], &x = ctx[io.in[1]];
  return inputGrad(ctx, io, x.shape(), [&](Tensor &dx) {
    return maxPool2dBackward(x, p.pool, dy, dx);
  });
}

QRT_DEFINE_KERNEL(avg_pool_grad, PoolGradParams) {
  const Tensor &dy = ctx[io.in[0]];
  Shape xs = resolve(p.shape, dy.shape());
  return inputGrad(ctx, io, xs, [&](Tensor &dx) {
    return avgPool2dBackward(xs, p.pool, dy, dx);
  });
}

QRT_DEFINE_KERNEL(global_avg_pool_grad, ShapeParams) {
  const Tensor &dy = ctx[io.in[0]];
  Shape xs = resolve(p.shape, dy.shape());
  return inputGrad(ctx, io, xs, [&](Tensor &dx) {
    return globalAvgPoolBackward(xs, dy, dx);
  });
}

QRT_DEFINE_KERNEL(pad_grad, PadGradParams) {
  const Tensor &dy = ctx[io.in[0]];
  Shape xs = resolve(p.shape, dy.shape());
  return inputGrad(ctx, io, xs, [&](Tensor &dx) {
    return padBackward(xs, p.pads, dy, dx);
  });
}

/// pad_grad -> [add addend] -> relu_grad in one pass. in = {dy, relu
/// output, addend?}.
QRT_DEFINE_KERNEL(pad_grad_add_relu, PadGradParams) {
  const Tensor &dy = ctx[io.in[0]], &y = ctx[io.in[1]];
  Slot addend = optionalIn(io, 2);
  Shape xs = resolve(p.shape, dy.shape());
  return inputGrad(ctx, io, xs, [&](Tensor &dx) {
    return padBackwardAddReluBackward(
        xs, p.pads, dy, addend == kNoSlot ? nullptr : &ctx[addend], y, dx);
  });
}

/// Σ of the input down to `shape` (broadcast's backward). A dynamic result
/// dimension keeps the input's size (it was not broadcast); dimensions are
/// right-aligned.
QRT_DEFINE_KERNEL(reduce_to, ShapeParams) {
  const Tensor &in = ctx[io.in[0]];
  const Shape &g = in.shape();
  if (p.shape.size() > g.size())
    return invalidArgument("reduce_to " + shapeToString(p.shape) +
                           " has more dimensions than its input " +
                           shapeToString(g));
  Shape s = p.shape;
  size_t off = g.size() - s.size();
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] < 0)
      s[i] = g[off + i];
  Tensor out = ctx.output(io.out[0], s, DType::F32);
  Status st = reduceSumToShape(in, s, out);
  ctx[io.out[0]] = std::move(out);
  return st;
}

//===-- Batch norm ---------------------------------------------------------===//

QRT_DEFINE_KERNEL(batch_norm_train, BatchNormTrainParams) {
  const Tensor &x = ctx[io.in[0]];
  Tensor runMean = ctx[io.in[3]].clone(), runVar = ctx[io.in[4]].clone();
  Tensor y = ctx.output(io.out[0], x.shape(), DType::F32), mean, invstd;
  QRT_RETURN_IF_ERROR(batchNormTrainForward(
      x, ctx[io.in[1]], ctx[io.in[2]], runMean, runVar, p.momentum, p.epsilon,
      y, mean, invstd, p.sync ? collective() : nullptr));
  ctx[io.out[0]] = std::move(y);
  ctx[io.out[1]] = std::move(mean);
  ctx[io.out[2]] = std::move(invstd);
  ctx[io.out[3]] = std::move(runMean);
  ctx[io.out[4]] = std::move(runVar);
  return Status::ok();
}

/// in = {dy, x, scale, saved mean, saved invstd}; out = {dx, dscale, dbias}.
QRT_DEFINE_KERNEL(batch_norm_grad, BatchNormGradParams) {
  const Tensor &x = ctx[io.in[1]];
  Tensor dx = ctx.output(io.out[0], x.shape(), DType::F32), dg, db;
  QRT_RETURN_IF_ERROR(batchNormTrainBackward(
      x, ctx[io.in[2]], ctx[io.in[3]], ctx[io.in[4]], ctx[io.in[0]], dx, dg,
      db, p.sync ? collective() : nullptr));
  ctx[io.out[0]] = std::move(dx);
  ctx[io.out[1]] = std::move(dg);
  ctx[io.out[2]] = std::move(db);
  return Status::ok();
}

/// in = {dy, x, scale}; out = {dx, dscale, dbias} (qnn.group_norm_grad).
QRT_DEFINE_KERNEL(group_norm_grad, GroupNormParams) {
  const Tensor &x = ctx[io.in[1]];
  Tensor dx = ctx.output(io.out[0], x.shape(), DType::F32), dg, db;
  QRT_RETURN_IF_ERROR(groupNormBackward(x, ctx[io.in[2]], ctx[io.in[0]],
                                        p.groups, p.epsilon, dx, dg, db));
  ctx[io.out[0]] = std::move(dx);
  ctx[io.out[1]] = std::move(dg);
  ctx[io.out[2]] = std::move(db);
  return Status::ok();
}

//===-- Data parallelism ---------------------------------------------------===//

/// in = {gradient}; out = sum over ranks of w_r * gradient (qnn.all_reduce):
/// a copy in a run of one process (w = 1).
QRT_DEFINE_KERNEL(all_reduce, NoParams) {
  const Tensor &x = ctx[io.in[0]];
  QRT_RETURN_IF_ERROR(checkDType(x, DType::F32, "all_reduce input"));
  Tensor y = ctx.output(io.out[0], x.shape(), DType::F32);
  QRT_RETURN_IF_ERROR(
      prepareOutput(y, x.shape(), DType::F32, "all_reduce output"));
  const float *in = x.data<float>();
  float *out = y.data<float>();
  Collective *comm = collective();
  if (!comm || comm->size() < 2) {
    std::copy_n(in, x.numel(), out);
  } else {
    float w = static_cast<float>(gradientWeight());
    for (int64_t i = 0; i < x.numel(); ++i)
      out[i] = in[i] * w;
    QRT_RETURN_IF_ERROR(comm->allReduceSum(out, x.numel()));
  }
  ctx[io.out[0]] = std::move(y);
  return Status::ok();
}

//===-- Losses -------------------------------------------------------------===//

/// A loss of in[0] and `args`: out = {loss (scalar), d loss / d in[0]}.
template <typename Fn, typename... Args>
static Status loss(Context &ctx, const StepIO &io, Fn fn, const Args &...args) {
  const Tensor &a = ctx[io.in[0]];
  float value = 0.f;
  Tensor g = ctx.output(io.out[1], a.shape(), DType::F32);
  QRT_RETURN_IF_ERROR(fn(a, args..., value, g));
  ctx[io.out[0]] = scalar(value);
  ctx[io.out[1]] = std::move(g);
  return Status::ok();
}

/// in = {logits, labels}.
QRT_DEFINE_KERNEL(softmax_cross_entropy, NoParams) {
  return loss(ctx, io, softmaxCrossEntropy, ctx[io.in[1]]);
}

/// in = {prediction, target}.
QRT_DEFINE_KERNEL(mse_loss, NoParams) {
  return loss(ctx, io, mseLoss, ctx[io.in[1]]);
}

/// in = {offsets, beta, lambda}: AdaRound's rounding regularizer.
QRT_DEFINE_KERNEL(adaround_regularizer, NoParams) {
  return loss(ctx, io, adaroundRegularizer, scalarValue(ctx[io.in[1]]),
              scalarValue(ctx[io.in[2]]));
}

/// in = {logits, classes, norm}.
QRT_DEFINE_KERNEL(sigmoid_focal_loss, FocalLossParams) {
  return loss(ctx, io, sigmoidFocalLoss, ctx[io.in[1]],
              scalarValue(ctx[io.in[2]]), static_cast<double>(p.alpha),
              static_cast<double>(p.gamma));
}

/// in = {pred, target, weight, norm}.
QRT_DEFINE_KERNEL(giou_loss, NoParams) {
  return loss(ctx, io, giouLoss, ctx[io.in[1]], ctx[io.in[2]],
              scalarValue(ctx[io.in[3]]));
}

/// in = {logits, target, weight, norm}.
QRT_DEFINE_KERNEL(bce_with_logits_loss, NoParams) {
  return loss(ctx, io, bceWithLogitsLoss, ctx[io.in[1]], ctx[io.in[2]],
              scalarValue(ctx[io.in[3]]));
}

//===-- fake_quant_grad ----------------------------------------------------===//


QRT_DEFINE_KERNEL(fake_quant_grad, FakeQuantGradParams) {
  enum { kX, kDy, kScale, kZeroPoint, kClip, kBasis, kOffset };
  const Tensor *xIn = &ctx[io.in[kX]], &dy = ctx[io.in[kDy]];
  auto param = [&](int i) -> const Tensor & {
    return ctx.operand(optionalIn(io, i));
  };
  Granularity g = granularityOf(p.axis, p.groups, *xIn);
  // The forward quantized the normalized weight: the method's gradients
  // are taken there, dx then goes back through the normalization.
  Tensor normalized;
  std::vector<float> normStd;
  if (p.adaptive != WeightNorm::None) {
    QRT_RETURN_IF_ERROR(
        weightNormalize(*xIn, p.adaptive, g, normalized, &normStd));
    xIn = &normalized;
  }
  const Tensor &x = *xIn;
  float qn = -p.range.qmin, qp = p.range.qmax;
  // dx has x's shape for every method.
  Tensor dx = ctx.output(io.out[0], x.shape(), DType::F32);
  std::vector<Tensor> dp(p.gradShapes.size());
  auto need = [&](size_t n) -> Status {
    if (dp.size() == n)
      return Status::ok();
    return invalidArgument("fake_quant_grad: the method gives " +
                           std::to_string(n) + " parameter gradient(s), the "
                           "step has " + std::to_string(dp.size()));
  };
  Status s;
  switch (p.kind) {
  case FakeQuantKind::Affine:
    s = need(0);
    if (s)
      s = fakeQuantAffineBackward(x, param(kScale), param(kZeroPoint), p.range,
                                  g, dy, dx);
    break;
  case FakeQuantKind::Lsq:
    s = need(1);
    if (s)
      s = lsqBackward(x, param(kScale), qn, qp, g, lsqGradScale(p, x.shape(), g), dy,
                      dx, dp[0]);
    break;
  case FakeQuantKind::LsqPlus:
    s = need(2);
    if (s)
      s = lsqPlusBackward(x, param(kScale), param(kZeroPoint), qn, qp, g,
                          lsqGradScale(p, x.shape(), g), dy, dx, dp[0], dp[1]);
    break;
  case FakeQuantKind::Pact:
    s = need(1);
    if (s)
      s = pactBackward(x, param(kClip), g, dy, dx, dp[0]);
    break;
  case FakeQuantKind::DorefaWeight:
    s = need(0);
    if (s)
      s = dorefaWeightBackward(x, p.bits, g, /*maxAsConstant=*/false, dy, dx);
    break;
  case FakeQuantKind::DorefaActivation: {
    s = need(0);
    const Tensor &c = param(kClip);
    if (s)
      s = dorefaActivationBackward(x, c.defined() ? scalarValue(c) : 1.f, dy,
                                   dx);
    break;
  }
  case FakeQuantKind::XnorWeight:
    s = need(0);
    if (s)
      s = xnorWeightBackward(x, g, p.grad, /*scaleByAlpha=*/true, dy, dx);
    break;
  case FakeQuantKind::SignActivation:
    s = need(0);
    if (s)
      s = signActivationBackward(x, p.grad, dy, dx);
    break;
  case FakeQuantKind::XnorPlusPlus:
    s = need(1);
    if (s)
      s = xnorWeightScaledBackward(x, param(kScale), g, p.grad, dy, dx, dp[0]);
    break;
  case FakeQuantKind::Lqnet:
    s = need(0);
    if (s && p.weight) {
      s = lqnetBackward(dy, dx);
    } else if (s) {
      Expected<Tensor> basis = lqBasisRows(param(kBasis), g);
      s = basis ? lqnetActivationBackward(x, *basis, p.isSigned, g, dy, dx)
                : basis.status();
    }
    break;
  case FakeQuantKind::NonUniform:
    s = need(1);
    if (s)
      s = p.isSigned
              ? nonUniformTernaryBackward(x, param(kClip), dy, dx, dp[0])
              : nonUniformBackward(x, param(kClip), dy, dx, dp[0]);
    break;
  case FakeQuantKind::Adaround:
    // The rounding offsets get the gradient; w is fixed (dx = 0).
    s = need(1);
    if (s) {
      dx = Tensor::zeros(x.shape(), DType::F32);
      s = adaroundBackward(x, param(kScale), param(kZeroPoint), param(kOffset),
                           p.range, g, dy, dp[0]);
    }
    break;
  }
  QRT_RETURN_IF_ERROR(s);
  if (p.adaptive == WeightNorm::VarMean) {
    // A copy: some methods' dx shares dy's storage.
    dx = dx.clone();
    QRT_RETURN_IF_ERROR(weightNormalizeBackward(normStd, p.adaptive, g, dx));
  }
  ctx[io.out[0]] = std::move(dx);
  for (size_t i = 0; i < dp.size(); ++i) {
    // Per-group gradients come as [numGroups]; they get the operand's
    // shape (e.g. a scalar tensor<f32> scale).
    Expected<Tensor> shaped = dp[i].reshape(p.gradShapes[i]);
    if (!shaped)
      return shaped.status();
    ctx[io.out[1 + i]] = std::move(*shaped);
  }
  return Status::ok();
}

QRT_DEFINE_KERNEL(lqnet_basis_update, LqnetBasisParams) {
  const Tensor &x = ctx[io.in[0]];
  Granularity g = granularityOf(p.axis, p.groups, x);
  Tensor basis = ctx[io.in[1]].clone();
  Expected<Tensor> rows = lqBasisRows(basis, g);
  if (!rows)
    return rows.status();
  // The [numGroups, K] view shares basis's storage.
  QRT_RETURN_IF_ERROR(lqnetBasisUpdate(x, *rows, p.isSigned, g, p.momentum));
  ctx[io.out[0]] = std::move(basis);
  return Status::ok();
}

//===-- Optimizers ---------------------------------------------------------===//

QRT_DEFINE_KERNEL(sgd_update, SgdParams) {
  SgdOptions opts = p.options;
  opts.lr = scalarValue(ctx[io.in[3]]);
  Tensor param = ctx[io.in[0]].clone();
  const Tensor &buf = ctx[io.in[2]];
  SgdState state;
  // With momentum 0 the buffer is returned unchanged (and not read).
  bool momentum = p.options.momentum > 0.f;
  state.momentumBuffer = momentum ? buf.clone() : Tensor();
  QRT_RETURN_IF_ERROR(sgdStep(param, ctx[io.in[1]], state, opts));
  Tensor newBuf = momentum ? std::move(state.momentumBuffer) : buf;
  ctx[io.out[0]] = std::move(param);
  ctx[io.out[1]] = std::move(newBuf);
  return Status::ok();
}

QRT_DEFINE_KERNEL(adam_update, AdamParams) {
  AdamOptions opts = p.options;
  opts.lr = scalarValue(ctx[io.in[4]]);
  Tensor param = ctx[io.in[0]].clone();
  AdamState state;
  state.expAvg = ctx[io.in[2]].clone();
  state.expAvgSq = ctx[io.in[3]].clone();
  // The operand is this update's 1-based number; adamStep increments.
  state.step = static_cast<int64_t>(scalarValue(ctx[io.in[5]])) - 1;
  QRT_RETURN_IF_ERROR(adamStep(param, ctx[io.in[1]], state, opts));
  ctx[io.out[0]] = std::move(param);
  ctx[io.out[1]] = std::move(state.expAvg);
  ctx[io.out[2]] = std::move(state.expAvgSq);
  return Status::ok();
}

//===-- Training state -----------------------------------------------------===//


/// out = {the global's current tensor} (no copy).
QRT_DEFINE_KERNEL(global_load, GlobalRef) {
  QRT_RETURN_IF_ERROR(checkGlobal(ctx.globals(), p));
  ctx[io.out[0]] = ctx.globals()->get(p.index);
  return Status::ok();
}

/// in = {the new value}: the global is rebound to it.
QRT_DEFINE_KERNEL(global_store, GlobalRef) {
  QRT_RETURN_IF_ERROR(checkGlobal(ctx.globals(), p));
  ctx.globals()->set(p.index, ctx[io.in[0]]);
  return Status::ok();
}
