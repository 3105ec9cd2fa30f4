//===- ExecTrain.cpp - backward, loss and optimizer kernels on the device -===//
//
// The training kernels of runtime/ExecTrain.cpp on the device (#14), each a
// call of the TrainKernels.h / DnnConv.h / Gemm.h primitive that mirrors the
// CPU function its CPU kernel calls: the same operands in the same order,
// the same result shapes (a plan shape's -1 dimensions completed from the
// first operand) and the same errors for bad operands. The primitives see
// pointers only, so the CPU functions' operand checks are repeated here, on
// the host, in their order and with their messages, before anything is
// queued. Numerics are the primitives' (TrainKernels.h: bit for bit, or
// within 1e-5 where the CPU splits its sums; the conv / linear gradients are
// cuDNN's / cuBLASLt's deterministic sums).
//
// Kernels do not synchronize, except softmax_cross_entropy, which reads
// its labels back to fail on one out of range naming the sample, as the
// CPU does. The optimizers take lr and step as device scalars.
//
// Value semantics, as on the CPU: every result is a buffer of its own
// (Context::output); no operand is written, so a global's current value
// that other steps read keeps its value.
//
// Elsewhere: fake_quant_grad (ExecQuantGrad.cpp), global_load /
// global_store (ExecShape.cpp), all_reduce (ExecCollective.cpp). Not on
// the device yet: lqnet_basis_update and adaround_regularizer (no
// TrainKernels.h primitive). Synchronized batch norm sums its statistics
// over the ranks with NCCL (NcclCollective.h).
//
//===----------------------------------------------------------------------===//

#include "runtime/Collective.h"
#include "runtime/cuda/AmpKernels.h"
#include "runtime/cuda/CudaStatus.h"
#include "runtime/cuda/DnnConv.h"
#include "runtime/cuda/ExecKernel.h"
#include "runtime/cuda/ExecTrainInternal.h"
#include "runtime/cuda/Gemm.h"
#include "runtime/cuda/NcclCollective.h"
#include "runtime/cuda/TrainKernels.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <map>
#include <optional>

using namespace qrt;
using namespace qrt::cuda;
using namespace qrt::cuda::exec;
namespace qe = qrt::exec;

//===-- Operands, results and the CPU functions' checks -------------------===//

Status qrt::cuda::exec::expectResults(const StepIO &io, size_t n,
                                      const char *kernel) {
  bool ok = io.out.size() >= n;
  for (size_t i = 0; ok && i < n; ++i)
    ok = io.out[i] != kNoSlot;
  if (ok)
    return Status::ok();
  return invalidArgument(std::string(kernel) + " writes " + std::to_string(n) +
                         " result(s); the step has " +
                         std::to_string(io.out.size()));
}

/// `shape` with its -1 dimensions taken from `like` (the same position), or
/// 1 where `like` is shorter (runtime/ExecTrain.cpp's resolve).
static Shape resolve(Shape shape, const Shape &like) {
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] < 0)
      shape[i] = i < like.size() ? like[i] : 1;
  return shape;
}

/// TrainOps.cpp's sameShape.
static Status sameShape(const DeviceTensor &a, const DeviceTensor &b,
                        const char *what) {
  if (a.shape != b.shape)
    return invalidArgument(std::string(what) + ": shapes differ, " +
                           shapeToString(a.shape) + " vs " +
                           shapeToString(b.shape));
  return Status::ok();
}

/// BackwardConv.cpp's expectShape: f32 of `shape`.
static Status expectShape(const DeviceTensor &t, const Shape &shape,
                          const std::string &what) {
  QRT_RETURN_IF_ERROR(expectDType(t, DType::F32, what.c_str()));
  if (t.shape != shape)
    return invalidArgument(what + ": expected " + shapeToString(shape) +
                           ", got " + shapeToString(t.shape));
  return Status::ok();
}

Status qrt::cuda::exec::expectElements(const DeviceTensor &t, int64_t n,
                                       const char *what) {
  QRT_RETURN_IF_ERROR(expectDType(t, DType::F32, what));
  if (t.numel() != n)
    return invalidArgument(std::string(what) + " must have " +
                           std::to_string(n) + " elements, got " +
                           shapeToString(t.shape));
  return Status::ok();
}

/// prepareOutput's check of a defined tensor (optimizer state).
static Status expectLike(const DeviceTensor &t, const Shape &shape,
                         const char *what) {
  if (t.shape != shape || t.dtype != DType::F32)
    return invalidArgument(std::string(what) + ": preallocated output is " +
                           dtypeName(t.dtype) + shapeToString(t.shape) +
                           ", expected " + dtypeName(DType::F32) +
                           shapeToString(shape));
  return Status::ok();
}

/// The device address of an f32 scalar operand (lr, step). The CPU reads
/// such an operand as 0 when it is not an f32 scalar; here that is an error.
static Expected<const float *> deviceScalar(const DeviceTensor &t,
                                            const char *what) {
  if (!t.defined() || t.dtype != DType::F32 || t.numel() != 1)
    return invalidArgument(std::string(what) + " must be an f32 scalar, got " +
                           (t.defined()
                                ? dtypeName(t.dtype) + shapeToString(t.shape)
                                : std::string("none")));
  return t.as<const float>();
}

