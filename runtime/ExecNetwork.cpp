//===- ExecNetwork.cpp - float network and data-movement kernels -----------===//

#include "runtime/Conv.h"
#include "runtime/Elementwise.h"
#include "runtime/ExecKernel.h"
#include "runtime/Pool.h"
#include "runtime/ShapeOps.h"

#include <cstring>

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
    out = ctx.output(cp.outputShape(), DType::F32);
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
      out = ctx.output(a.shape(), a.dtype());
      QRT_RETURN_IF_ERROR(
          prepareOutput(out, a.shape(), a.dtype(), "fused residual add"));
      std::memcpy(out.rawData(), a.rawData(), a.nbytes());
    }
  } else {
    std::vector<int64_t> perm = p.conv.dstChannelsLast
                                    ? std::vector<int64_t>{0, 2, 3, 1}
                                    : std::vector<int64_t>{0, 3, 1, 2};
    out = ctx.output(cp.outputShape(), DType::F32);
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
  Tensor out = ctx.output((*plan)->outputShape(), DType::F32);
  Status s = (*plan)->run(in, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

/// y = fn(x); `elementwise`: y has x's shape and dtype (buffer recycled).
template <typename Fn>
static Status unary(Context &ctx, const StepIO &io, bool elementwise, Fn fn) {
  const Tensor &in = ctx[io.in[0]];
  Tensor out = elementwise && in.defined() ? ctx.output(in.shape(), in.dtype())
                                           : Tensor();
  Status s = fn(in, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

/// y = fn(a, b); `elementwise`: with equal f32 operand shapes, y has a's.
template <typename Fn>
static Status binary(Context &ctx, const StepIO &io, bool elementwise, Fn fn) {
  const Tensor &l = ctx[io.in[0]], &r = ctx[io.in[1]];
  Tensor out = elementwise && l.defined() && r.defined() &&
                       l.shape() == r.shape() && l.dtype() == DType::F32 &&
                       r.dtype() == DType::F32
                   ? ctx.output(l.shape(), l.dtype())
                   : Tensor();
  Status s = fn(l, r, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

QRT_DEFINE_KERNEL(matmul, NoParams) {
  return binary(ctx, io, false, qrt::matmul);
}

QRT_DEFINE_KERNEL(batch_norm, BatchNormParams) {
  Tensor out;
  Status s = batchNorm(ctx[io.in[0]], ctx[io.in[1]], ctx[io.in[2]],
                       ctx[io.in[3]], ctx[io.in[4]], p.epsilon, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

QRT_DEFINE_KERNEL(relu, NoParams) { return unary(ctx, io, true, qrt::relu); }
QRT_DEFINE_KERNEL(sigmoid, NoParams) {
  return unary(ctx, io, true, qrt::sigmoid);
}
QRT_DEFINE_KERNEL(hard_swish, NoParams) {
  return unary(ctx, io, true, qrt::hardSwish);
}
QRT_DEFINE_KERNEL(hard_sigmoid, HardSigmoidParams) {
  return unary(ctx, io, false, [&](const Tensor &x, Tensor &y) {
    return hardSigmoid(x, p.alpha, p.beta, y);
  });
}
QRT_DEFINE_KERNEL(leaky_relu, LeakyReluParams) {
  return unary(ctx, io, false, [&](const Tensor &x, Tensor &y) {
    return leakyRelu(x, p.alpha, y);
  });
}
QRT_DEFINE_KERNEL(clip, ClipParams) {
  return unary(ctx, io, false, [&](const Tensor &x, Tensor &y) {
    return qrt::clip(x, p.lo, p.hi, y);
  });
}
QRT_DEFINE_KERNEL(softmax, AxisParams) {
  return unary(ctx, io, false, [&](const Tensor &x, Tensor &y) {
    return qrt::softmax(x, p.axis, y);
  });
}
QRT_DEFINE_KERNEL(prelu, NoParams) {
  return binary(ctx, io, false, qrt::prelu);
}
QRT_DEFINE_KERNEL(add, NoParams) { return binary(ctx, io, true, qrt::add); }
QRT_DEFINE_KERNEL(sub, NoParams) { return binary(ctx, io, true, qrt::sub); }
QRT_DEFINE_KERNEL(mul, NoParams) { return binary(ctx, io, true, qrt::mul); }
QRT_DEFINE_KERNEL(div, NoParams) { return binary(ctx, io, true, qrt::div); }

QRT_DEFINE_KERNEL(max_pool, Pool2dParams) {
  return unary(ctx, io, false, [&](const Tensor &x, Tensor &y) {
    return maxPool2d(x, p, y);
  });
}
QRT_DEFINE_KERNEL(avg_pool, Pool2dParams) {
  return unary(ctx, io, false, [&](const Tensor &x, Tensor &y) {
    return avgPool2d(x, p, y);
  });
}
QRT_DEFINE_KERNEL(global_avg_pool, NoParams) {
  return unary(ctx, io, false, globalAvgPool);
}

QRT_DEFINE_KERNEL(concat, AxisParams) {
  std::vector<Tensor> inputs;
  for (Slot s : io.in)
    inputs.push_back(ctx[s]);
  Tensor out;
  Status s = qrt::concat(inputs, p.axis, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

QRT_DEFINE_KERNEL(pad, PadParams) {
  const Tensor &in = ctx[io.in[0]];
  Tensor out;
  if (in.defined() && p.pads.size() == 2 * in.shape().size()) {
    Shape padded = in.shape();
    size_t r = padded.size();
    bool valid = true;
    for (size_t d = 0; d < r; ++d) {
      padded[d] += p.pads[d] + p.pads[d + r];
      valid &= padded[d] >= 0;
    }
    if (valid)
      out = ctx.output(padded, in.dtype());
  }
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
  return unary(ctx, io, false, [&](const Tensor &x, Tensor &y) {
    return qrt::transpose(x, p.perm, y);
  });
}

QRT_DEFINE_KERNEL(resize, ResizeStep) {
  return unary(ctx, io, false, [&](const Tensor &x, Tensor &y) {
    return resize2d(x, p.outH, p.outW, p.resize, y);
  });
}
