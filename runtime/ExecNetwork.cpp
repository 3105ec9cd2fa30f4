//===- ExecNetwork.cpp - float network and data-movement kernels -----------===//

#include "runtime/Conv.h"
#include "runtime/Elementwise.h"
#include "runtime/ExecKernel.h"
#include "runtime/Pool.h"
#include "runtime/ShapeOps.h"

#include <cstring>
#include <optional>

using namespace qrt;
using namespace qrt::exec;

/// The plan of a oneDNN-backed layer for `in`'s shape, made on first sight
/// of the shape; weights that are not constants (globals, fake-quantized in
/// training) are reordered again on every call, the primitive is kept.
template <typename PlanT, typename Make>
static Expected<const PlanT *> planFor(Context &ctx, const StepIO &io,
                                       const Tensor &in, const Tensor &w,
                                       const Tensor &bias, bool constWeights,
                                       Make make) {
  auto &cache = ctx.state<PlanCache<PlanT>>(io);
  auto it = cache.find(in.shape());
  if (it == cache.end()) {
    Expected<PlanT> made = make();
    if (!made)
      return made.status();
    it = cache.emplace(in.shape(), std::move(*made)).first;
  } else if (!constWeights) {
    QRT_RETURN_IF_ERROR(it->second.updateWeights(w, bias));
  }
  return &it->second;
}