Expected<float> qrt::cuda::exec::hostScalarOf(const DeviceTensor &t,
                                              Stream stream) {
  if (t.dtype != DType::F32 || t.numel() != 1 || !t.defined())
    return 0.f;
  Expected<Tensor> h = download(t, stream);
  if (!h)
    return h.status();
  return h->data<float>()[0];
}

Status qrt::cuda::exec::zeroFill(const DeviceTensor &t, Stream stream) {
  if (t.nbytes() == 0)
    return Status::ok();
  return cuda::detail::check(
      cudaMemsetAsync(t.data, 0, t.nbytes(), cuda::detail::stream(stream)),
      "cudaMemsetAsync");
}

/// The step's f32 result `i` of `shape`: a buffer from the context, written
/// by `launch(float *)`, then bound to the result's slot.
template <typename Launch>
static Status produce(Context &ctx, const StepIO &io, size_t i,
                      const Shape &shape, Launch launch) {
  Expected<DeviceTensor> y = ctx.output(io.out[i], shape, DType::F32);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(launch(y->as<float>()));
  ctx[io.out[i]] = std::move(*y);
  return Status::ok();
}

//===-- Convolution and linear --------------------------------------------===//

namespace {
/// The cuDNN backward plans of a conv step, per (input, weight) shape.
struct ConvBackwardCache {
  std::map<std::pair<Shape, Shape>, cuda::ConvBackwardPlan> plans;
  Expected<const cuda::ConvBackwardPlan *> get(const Context &ctx,
                                               const Shape &in, const Shape &w,
                                               const Conv2dParams &conv) {
    auto key = std::make_pair(in, w);
    auto it = plans.find(key);
    if (it == plans.end()) {
      Expected<cuda::ConvBackwardPlan> made =
          cuda::ConvBackwardPlan::create(in, w, /*withBias=*/false, conv,
                                         layerPrecision(ctx));
      if (!made)
        return made.status();
      it = plans.emplace(key, std::move(*made)).first;
    }
    return &it->second;
  }
};

/// A linear step's cuBLASLt backward plan with the shapes it was made for
/// (the plan does not expose them), the interface of ConvBackwardPlan.
struct LinearBackward {
  cuda::LinearBackwardPlan plan;
  Shape in, w; // [N, K], [M, K]
  const Shape &inputShape() const { return in; }
  Shape outputShape() const { return {in[0], w[0]}; }
  const Shape &weightShape() const { return w; }
  size_t workspaceBytes() const { return plan.workspaceBytes(); }
  Status backwardData(const float *dy, const float *weight, float *dx, void *ws,
                      Stream stream) const {
    return plan.backwardData(dy, weight, dx, ws, stream);
  }
  Status backwardWeights(const float *x, const float *dy, float *dw, float *db,
                         void *ws, Stream stream) const {
    return plan.backwardWeights(x, dy, dw, db, ws, stream);
  }
};

/// The backward plans of a linear step, per input shape (as the CPU's
/// cache; the weight shape is the step's).
struct LinearBackwardCache {
  std::map<Shape, LinearBackward> plans;
  Expected<const LinearBackward *> get(const Context &ctx, const Shape &in,
                                       const Shape &w) {
    auto it = plans.find(in);
    if (it == plans.end()) {
      Expected<cuda::LinearBackwardPlan> made =
          cuda::LinearBackwardPlan::create(in, w, /*withBias=*/false,
                                           layerPrecision(ctx));
      if (!made)
        return made.status();
      it = plans.emplace(in, LinearBackward{std::move(*made), in, w}).first;
    }
    return &it->second;
  }
};
} // namespace

/// dx of a conv / linear step `layer`, in = {dy, w}: the plan of the step's
/// `Cache` for the input shape (made on first use; `extra` are its
/// parameters).
template <typename Cache, typename... Extra>
static Status dataGrad(Context &ctx, const StepIO &io, const Shape &shape,
                       const std::string &layer, const Extra &...extra) {
  QRT_RETURN_IF_ERROR(expectResults(io, 1, (layer + "_grad_input").c_str()));
  const DeviceTensor &dy = operandOf(ctx, io, 0), &w = operandOf(ctx, io, 1);
  Shape xs = resolve(shape, dy.shape);
  auto plan = ctx.state<Cache>(io).get(ctx, xs, w.shape, extra...);
  if (!plan)
    return plan.status();
  const auto &pl = **plan;
  QRT_RETURN_IF_ERROR(
      expectShape(dy, pl.outputShape(), layer + " backward dy"));
  QRT_RETURN_IF_ERROR(
      expectShape(w, pl.weightShape(), layer + " backward weight"));
  Expected<void *> ws = ctx.workspace(pl.workspaceBytes());
  if (!ws)
    return ws.status();
  return produce(ctx, io, 0, xs, [&](float *dx) {
    return pl.backwardData(dy.as<float>(), w.as<float>(), dx, *ws,
                           ctx.stream());
  });
}

