//===- ExecInteger.cpp - integer deployment kernels -------------------------===//

#include "runtime/ExecKernel.h"
#include "runtime/IntKernels.h"

#include <cstring>

using namespace qrt;
using namespace qrt::exec;

QRT_DEFINE_KERNEL(quantize, QuantGrid) {
  const Tensor &x = ctx[io.in[0]];
  Tensor out =
      x.defined() ? ctx.output(io.out[0], x.shape(), p.dtype) : Tensor();
  Status s = qrt::quantize(x, p.scale, p.zeroPoint, p.granularity(x), p.dtype,
                           p.range, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

QRT_DEFINE_KERNEL(dequantize, DequantizeParams) {
  const Tensor &x = ctx[io.in[0]];
  const QuantGrid &g = p.grid;
  if (p.constant) {
    // A quantized constant (weights, biases): dequantized once, then shared
    // (the state keeps a reference, so the buffer is never recycled).
    Tensor &cached = ctx.state<Tensor>(io);
    if (!cached.defined()) {
      Tensor out;
      QRT_RETURN_IF_ERROR(
          qrt::dequantize(x, g.scale, g.zeroPoint, g.granularity(x), out));
      cached = std::move(out);
    }
    ctx[io.out[0]] = cached;
    return Status::ok();
  }
  Tensor out =
      x.defined() ? ctx.output(io.out[0], x.shape(), DType::F32) : Tensor();
  Status s = qrt::dequantize(x, g.scale, g.zeroPoint, g.granularity(x), out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

QRT_DEFINE_KERNEL(requantize, RescaleParams) {
  Tensor acc;
  QRT_RETURN_IF_ERROR(
      subtractZeroPoint(ctx[io.in[0]], p.inputZeroPoint, acc));
  Tensor out = ctx.output(io.out[0], acc.shape(), p.options.outputDType);
  Slot b = optionalIn(io, 1);
  Status s;
  if (b != kNoSlot) {
    RequantizeOptions opts = p.options;
    opts.residual = ctx[b];
    s = qrt::requantize(acc, opts, out);
  } else {
    s = qrt::requantize(acc, p.options, out);
  }
  ctx[io.out[0]] = std::move(out);
  return s;
}

QRT_DEFINE_KERNEL(max_pool_int8, MaxPoolInt8Params) {
  const Tensor &x = ctx[io.in[0]];
  Tensor out;
  if (x.defined() && x.rank() == 4) {
    // maxPool2dInt8's shape rule: pooled in NCHW, stored in x's layout.
    Shape nchw = p.channelsLast ? fromChannelsLast(x.shape()) : x.shape();
    if (Expected<Shape> pooled = pool2dOutputShape(nchw, p.pool))
      out = ctx.output(io.out[0],
                       p.channelsLast ? toChannelsLast(*pooled) : *pooled,
                       x.dtype());
  }
  Status s = maxPool2dInt8(x, p.pool, p.channelsLast, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

QRT_DEFINE_KERNEL(qadd, QAddParams) {
  const Tensor &a = ctx[io.in[0]];
  Tensor out =
      a.defined() ? ctx.output(io.out[0], a.shape(), p.outputDType) : Tensor();
  Status s = qrt::qadd(a, ctx[io.in[1]], p, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

QRT_DEFINE_KERNEL(storage_cast, StorageCastParams) {
  // The same bytes under another 8-bit dtype.
  const Tensor &x = ctx[io.in[0]];
  if (!x.defined() || dtypeSize(x.dtype()) != dtypeSize(p.dtype))
    return invalidArgument("storage_cast: operand of another width");
  Tensor out = ctx.output(io.out[0], x.shape(), p.dtype);
  QRT_RETURN_IF_ERROR(prepareOutput(out, x.shape(), p.dtype, "storage_cast"));
  std::memcpy(out.rawData(), x.rawData(), x.nbytes());
  ctx[io.out[0]] = std::move(out);
  return Status::ok();
}

QRT_DEFINE_KERNEL(qconv2d_fused, QConvFused) {
  const Tensor &in = ctx[io.in[0]];
  if (!in.defined())
    return invalidArgument("qconv2d: undefined input");
  const Int8Epilogue &e = p.epilogue;
  auto &plans = ctx.state<PlanCache<Int8ConvPlan>>(io);
  auto it = plans.find(in.shape());
  if (it == plans.end()) {
    Expected<Int8ConvPlan> made = Int8ConvPlan::createFused(
        in.shape(), p.inputDType, ctx[io.in[1]],
        ctx.operand(optionalIn(io, 2)), p.conv, p.inputZeroPoint, e);
    if (!made)
      return made.status();
    it = plans.emplace(in.shape(), std::move(*made)).first;
  }
  const Shape &shape = it->second.outputShape();
  Slot r = optionalIn(io, 3);
  Tensor out;
  if (r != kNoSlot) {
    // The output starts as the residual (the sum post-op reads it): take
    // its buffer when it dies here, copy it otherwise.
    Tensor &res = ctx[r];
    if (res.shape() != shape || res.dtype() != e.outputDType)
      return invalidArgument("fused residual " + shapeToString(res.shape()) +
                             " does not match the conv output " +
                             shapeToString(shape));
    if (r != io.in[0] && Context::diesHere(io, r) && res.uniquelyOwned()) {
      out = std::move(res);
    } else {
      out = ctx.output(io.out[0], shape, e.outputDType);
      QRT_RETURN_IF_ERROR(
          prepareOutput(out, shape, e.outputDType, "fused residual"));
      // The memory plan may place the output on its dying residual.
      if (out.rawData() != res.rawData())
        std::memcpy(out.rawData(), res.rawData(), res.nbytes());
    }
  } else {
    out = ctx.output(io.out[0], shape, e.outputDType);
  }
  Status s = it->second.runFused(in, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}

namespace {
/// An int8 layer's plans per input shape, and the accumulator of a layer
/// with a float epilogue (reused across runs).
template <typename PlanT> struct IntLayerState {
  PlanCache<PlanT> plans;
  Tensor acc;
};
} // namespace

/// qconv2d / qlinear: a oneDNN int8 plan per input shape (weights reordered
/// once), then the requantization epilogue, the float epilogue, or the raw
/// accumulator.
template <typename PlanT, typename Make>
static Status intLayer(Context &ctx, const StepIO &io, const IntLayer &p,
                       Make make) {
  const Tensor &in = ctx[io.in[0]];
  if (!in.defined())
    return invalidArgument("undefined input");
  const Tensor &bias = ctx.operand(optionalIn(io, 2));
  auto &state = ctx.state<IntLayerState<PlanT>>(io);
  PlanCache<PlanT> &plans = state.plans;
  auto it = plans.find(in.shape());
  if (it == plans.end()) {
    // Requantized results take the bias in the epilogue.
    Expected<PlanT> made = make(in.shape(), p.raw ? bias : Tensor());
    if (!made)
      return made.status();
    it = plans.emplace(in.shape(), std::move(*made)).first;
  }
  if (p.floatOut.enabled) {
    // acc in a buffer of the step's own, then one pass to the f32 result.
    Tensor &acc = state.acc;
    if (acc.defined() && acc.shape() != it->second.outputShape())
      acc = Tensor(); // another batch size: a new buffer
    QRT_RETURN_IF_ERROR(it->second.runAccumulate(in, acc));
    Tensor out = ctx.output(io.out[0], acc.shape(), DType::F32);
    const FloatEpilogue &f = p.floatOut;
    EpilogueQuantize quantized;
    Tensor q;
    if (f.quantized) {
      quantized.dtype = f.output.dtype;
      quantized.scale = f.output.scale.data<float>()[0];
      quantized.zeroPoint = f.output.zeroPoint.data<float>()[0];
      quantized.range = f.output.range;
      q = ctx.output(io.out[1], acc.shape(), f.output.dtype);
    }
    Status s = applyFloatEpilogue(
        acc, f.grid.scale, f.grid.zeroPoint, ctx.operand(optionalIn(io, 3)),
        ctx.operand(optionalIn(io, 4)), f.relu, out,
        f.quantized ? &quantized : nullptr, f.quantized ? &q : nullptr,
        p.conv.dstChannelsLast);
    ctx[io.out[0]] = std::move(out);
    if (f.quantized)
      ctx[io.out[1]] = std::move(q);
    return s;
  }
  Tensor out = ctx.output(io.out[0], it->second.outputShape(),
                          p.raw ? DType::I32 : p.epilogue.outputDType);
  Status s;
  if (p.raw) {
    s = it->second.runAccumulate(in, out);
  } else {
    Tensor acc;
    s = it->second.runAccumulate(in, acc);
    if (s)
      s = applyEpilogue(acc, bias, Tensor(), p.epilogue, out);
  }
  ctx[io.out[0]] = std::move(out);
  return s;
}

QRT_DEFINE_KERNEL(qconv2d, IntLayer) {
  return intLayer<Int8ConvPlan>(
      ctx, io, p, [&](const Shape &in, const Tensor &bias) {
        return Int8ConvPlan::create(in, p.inputDType, ctx[io.in[1]], bias,
                                    p.conv, p.inputZeroPoint);
      });
}

QRT_DEFINE_KERNEL(qlinear, IntLayer) {
  return intLayer<Int8LinearPlan>(
      ctx, io, p, [&](const Shape &in, const Tensor &bias) {
        return Int8LinearPlan::create(in, p.inputDType, ctx[io.in[1]], bias,
                                      p.inputZeroPoint);
      });
}