QRT_DEFINE_KERNEL(conv2d, ConvF32) {
  const Tensor &in = ctx[io.in[0]], &w = ctx[io.in[1]];
  const Tensor &bias = ctx.operand(optionalIn(io, 2));
  if (!in.defined())
    return invalidArgument("conv2d: undefined input");
  Expected<const ConvPlan *> plan =
      planFor<ConvPlan>(ctx, io, in, w, bias, p.constWeights, [&] {
        return ConvPlan::create(in.shape(), w, bias, p.conv);
      });
  if (!plan)
    return plan.status();
  const ConvPlan &cp = **plan;
  Tensor out;
  Slot addend = optionalIn(io, 3);
  if (addend == kNoSlot) {
    out = ctx.output(io.out[0], cp.outputShape(), DType::F32);
  } else if (p.addendChannelsLast == p.conv.dstChannelsLast) {
    // The output buffer starts as the addend (oneDNN's sum post-op).
    Tensor &a = ctx[addend];
    if (a.shape() != cp.outputShape() || a.dtype() != DType::F32)
      return invalidArgument("fused residual add: addend " +
                             shapeToString(a.shape()) +
                             " does not match the conv output " +
                             shapeToString(cp.outputShape()));
    // Accumulate in place into a dead addend nobody else references.
    if (addend != io.in[0] && Context::diesHere(io, addend) &&
        a.uniquelyOwned()) {
      out = std::move(a);
    } else {
      out = ctx.output(io.out[0], a.shape(), a.dtype());
      QRT_RETURN_IF_ERROR(
          prepareOutput(out, a.shape(), a.dtype(), "fused residual add"));
      // The memory plan may place the output on its dying addend.
      if (out.rawData() != a.rawData())
        std::memcpy(out.rawData(), a.rawData(), a.nbytes());
    }
  } else {
    std::vector<int64_t> perm = p.conv.dstChannelsLast
                                    ? std::vector<int64_t>{0, 2, 3, 1}
                                    : std::vector<int64_t>{0, 3, 1, 2};
    out = ctx.output(io.out[0], cp.outputShape(), DType::F32);
    QRT_RETURN_IF_ERROR(transpose(ctx[addend], perm, out));
  }
  Status s = cp.run(in, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

QRT_DEFINE_KERNEL(linear, LinearF32) {
  const Tensor &in = ctx[io.in[0]], &w = ctx[io.in[1]];
  const Tensor &bias = ctx.operand(optionalIn(io, 2));
  if (!in.defined())
    return invalidArgument("linear: undefined input");
  Expected<const LinearPlan *> plan =
      planFor<LinearPlan>(ctx, io, in, w, bias, p.constWeights, [&] {
        return LinearPlan::create(in.shape(), w, bias, p.relu);
      });
  if (!plan)
    return plan.status();
  Tensor out = ctx.output(io.out[0], (*plan)->outputShape(), DType::F32);
  Status s = (*plan)->run(in, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

/// y's shape for an f32 x, or nothing (the kernel then allocates y, or
/// reports why it cannot).
using ShapeOf = std::optional<Shape> (*)(const Tensor &x);
static std::optional<Shape> sameShape(const Tensor &x) { return x.shape(); }

static std::optional<Shape> poolShape(const Tensor &x, const Pool2dParams &p) {
  Expected<Shape> shape = pool2dOutputShape(x.shape(), p);
  if (!shape)
    return std::nullopt;
  return *shape;
}

/// The shape of `inputs` concatenated along `axis`, or nothing when they do
/// not fit together (qrt::concat then says why).
static std::optional<Shape> concatShape(const std::vector<Tensor> &inputs,
                                        int64_t axis) {
  if (inputs.empty() || !inputs[0].defined())
    return std::nullopt;
  int64_t rank = inputs[0].rank();
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return std::nullopt;
  Shape shape = inputs[0].shape();
  shape[axis] = 0;
  for (const Tensor &t : inputs) {
    if (!t.defined() || t.rank() != rank || t.dtype() != inputs[0].dtype())
      return std::nullopt;
    shape[axis] += t.shape()[axis];
  }
  return shape;
}

/// y = fn(x) for an f32 x; y, of `shapeOf(x)`, where the context puts it.
template <typename Fn, typename ShapeFn = ShapeOf>
static Status unary(Context &ctx, const StepIO &io, Fn fn,
                    ShapeFn shapeOf = sameShape) {
  const Tensor &in = ctx[io.in[0]];
  Tensor out;
  if (in.defined() && in.dtype() == DType::F32)
    if (std::optional<Shape> shape = shapeOf(in))
      out = ctx.output(io.out[0], *shape, DType::F32);
  Status s = fn(in, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

/// y = fn(a, b) for f32 operands; y, of their broadcast shape, where the
/// context puts it.
template <typename Fn>
static Status binary(Context &ctx, const StepIO &io, Fn fn) {
  const Tensor &l = ctx[io.in[0]], &r = ctx[io.in[1]];
  Tensor out;
  if (l.defined() && r.defined() && l.dtype() == DType::F32 &&
      r.dtype() == DType::F32)
    if (Expected<Shape> shape = broadcastShapes(l.shape(), r.shape()))
      out = ctx.output(io.out[0], *shape, DType::F32);
  Status s = fn(l, r, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

QRT_DEFINE_KERNEL(matmul, NoParams) {
  // Matrix by matrix; the other forms (vectors, batched, broadcast) are
  // qrt::matmul's to shape, and it allocates.
  const Tensor &a = ctx[io.in[0]], &b = ctx[io.in[1]];
  Tensor out;
  if (a.defined() && b.defined() && a.dtype() == DType::F32 &&
      b.dtype() == DType::F32 && a.rank() == 2 && b.rank() == 2 &&
      a.dim(1) == b.dim(0))
    out = ctx.output(io.out[0], {a.dim(0), b.dim(1)}, DType::F32);
  Status s = qrt::matmul(a, b, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

QRT_DEFINE_KERNEL(batch_norm, BatchNormParams) {
  const Tensor &x = ctx[io.in[0]];
  Tensor out = x.defined() && x.dtype() == DType::F32
                   ? ctx.output(io.out[0], x.shape(), DType::F32)
                   : Tensor();
  Status s = batchNorm(x, ctx[io.in[1]], ctx[io.in[2]], ctx[io.in[3]],
                       ctx[io.in[4]], p.epsilon, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

QRT_DEFINE_KERNEL(layer_norm, LayerNormParams) {
  const Tensor &x = ctx[io.in[0]];
  Tensor out = x.defined() && x.dtype() == DType::F32
                   ? ctx.output(io.out[0], x.shape(), DType::F32)
                   : Tensor();
  Status s =
      layerNorm(x, ctx[io.in[1]], ctx[io.in[2]], p.axis, p.epsilon, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

QRT_DEFINE_KERNEL(group_norm, GroupNormParams) {
  const Tensor &x = ctx[io.in[0]];
  Tensor out = x.defined() && x.dtype() == DType::F32
                   ? ctx.output(io.out[0], x.shape(), DType::F32)
                   : Tensor();
  Status s =
      groupNorm(x, ctx[io.in[1]], ctx[io.in[2]], p.groups, p.epsilon, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

QRT_DEFINE_KERNEL(relu, NoParams) { return unary(ctx, io, qrt::relu); }
QRT_DEFINE_KERNEL(sigmoid, NoParams) { return unary(ctx, io, qrt::sigmoid); }
QRT_DEFINE_KERNEL(hard_swish, NoParams) {
  return unary(ctx, io, qrt::hardSwish);
}
QRT_DEFINE_KERNEL(silu, NoParams) { return unary(ctx, io, qrt::silu); }
QRT_DEFINE_KERNEL(gelu, GeluParams) {
  return unary(ctx, io, [&](const Tensor &x, Tensor &y) {
    return qrt::gelu(x, p.tanh, y);
  });
}
QRT_DEFINE_KERNEL(erf, NoParams) { return unary(ctx, io, qrt::erf); }
QRT_DEFINE_KERNEL(tanh, NoParams) {
  return unary(ctx, io, qrt::hyperbolicTangent);
}
QRT_DEFINE_KERNEL(sqrt, NoParams) { return unary(ctx, io, qrt::squareRoot); }
QRT_DEFINE_KERNEL(pow, PowParams) {
  return unary(ctx, io, [&](const Tensor &x, Tensor &y) {
    return qrt::power(x, p.exponent, y);
  });
}
QRT_DEFINE_KERNEL(hard_sigmoid, HardSigmoidParams) {
  return unary(ctx, io, [&](const Tensor &x, Tensor &y) {
    return hardSigmoid(x, p.alpha, p.beta, y);
  });
}
QRT_DEFINE_KERNEL(leaky_relu, LeakyReluParams) {
  return unary(ctx, io, [&](const Tensor &x, Tensor &y) {
    return leakyRelu(x, p.alpha, y);
  });
}
QRT_DEFINE_KERNEL(clip, ClipParams) {
  return unary(ctx, io, [&](const Tensor &x, Tensor &y) {
    return qrt::clip(x, p.lo, p.hi, y);
  });
}
QRT_DEFINE_KERNEL(softmax, AxisParams) {
  return unary(ctx, io, [&](const Tensor &x, Tensor &y) {
    return qrt::softmax(x, p.axis, y);
  });
}
QRT_DEFINE_KERNEL(prelu, NoParams) {
  // y has x's shape (the slope broadcasts into it).
  const Tensor &x = ctx[io.in[0]];
  Tensor out = x.defined() && x.dtype() == DType::F32
                   ? ctx.output(io.out[0], x.shape(), DType::F32)
                   : Tensor();
  Status s = qrt::prelu(x, ctx[io.in[1]], out);
  ctx[io.out[0]] = std::move(out);
  return s;
}
QRT_DEFINE_KERNEL(add, NoParams) { return binary(ctx, io, qrt::add); }
QRT_DEFINE_KERNEL(sub, NoParams) { return binary(ctx, io, qrt::sub); }
QRT_DEFINE_KERNEL(mul, NoParams) { return binary(ctx, io, qrt::mul); }
QRT_DEFINE_KERNEL(div, NoParams) { return binary(ctx, io, qrt::div); }

QRT_DEFINE_KERNEL(max_pool, Pool2dParams) {
  return unary(
      ctx, io, [&](const Tensor &x, Tensor &y) { return maxPool2d(x, p, y); },
      [&](const Tensor &x) { return poolShape(x, p); });
}
QRT_DEFINE_KERNEL(avg_pool, Pool2dParams) {
  return unary(
      ctx, io, [&](const Tensor &x, Tensor &y) { return avgPool2d(x, p, y); },
      [&](const Tensor &x) { return poolShape(x, p); });
}
QRT_DEFINE_KERNEL(global_avg_pool, NoParams) {
  return unary(ctx, io, globalAvgPool,
               [](const Tensor &x) -> std::optional<Shape> {
                 if (x.rank() != 4)
                   return std::nullopt;
                 return Shape{x.dim(0), x.dim(1), 1, 1};
               });
}
QRT_DEFINE_KERNEL(reduce_mean, ReduceParams) {
  return unary(
      ctx, io,
      [&](const Tensor &x, Tensor &y) {
        return reduceMean(x, p.axes, p.keepDims, y);
      },
      [&](const Tensor &x) -> std::optional<Shape> {
        Expected<Shape> shape = reduceShape(x.shape(), p.axes, p.keepDims);
        return shape ? std::optional<Shape>(*shape) : std::nullopt;
      });
}

QRT_DEFINE_KERNEL(concat, AxisParams) {
  std::vector<Tensor> inputs;
  for (Slot s : io.in)
    inputs.push_back(ctx[s]);
  Tensor out;
  if (std::optional<Shape> shape = concatShape(inputs, p.axis))
    out = ctx.output(io.out[0], *shape, inputs[0].dtype());
  Status s = qrt::concat(inputs, p.axis, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

/// in = {x, like}: like is read for its shape only.
QRT_DEFINE_KERNEL(expand, ExpandParams) {
  const Tensor &x = ctx[io.in[0]], &like = ctx[io.in[1]];
  if (!x.defined() || !like.defined())
    return invalidArgument("expand: undefined operand");
  Expected<Shape> shape = expandShape(x.shape(), like.shape(), p.axes);
  if (!shape)
    return shape.status();
  Tensor out = ctx.output(io.out[0], *shape, x.dtype());
  Status s = qrt::expand(x, like.shape(), p.axes, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

QRT_DEFINE_KERNEL(pad, PadParams) {
  const Tensor &in = ctx[io.in[0]];
  Tensor out;
  if (in.defined())
    if (std::optional<Shape> padded = paddedShape(in.shape(), p.pads))
      out = ctx.output(io.out[0], *padded, in.dtype());
  Status s = padConstant(in, p.pads, p.value, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

QRT_DEFINE_KERNEL(reshape, ReshapeParams) {
  Expected<Tensor> view = qrt::reshape(ctx[io.in[0]], p.shape);
  if (!view)
    return view.status();
  ctx[io.out[0]] = std::move(*view);
  return Status::ok();
}

QRT_DEFINE_KERNEL(flatten, AxisParams) {
  Expected<Tensor> view = qrt::flatten(ctx[io.in[0]], p.axis);
  if (!view)
    return view.status();
  ctx[io.out[0]] = std::move(*view);
  return Status::ok();
}

QRT_DEFINE_KERNEL(transpose, TransposeParams) {
  // Any dtype; an invalid perm is qrt::transpose's to report.
  const Tensor &in = ctx[io.in[0]];
  Tensor out;
  if (in.defined() && (int64_t)p.perm.size() == in.rank()) {
    Shape shape(in.rank());
    bool valid = true;
    for (size_t i = 0; i < shape.size() && valid; ++i) {
      valid = p.perm[i] >= 0 && p.perm[i] < in.rank();
      shape[i] = valid ? in.dim(p.perm[i]) : 0;
    }
    if (valid)
      out = ctx.output(io.out[0], shape, in.dtype());
  }
  Status s = qrt::transpose(in, p.perm, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

QRT_DEFINE_KERNEL(resize, ResizeStep) {
  return unary(
      ctx, io,
      [&](const Tensor &x, Tensor &y) {
        return resize2d(x, p.outH, p.outW, p.resize, y);
      },
      [&](const Tensor &x) -> std::optional<Shape> {
        if (x.rank() != 4 || p.outH < 0 || p.outW < 0)
          return std::nullopt;
        return Shape{x.dim(0), x.dim(1), p.outH, p.outW};
      });
}