/// dw of a conv / linear step, in = {dy, x}.
template <typename Cache, typename... Extra>
static Status weightGrad(Context &ctx, const StepIO &io, const Shape &shape,
                         const std::string &layer, const Extra &...extra) {
  QRT_RETURN_IF_ERROR(expectResults(io, 1, (layer + "_grad_weight").c_str()));
  const DeviceTensor &dy = operandOf(ctx, io, 0), &x = operandOf(ctx, io, 1);
  Shape wShape = resolve(shape, {});
  auto plan = ctx.state<Cache>(io).get(ctx, x.shape, wShape, extra...);
  if (!plan)
    return plan.status();
  const auto &pl = **plan;
  QRT_RETURN_IF_ERROR(expectShape(x, pl.inputShape(), layer + " backward x"));
  QRT_RETURN_IF_ERROR(
      expectShape(dy, pl.outputShape(), layer + " backward dy"));
  Expected<void *> ws = ctx.workspace(pl.workspaceBytes());
  if (!ws)
    return ws.status();
  return produce(ctx, io, 0, wShape, [&](float *dw) {
    return pl.backwardWeights(x.as<float>(), dy.as<float>(), dw,
                              /*dbias=*/nullptr, *ws, ctx.stream());
  });
}

QRT_CUDA_DEFINE_KERNEL(conv2d_grad_input, ConvGradParams) {
  return dataGrad<ConvBackwardCache>(ctx, io, p.shape, "conv2d", p.conv);
}

QRT_CUDA_DEFINE_KERNEL(conv2d_grad_weight, ConvGradParams) {
  return weightGrad<ConvBackwardCache>(ctx, io, p.shape, "conv2d", p.conv);
}

QRT_CUDA_DEFINE_KERNEL(linear_grad_input, ShapeParams) {
  return dataGrad<LinearBackwardCache>(ctx, io, p.shape, "linear");
}

QRT_CUDA_DEFINE_KERNEL(linear_grad_weight, ShapeParams) {
  return weightGrad<LinearBackwardCache>(ctx, io, p.shape, "linear");
}

/// Σ dy over every axis but 1, into [C].
QRT_CUDA_DEFINE_KERNEL(bias_grad, NoParams) {
  QRT_RETURN_IF_ERROR(expectResults(io, 1, "bias_grad"));
  const DeviceTensor &dy = operandOf(ctx, io, 0);
  if (dy.shape.size() < 2)
    return invalidArgument("bias_grad needs rank >= 2");
  QRT_RETURN_IF_ERROR(expectDType(dy, DType::F32, "reduce_sum_to_shape dy"));
  size_t bytes = cuda::biasGradWorkspaceBytes(dy.shape);
  Expected<void *> ws = ctx.workspace(bytes);
  if (!ws)
    return ws.status();
  return produce(ctx, io, 0, {dy.shape[1]}, [&](float *db) {
    return cuda::biasGrad(dy.as<float>(), dy.shape, db, *ws, bytes,
                          ctx.stream());
  });
}

//===-- Elementwise, pooling, data movement -------------------------------===//

QRT_CUDA_DEFINE_KERNEL(clip, ClipParams) {
  QRT_RETURN_IF_ERROR(expectResults(io, 1, "clip"));
  if (!(p.lo <= p.hi))
    return invalidArgument("clip: min must be <= max");
  const DeviceTensor &x = operandOf(ctx, io, 0);
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, "clip"));
  return produce(ctx, io, 0, x.shape, [&](float *y) {
    return cuda::clip(x.as<float>(), p.lo, p.hi, x.numel(), y, ctx.stream());
  });
}

/// in = {dy, y (the relu's output)}.
QRT_CUDA_DEFINE_KERNEL(relu_grad, NoParams) {
  QRT_RETURN_IF_ERROR(expectResults(io, 1, "relu_grad"));
  const DeviceTensor &dy = operandOf(ctx, io, 0), &y = operandOf(ctx, io, 1);
  QRT_RETURN_IF_ERROR(expectDType(y, DType::F32, "relu_backward y"));
  QRT_RETURN_IF_ERROR(expectDType(dy, DType::F32, "relu_backward dy"));
  QRT_RETURN_IF_ERROR(sameShape(y, dy, "relu_backward"));
  return produce(ctx, io, 0, y.shape, [&](float *dx) {
    return cuda::reluGrad(y.as<float>(), dy.as<float>(), y.numel(), dx,
                          ctx.stream());
  });
}

/// in = {dy, x}.
QRT_CUDA_DEFINE_KERNEL(clip_grad, ClipParams) {
  QRT_RETURN_IF_ERROR(expectResults(io, 1, "clip_grad"));
  const DeviceTensor &dy = operandOf(ctx, io, 0), &x = operandOf(ctx, io, 1);
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, "clip_backward x"));
  QRT_RETURN_IF_ERROR(expectDType(dy, DType::F32, "clip_backward dy"));
  QRT_RETURN_IF_ERROR(sameShape(x, dy, "clip_backward"));
  return produce(ctx, io, 0, x.shape, [&](float *dx) {
    return cuda::clipGrad(x.as<float>(), dy.as<float>(), p.lo, p.hi, x.numel(),
                          dx, ctx.stream());
  });
}

/// padBackward's (TrainOps.cpp) checks of dy, the fused operands and the
/// pads for an input of shape `xs`.
static Status checkPadGrad(const DeviceTensor &dy, const Shape &xs,
                           const std::vector<int64_t> &pads,
                           const DeviceTensor *addend,
                           const DeviceTensor *reluY) {
  QRT_RETURN_IF_ERROR(expectDType(dy, DType::F32, "pad_backward dy"));
  for (const DeviceTensor *t : {addend, reluY})
    if (t) {
      QRT_RETURN_IF_ERROR(expectDType(*t, DType::F32, "pad_backward operand"));
      if (t->shape != xs)
        return invalidArgument("pad_backward: fused operand " +
                               shapeToString(t->shape) + " is not x's " +
                               shapeToString(xs));
    }
  size_t r = xs.size();
  if (pads.size() != 2 * r || dy.shape.size() != r)
    return invalidArgument("pad_backward: pads must have 2 * rank entries");
  for (size_t d = 0; d < r; ++d)
    if (dy.shape[d] != xs[d] + pads[d] + pads[d + r])
      return invalidArgument("pad_backward: dy shape " +
                             shapeToString(dy.shape) + " is not the padded x " +
                             shapeToString(xs));
  return Status::ok();
}

/// dx of shape `xs` = pad_grad(dy) [+ addend], masked by reluY > 0 when
/// given.
static Status padGrad(Context &ctx, const StepIO &io, const DeviceTensor &dy,
                      const Shape &xs, const std::vector<int64_t> &pads,
                      const DeviceTensor *addend, const DeviceTensor *reluY) {
  QRT_RETURN_IF_ERROR(checkPadGrad(dy, xs, pads, addend, reluY));
  return produce(ctx, io, 0, xs, [&](float *dx) {
    return cuda::padGrad(
        dy.as<float>(), xs, pads, addend ? addend->as<float>() : nullptr,
        reluY ? reluY->as<float>() : nullptr, dx, ctx.stream());
  });
}

QRT_CUDA_DEFINE_KERNEL(slice, SliceParams) {
  QRT_RETURN_IF_ERROR(expectResults(io, 1, "slice"));
  const DeviceTensor &x = operandOf(ctx, io, 0);
  Shape r = resolve(p.shape, x.shape);
  int64_t rank = (int64_t)x.shape.size();
  bool onAxis = p.axis >= 0 && p.axis < rank && p.axis < (int64_t)r.size();
  int64_t size = onAxis ? r[p.axis] : 0;
  if (!onAxis || p.start < 0 || p.start + size > x.shape[p.axis])
    return invalidArgument("slice [" + std::to_string(p.start) + ", " +
                           std::to_string(p.start + size) + ") of axis " +
                           std::to_string(p.axis) + " is outside " +
                           shapeToString(x.shape));
  // The backward of a pad by (start, rest) along the axis, as the CPU.
  std::vector<int64_t> pads(2 * rank, 0);
  pads[p.axis] = p.start;
  pads[rank + p.axis] = x.shape[p.axis] - p.start - size;
  return padGrad(ctx, io, x, r, pads, nullptr, nullptr);
}

/// TrainOps.cpp's checkPoolGrad: dy f32 of the pooled shape of `xShape`.
static Status checkPoolGrad(const Shape &xShape, const Pool2dParams &p,
                            const DeviceTensor &dy, const char *name) {
  QRT_RETURN_IF_ERROR(expectDType(dy, DType::F32, name));
  Expected<Shape> out = pool2dOutputShape(xShape, p);
  if (!out)
    return out.status();
  if (*out != dy.shape)
    return invalidArgument(std::string(name) + ": dy must be " +
                           shapeToString(*out) + ", got " +
                           shapeToString(dy.shape));
  return Status::ok();
}

/// in = {dy, x}.
QRT_CUDA_DEFINE_KERNEL(max_pool_grad, PoolGradParams) {
  QRT_RETURN_IF_ERROR(expectResults(io, 1, "max_pool_grad"));
  const DeviceTensor &dy = operandOf(ctx, io, 0), &x = operandOf(ctx, io, 1);
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, "max_pool_backward x"));
  QRT_RETURN_IF_ERROR(checkPoolGrad(x.shape, p.pool, dy, "max_pool_backward"));
  return produce(ctx, io, 0, x.shape, [&](float *dx) {
    return cuda::maxPool2dGrad(x.as<float>(), x.shape, p.pool, dy.as<float>(),
                               dx, ctx.stream());
  });
}

QRT_CUDA_DEFINE_KERNEL(avg_pool_grad, PoolGradParams) {
  QRT_RETURN_IF_ERROR(expectResults(io, 1, "avg_pool_grad"));
  const DeviceTensor &dy = operandOf(ctx, io, 0);
  Shape xs = resolve(p.shape, dy.shape);
  if (p.pool.dilationH != 1 || p.pool.dilationW != 1)
    return unsupported("avg_pool_backward: dilation is not supported");
  QRT_RETURN_IF_ERROR(checkPoolGrad(xs, p.pool, dy, "avg_pool_backward"));
  return produce(ctx, io, 0, xs, [&](float *dx) {
    return cuda::avgPool2dGrad(xs, p.pool, dy.as<float>(), dx, ctx.stream());
  });
}

QRT_CUDA_DEFINE_KERNEL(global_avg_pool_grad, ShapeParams) {
  QRT_RETURN_IF_ERROR(expectResults(io, 1, "global_avg_pool_grad"));
  const DeviceTensor &dy = operandOf(ctx, io, 0);
  Shape xs = resolve(p.shape, dy.shape);
  QRT_RETURN_IF_ERROR(expectDType(dy, DType::F32, "global_avg_pool_backward"));
  if (xs.size() != 4 || dy.shape != Shape{xs[0], xs[1], 1, 1})
    return invalidArgument("global_avg_pool_backward: dy must be [N, C, 1, 1] "
                           "of x " +
                           shapeToString(xs) + ", got " +
                           shapeToString(dy.shape));
  return produce(ctx, io, 0, xs, [&](float *dx) {
    return cuda::globalAvgPoolGrad(dy.as<float>(), xs, dx, ctx.stream());
  });
}

QRT_CUDA_DEFINE_KERNEL(pad_grad, PadGradParams) {
  QRT_RETURN_IF_ERROR(expectResults(io, 1, "pad_grad"));
  const DeviceTensor &dy = operandOf(ctx, io, 0);
  return padGrad(ctx, io, dy, resolve(p.shape, dy.shape), p.pads, nullptr,
                 nullptr);
}

/// pad_grad -> [add addend] -> relu_grad in one pass. in = {dy, relu
/// output, addend?}.
QRT_CUDA_DEFINE_KERNEL(pad_grad_add_relu, PadGradParams) {
  QRT_RETURN_IF_ERROR(expectResults(io, 1, "pad_grad_add_relu"));
  const DeviceTensor &dy = operandOf(ctx, io, 0), &y = operandOf(ctx, io, 1);
  Slot addend = optionalIn(io, 2);
  return padGrad(ctx, io, dy, resolve(p.shape, dy.shape), p.pads,
                 addend == kNoSlot ? nullptr : &ctx[addend], &y);
}

/// Σ of the input down to `shape` (broadcast's backward); a dynamic result
/// dimension keeps the input's size; dimensions are right-aligned.
QRT_CUDA_DEFINE_KERNEL(reduce_to, ShapeParams) {
  QRT_RETURN_IF_ERROR(expectResults(io, 1, "reduce_to"));
  const DeviceTensor &x = operandOf(ctx, io, 0);
  const Shape &g = x.shape;
  if (p.shape.size() > g.size())
    return invalidArgument("reduce_to " + shapeToString(p.shape) +
                           " has more dimensions than its input " +
                           shapeToString(g));
  Shape s = p.shape;
  size_t off = g.size() - s.size();
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] < 0)
      s[i] = g[off + i];
  // reduceSumToShape's checks, before the result is allocated.
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, "reduce_sum_to_shape dy"));
  for (size_t d = 0; d < s.size(); ++d)
    if (s[d] != 1 && s[d] != g[off + d])
      return invalidArgument("reduce_sum_to_shape: " + shapeToString(s) +
                             " does not broadcast to " + shapeToString(g));
  size_t bytes = cuda::reduceToWorkspaceBytes(g, s);
  Expected<void *> ws = ctx.workspace(bytes);
  if (!ws)
    return ws.status();
  return produce(ctx, io, 0, s, [&](float *y) {
    return cuda::reduceTo(x.as<float>(), g, s, y, *ws, bytes, ctx.stream());
  });
}

//===-- Batch norm --------------------------------------------------------===//

/// TrainOps.cpp's bnLayout: x f32 [N, C, ...]; its channels and the values
/// per channel.
static Status bnLayout(const DeviceTensor &x, const char *name, int64_t &c,
                       int64_t &count) {
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, name));
  if (x.shape.size() < 2)
    return invalidArgument(std::string(name) + ": x must be [N, C, ...], got " +
                           shapeToString(x.shape));
  c = x.shape[1];
  count = x.shape[0];
  for (size_t d = 2; d < x.shape.size(); ++d)
    count *= x.shape[d];
  return Status::ok();
}

/// Synchronized batch norm (p.sync) in a run of several ranks: the sums
/// between the passes go through NCCL on the context's stream, and the
/// backward weighs them by the rank's gradient weight, as TrainOps.cpp does
/// with qrt::collective(). Nothing in a run of one process (the CPU's too).
static Status bnSync(Context &ctx, bool sync, const char *what,
                     std::optional<cuda::BnSync> &out) {
  if (!sync || worldSize() < 2)
    return Status::ok();
  QRT_RETURN_IF_ERROR(deviceCollectiveReady(what));
  out.emplace();
  out->allReduceSum = [&ctx](double *data, int64_t n) {
    return deviceAllReduceSum(data, n, ctx.stream(), "synchronized batch norm");
  };
  out->weight = gradientWeight();
  return Status::ok();
}

/// in = {x, scale, bias, running mean, running var}; out = {y, saved mean,
/// saved invstd, new running mean, new running var} (the last two undefined
/// when the step has no running statistics, as on the CPU).
QRT_CUDA_DEFINE_KERNEL(batch_norm_train, BatchNormTrainParams) {
  QRT_RETURN_IF_ERROR(expectResults(io, 5, "batch_norm_train"));
  const DeviceTensor &x = operandOf(ctx, io, 0), &gamma = operandOf(ctx, io, 1),
                     &beta = operandOf(ctx, io, 2),
                     &runMean = operandOf(ctx, io, 3),
                     &runVar = operandOf(ctx, io, 4);
  int64_t c = 0, count = 0;
  QRT_RETURN_IF_ERROR(bnLayout(x, "batch_norm_train", c, count));
  std::optional<cuda::BnSync> sync;
  QRT_RETURN_IF_ERROR(
      bnSync(ctx, p.sync, "batch_norm_train (synchronized)", sync));
  // Synchronized, the global batch's count matters (summed on the device).
  if (count < 2 && !sync)
    return invalidArgument("batch_norm_train: need more than one value per "
                           "channel, got x " +
                           shapeToString(x.shape));
  if (gamma.defined())
    QRT_RETURN_IF_ERROR(expectElements(gamma, c, "batch_norm gamma"));
  if (beta.defined())
    QRT_RETURN_IF_ERROR(expectElements(beta, c, "batch_norm beta"));
  bool track = runMean.defined() || runVar.defined();
  if (track) {
    QRT_RETURN_IF_ERROR(expectElements(runMean, c, "batch_norm running mean"));
    QRT_RETURN_IF_ERROR(expectElements(runVar, c, "batch_norm running var"));
  }
  DeviceTensor out[5];
  for (size_t i = 0; i < (track ? 5u : 3u); ++i) {
    Expected<DeviceTensor> t =
        ctx.output(io.out[i], i == 0 ? x.shape : Shape{c}, DType::F32);
    if (!t)
      return t.status();
    out[i] = std::move(*t);
  }
  size_t bytes = cuda::batchNormTrainWorkspaceBytes(x.shape);
  Expected<void *> ws = ctx.workspace(bytes);
  if (!ws)
    return ws.status();
  auto ptr = [](const DeviceTensor &t) {
    return t.defined() ? t.as<float>() : nullptr;
  };
  QRT_RETURN_IF_ERROR(cuda::batchNormTrain(
      x.as<float>(), x.shape, ptr(gamma), ptr(beta), ptr(runMean), ptr(runVar),
      p.momentum, p.epsilon, out[0].as<float>(), out[1].as<float>(),
      out[2].as<float>(), ptr(out[3]), ptr(out[4]), *ws, bytes, ctx.stream(),
      sync ? &*sync : nullptr));
  for (size_t i = 0; i < 5; ++i)
    ctx[io.out[i]] = std::move(out[i]);
  return Status::ok();
}

/// in = {dy, x, scale, saved mean, saved invstd}; out = {dx, dscale, dbias}
/// (the last two undefined without a scale, as on the CPU).
QRT_CUDA_DEFINE_KERNEL(batch_norm_grad, BatchNormGradParams) {
  QRT_RETURN_IF_ERROR(expectResults(io, 3, "batch_norm_grad"));
  const DeviceTensor &dy = operandOf(ctx, io, 0), &x = operandOf(ctx, io, 1),
                     &gamma = operandOf(ctx, io, 2),
                     &mean = operandOf(ctx, io, 3),
                     &invstd = operandOf(ctx, io, 4);
  int64_t c = 0, count = 0;
  QRT_RETURN_IF_ERROR(bnLayout(x, "batch_norm_backward", c, count));
  QRT_RETURN_IF_ERROR(expectDType(dy, DType::F32, "batch_norm_backward dy"));
  QRT_RETURN_IF_ERROR(sameShape(x, dy, "batch_norm_backward"));
  QRT_RETURN_IF_ERROR(expectElements(mean, c, "batch_norm_backward save mean"));
  QRT_RETURN_IF_ERROR(
      expectElements(invstd, c, "batch_norm_backward save invstd"));
  bool affine = gamma.defined();
  if (affine)
    QRT_RETURN_IF_ERROR(expectElements(gamma, c, "batch_norm_backward gamma"));
  std::optional<cuda::BnSync> sync;
  QRT_RETURN_IF_ERROR(
      bnSync(ctx, p.sync, "batch_norm_grad (synchronized)", sync));
  DeviceTensor out[3];
  for (size_t i = 0; i < (affine ? 3u : 1u); ++i) {
    Expected<DeviceTensor> t =
        ctx.output(io.out[i], i == 0 ? x.shape : Shape{c}, DType::F32);
    if (!t)
      return t.status();
    out[i] = std::move(*t);
  }
  size_t bytes = cuda::batchNormGradWorkspaceBytes(x.shape);
  Expected<void *> ws = ctx.workspace(bytes);
  if (!ws)
    return ws.status();
  QRT_RETURN_IF_ERROR(cuda::batchNormGrad(
      x.as<float>(), x.shape, affine ? gamma.as<float>() : nullptr,
      mean.as<float>(), invstd.as<float>(), dy.as<float>(), out[0].as<float>(),
      affine ? out[1].as<float>() : nullptr,
      affine ? out[2].as<float>() : nullptr, *ws, bytes, ctx.stream(),
      sync ? &*sync : nullptr));
  for (size_t i = 0; i < 3; ++i)
    ctx[io.out[i]] = std::move(out[i]);
  return Status::ok();
}

//===-- Losses ------------------------------------------------------------===//

/// out = {loss (an f32 scalar, shape []), d loss / d in[0] of `shape`},
/// written by `launch(loss, grad)`.
template <typename Launch>
static Status loss(Context &ctx, const StepIO &io, const Shape &shape,
                   Launch launch) {
  Expected<DeviceTensor> value = ctx.output(io.out[0], {}, DType::F32);
  if (!value)
    return value.status();
  Expected<DeviceTensor> grad = ctx.output(io.out[1], shape, DType::F32);
  if (!grad)
    return grad.status();
  QRT_RETURN_IF_ERROR(launch(value->as<float>(), grad->as<float>()));
  // Mixed precision: the backward pass starts from the scaled gradient.
  if (const Amp &amp = ctx.amp(); amp.enabled)
    QRT_RETURN_IF_ERROR(cuda::scaleBy(grad->as<float>(),
                                      amp.scale.as<float>(), grad->numel(),
                                      grad->as<float>(), ctx.stream()));
  ctx[io.out[0]] = std::move(*value);
  ctx[io.out[1]] = std::move(*grad);
  return Status::ok();
}

/// in = {logits [N, C], labels [N] (i32 or i64)}. The labels are read back
/// to fail on one outside [0, C) as the CPU does, naming the sample (the
/// device kernel would make its row NaN).
QRT_CUDA_DEFINE_KERNEL(softmax_cross_entropy, NoParams) {
  QRT_RETURN_IF_ERROR(expectResults(io, 2, "softmax_cross_entropy"));
  const DeviceTensor &logits = operandOf(ctx, io, 0),
                     &labels = operandOf(ctx, io, 1);
  QRT_RETURN_IF_ERROR(expectDType(logits, DType::F32, "softmax_ce logits"));
  if (logits.shape.size() != 2)
    return invalidArgument("softmax_ce: logits must be [N, C], got " +
                           shapeToString(logits.shape));
  int64_t n = logits.shape[0], c = logits.shape[1];
  if (!labels.defined() ||
      (labels.dtype != DType::I64 && labels.dtype != DType::I32) ||
      labels.numel() != n || labels.shape.size() != 1)
    return invalidArgument("softmax_ce: labels must be i64 or i32 [" +
                           std::to_string(n) + "]");
  if (n < 1 || c < 1)
    return invalidArgument("softmax_ce: empty logits");
  Expected<Tensor> host = download(labels, ctx.stream());
  if (!host)
    return host.status();
  for (int64_t i = 0; i < n; ++i) {
    int64_t label = labels.dtype == DType::I64 ? host->data<int64_t>()[i]
                                               : host->data<int32_t>()[i];
    if (label < 0 || label >= c)
      return invalidArgument("softmax_ce: label " + std::to_string(label) +
                             " of sample " + std::to_string(i) +
                             " outside [0, " + std::to_string(c) + ")");
  }
  size_t bytes = cuda::softmaxCrossEntropyWorkspaceBytes(n);
  Expected<void *> ws = ctx.workspace(bytes);
  if (!ws)
    return ws.status();
  return loss(ctx, io, logits.shape, [&](float *value, float *grad) {
    return cuda::softmaxCrossEntropy(logits.as<float>(), n, c, labels.data,
                                     labels.dtype, value, grad, *ws, bytes,
                                     ctx.stream());
  });
}

/// in = {prediction, target}.
QRT_CUDA_DEFINE_KERNEL(mse_loss, NoParams) {
  QRT_RETURN_IF_ERROR(expectResults(io, 2, "mse_loss"));
  const DeviceTensor &pred = operandOf(ctx, io, 0),
                     &target = operandOf(ctx, io, 1);
  QRT_RETURN_IF_ERROR(expectDType(pred, DType::F32, "mse pred"));
  QRT_RETURN_IF_ERROR(expectDType(target, DType::F32, "mse target"));
  QRT_RETURN_IF_ERROR(sameShape(pred, target, "mse"));
  if (pred.numel() == 0)
    return invalidArgument("mse: empty tensors");
  size_t bytes = cuda::mseLossWorkspaceBytes(pred.numel());
  Expected<void *> ws = ctx.workspace(bytes);
  if (!ws)
    return ws.status();
  return loss(ctx, io, pred.shape, [&](float *value, float *grad) {
    return cuda::mseLoss(pred.as<float>(), target.as<float>(), pred.numel(),
                         value, grad, *ws, bytes, ctx.stream());
  });
}

//===-- Optimizers --------------------------------------------------------===//

/// Optimizer.cpp's checkParamGrad.
static Status checkParamGrad(const DeviceTensor &param,
                             const DeviceTensor &grad, const char *name) {
  QRT_RETURN_IF_ERROR(expectDType(param, DType::F32, name));
  QRT_RETURN_IF_ERROR(expectDType(grad, DType::F32, name));
  if (param.shape != grad.shape)
    return invalidArgument(std::string(name) + ": param " +
                           shapeToString(param.shape) + " and grad " +
                           shapeToString(grad.shape) + " differ");
  return Status::ok();
}

/// in = {param, grad, momentum buffer, lr}; out = {param, buffer}. The
/// buffer is read and returned updated when momentum > 0 (an undefined one
/// starts as the gradient, torch's first step); otherwise it is returned
/// as it came, as on the CPU.
/// The gradient an optimizer uses: `grad` itself, or under mixed precision
/// grad / S in the context's workspace, with the non-finite flag raised
/// when any of it overflowed.
static Expected<const float *> optimizerGrad(Context &ctx,
                                             const DeviceTensor &grad) {
  const Amp &amp = ctx.amp();
  if (!amp.enabled)
    return grad.as<float>();
  Expected<void *> ws = ctx.workspace(grad.nbytes());
  if (!ws)
    return ws.status();
  float *unscaled = static_cast<float *>(*ws);
  QRT_RETURN_IF_ERROR(cuda::scaleBy(grad.as<float>(), amp.invScale.as<float>(),
                                    grad.numel(), unscaled, ctx.stream()));
  QRT_RETURN_IF_ERROR(cuda::flagNonFinite(unscaled, grad.numel(),
                                          amp.foundNonFinite.as<int32_t>(),
                                          ctx.stream()));
  return static_cast<const float *>(unscaled);
}

QRT_CUDA_DEFINE_KERNEL(sgd_update, SgdParams) {
  QRT_RETURN_IF_ERROR(expectResults(io, 2, "sgd_update"));
  const DeviceTensor &param = operandOf(ctx, io, 0),
                     &grad = operandOf(ctx, io, 1),
                     &buf = operandOf(ctx, io, 2);
  const SgdOptions &o = p.options;
  QRT_RETURN_IF_ERROR(checkParamGrad(param, grad, "sgd"));
  if (o.nesterov && (o.momentum <= 0.f || o.dampening != 0.f))
    return invalidArgument(
        "sgd: nesterov requires momentum > 0 and zero dampening");
  bool keep = o.momentum > 0.f;
  if (keep && buf.defined())
    QRT_RETURN_IF_ERROR(expectLike(buf, param.shape, "sgd momentum buffer"));
  Expected<const float *> lr = deviceScalar(operandOf(ctx, io, 3), "sgd lr");
  if (!lr)
    return lr.status();
  Expected<DeviceTensor> newParam =
      ctx.output(io.out[0], param.shape, DType::F32);
  if (!newParam)
    return newParam.status();
  // A negative momentum updates a buffer the CPU kernel drops (it starts
  // from the gradient): a scratch result here.
  DeviceTensor newBuf = buf;
  bool first = !keep || !buf.defined();
  if (o.momentum != 0.f) {
    Expected<DeviceTensor> b =
        ctx.output(keep ? io.out[1] : kNoSlot, param.shape, DType::F32);
    if (!b)
      return b.status();
    newBuf = std::move(*b);
  }
  Expected<const float *> g = optimizerGrad(ctx, grad);
  if (!g)
    return g.status();
  QRT_RETURN_IF_ERROR(cuda::sgdUpdate(
      param.as<float>(), *g, first ? nullptr : buf.as<float>(),
      *lr, param.numel(), o, first, newParam->as<float>(),
      o.momentum != 0.f ? newBuf.as<float>() : nullptr, ctx.stream()));
  ctx[io.out[0]] = std::move(*newParam);
  ctx[io.out[1]] = keep ? std::move(newBuf) : buf;
  return Status::ok();
}

/// in = {param, grad, exp_avg, exp_avg_sq, lr, step (1-based)}; out =
/// {param, exp_avg, exp_avg_sq}. Undefined moments start at zero, as on the
/// CPU; AMSGrad's maximum starts at zero every step (the CPU kernel passes
/// none).
QRT_CUDA_DEFINE_KERNEL(adam_update, AdamParams) {
  QRT_RETURN_IF_ERROR(expectResults(io, 3, "adam_update"));
  const DeviceTensor &param = operandOf(ctx, io, 0),
                     &grad = operandOf(ctx, io, 1);
  const DeviceTensor *moments[2] = {&operandOf(ctx, io, 2),
                                    &operandOf(ctx, io, 3)};
  const AdamOptions &o = p.options;
  QRT_RETURN_IF_ERROR(checkParamGrad(param, grad, "adam"));
  if (!(o.beta1 >= 0.f && o.beta1 < 1.f && o.beta2 >= 0.f && o.beta2 < 1.f))
    return invalidArgument("adam: betas must be in [0, 1)");
  const char *names[2] = {"adam exp_avg", "adam exp_avg_sq"};
  for (int i = 0; i < 2; ++i)
    if (moments[i]->defined())
      QRT_RETURN_IF_ERROR(expectLike(*moments[i], param.shape, names[i]));
  Expected<const float *> lr = deviceScalar(operandOf(ctx, io, 4), "adam lr");
  if (!lr)
    return lr.status();
  Expected<const float *> step =
      deviceScalar(operandOf(ctx, io, 5), "adam step");
  if (!step)
    return step.status();
  DeviceTensor out[3];
  for (size_t i = 0; i < 3; ++i) {
    Expected<DeviceTensor> t = ctx.output(io.out[i], param.shape, DType::F32);
    if (!t)
      return t.status();
    out[i] = std::move(*t);
  }
  const float *in[2];
  for (int i = 0; i < 2; ++i) {
    if (moments[i]->defined()) {
      in[i] = moments[i]->as<float>();
      continue;
    }
    QRT_RETURN_IF_ERROR(zeroFill(out[1 + i], ctx.stream())); // read in place
    in[i] = out[1 + i].as<float>();
  }
  Expected<const float *> g = optimizerGrad(ctx, grad);
  if (!g)
    return g.status();
  QRT_RETURN_IF_ERROR(cuda::adamUpdate(
      param.as<float>(), *g, in[0], in[1],
      /*maxExpAvgSq=*/nullptr, *lr, *step, param.numel(), o, out[0].as<float>(),
      out[1].as<float>(), out[2].as<float>(), ctx.stream()));
  for (size_t i = 0; i < 3; ++i)
    ctx[io.out[i]] = std::move(out[i]);
  return Status::ok();
}
