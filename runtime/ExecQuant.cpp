//===- ExecQuant.cpp - fake-quant, observer and exact layer kernels
//--------===//

#include "runtime/Elementwise.h"
#include "runtime/ExecKernel.h"
#include "runtime/FakeQuant.h"
#include "runtime/IntKernels.h"
#include "runtime/Observer.h"
#include "runtime/ShapeOps.h"

using namespace qrt;
using namespace qrt::exec;

QRT_DEFINE_KERNEL(fake_quant, FakeQuantParams) {
  enum { kX, kScale, kZeroPoint, kClip, kBasis, kOffset };
  const Tensor *xIn = &ctx[io.in[kX]];
  // model-quantization's `adaptive`: the quantizer sees the normalized
  // weight (over the quantizer's own groups).
  Tensor normalized;
  if (p.adaptive != WeightNorm::None && xIn->defined()) {
    QRT_RETURN_IF_ERROR(weightNormalize(
        *xIn, p.adaptive, granularityOf(p.axis, p.groups, *xIn), normalized));
    xIn = &normalized;
  }
  const Tensor &x = *xIn;
  auto param = [&](int i) -> const Tensor & {
    return ctx.operand(optionalIn(io, i));
  };
  Granularity g = granularityOf(p.axis, p.groups, x);
  // Every method's output has the input's shape (f32).
  Tensor y = x.defined() && x.dtype() == DType::F32
                 ? ctx.output(io.out[0], x.shape(), DType::F32)
                 : Tensor();
  float qn = -p.range.qmin, qp = p.range.qmax;
  Status s;
  switch (p.kind) {
  case FakeQuantKind::Affine:
    s = fakeQuantAffine(x, param(kScale), param(kZeroPoint), p.range, g, y);
    break;
  case FakeQuantKind::Lsq:
    s = lsqForward(x, param(kScale), qn, qp, g, y);
    break;
  case FakeQuantKind::LsqPlus:
    s = lsqPlusForward(x, param(kScale), param(kZeroPoint), qn, qp, g, y);
    break;
  case FakeQuantKind::Pact:
    s = pactForward(x, param(kClip), p.bits, g, y);
    break;
  case FakeQuantKind::DorefaWeight:
    s = dorefaWeight(x, p.bits, g, y);
    break;
  case FakeQuantKind::DorefaActivation: {
    // A scalar clip: its only element (1 without one).
    const Tensor &c = param(kClip);
    float clip = c.defined() && c.numel() == 1 ? c.data<float>()[0] : 1.0f;
    s = dorefaActivation(x, clip, p.bits, y);
    break;
  }
  case FakeQuantKind::XnorWeight:
    s = xnorWeight(x, g, y);
    break;
  case FakeQuantKind::SignActivation:
    s = signActivation(x, y);
    break;
  case FakeQuantKind::XnorPlusPlus:
    s = xnorWeightScaled(x, param(kScale), g, y);
    break;
  case FakeQuantKind::Lqnet: {
    Expected<Tensor> basis = lqBasisRows(param(kBasis), g);
    s = basis ? lqnetForward(x, *basis, p.isSigned, g, y) : basis.status();
    break;
  }
  case FakeQuantKind::NonUniform:
    // Half range: ramps from 0 (activations); full range: ternary.
    s = p.isSigned ? nonUniformTernaryForward(x, param(kClip), y)
                   : nonUniformForward(x, param(kClip), y);
    break;
  case FakeQuantKind::Adaround:
    s = adaroundForward(x, param(kScale), param(kZeroPoint), param(kOffset),
                        p.range, g, p.hardened, y);
    break;
  }
  ctx[io.out[0]] = std::move(y);
  return s;
}

static std::unique_ptr<Observer> makeObserverOf(const ObserveParams &p,
                                                QuantSpec spec) {
  switch (p.kind) {
  case ObserverKind::MinMax:
    return makeMinMaxObserver(spec);
  case ObserverKind::EmaMinMax:
    // qnn's momentum weighs the running value; qrt's constant the new batch.
    return makeMovingAverageMinMaxObserver(spec, 1.0f - p.momentum);
  case ObserverKind::Percentile:
    return makePercentileObserver(spec, p.percentile);
  case ObserverKind::Mse:
    return makeMseObserver(spec, p.norm);
  case ObserverKind::AvgMse:
    return makeMseObserver(spec, p.norm, 80, 0.01f, /*averaged=*/true);
  case ObserverKind::Entropy:
    return makeEntropyObserver(spec);
  case ObserverKind::LsqInit:
    return makeLsqInitObserver(spec);
  }
  return nullptr;
}

std::unique_ptr<Observer> qrt::exec::makeObserver(const ObserveParams &p,
                                                const Tensor &x) {
  QuantSpec spec;
  spec.bits = p.bits;
  spec.isSigned = p.isSigned;
  spec.symmetric = p.symmetric;
  spec.narrowRange = p.narrow;
  spec.granularity = granularityOf(p.axis, p.groups, x);
  return makeObserverOf(p, spec);
}

QRT_DEFINE_KERNEL(observe, ObserveParams) {
  const Tensor &x = ctx[io.in[0]];
  std::unique_ptr<Observer> &o = ctx.observer(p.name);
  if (!o)
    o = makeObserver(p, x);
  return o->update(x);
}

/// Int8 plans of an exact layer, per input shape, over the weights
/// quantized once.
template <typename PlanT> struct ExactLayerState {
  PlanCache<PlanT> plans;
  Tensor bias; // the bias as [1, O, 1...], or undefined
};

template <typename PlanT, typename Make>
static Status exactLayer(Context &ctx, const StepIO &io, const ExactLayer &p,
                         Make make) {
  const Tensor &w = ctx[io.in[1]];
  const Tensor &bias = ctx.operand(optionalIn(io, 2));
  // q_x, recovered exactly from the fake-quantized input.
  Tensor qx;
  QRT_RETURN_IF_ERROR(quantize(ctx[io.in[0]], p.x.scale, p.x.zeroPoint,
                               Granularity::perTensor(), p.x.dtype, p.x.range,
                               qx));
  auto &state = ctx.state<ExactLayerState<PlanT>>(io);
  auto it = state.plans.find(qx.shape());
  if (it == state.plans.end()) {
    Tensor qw;
    QRT_RETURN_IF_ERROR(quantize(w, p.w.scale, p.w.zeroPoint,
                                 p.w.granularity(w), DType::I8, p.w.range, qw));
    Expected<PlanT> made = make(qx.shape(), qw);
    if (!made)
      return made.status();
    it = state.plans.emplace(qx.shape(), std::move(*made)).first;
    if (bias.defined() && !state.bias.defined()) {
      Shape shape(p.rank, 1);
      shape[1] = bias.numel();
      Expected<Tensor> r = qrt::reshape(bias, shape);
      if (!r)
        return r.status();
      state.bias = std::move(*r);
    }
  }
  Tensor acc;
  QRT_RETURN_IF_ERROR(it->second.runAccumulate(qx, acc));
  Granularity ga = p.accScale.numel() == 1 ? Granularity::perTensor()
                                           : Granularity{1, acc.dim(1)};
  Tensor zero = Tensor::zeros({p.accScale.numel()}, DType::F32);
  // The result (of the accumulator's shape, the bias broadcasting into it)
  // where the context puts it.
  Tensor out = ctx.output(io.out[0], acc.shape(), DType::F32);
  if (state.bias.defined()) {
    Tensor scaled;
    QRT_RETURN_IF_ERROR(dequantize(acc, p.accScale, zero, ga, scaled));
    QRT_RETURN_IF_ERROR(qrt::add(scaled, state.bias, out));
  } else {
    QRT_RETURN_IF_ERROR(dequantize(acc, p.accScale, zero, ga, out));
  }
  ctx[io.out[0]] = std::move(out);
  return Status::ok();
}

QRT_DEFINE_KERNEL(exact_conv2d, ExactLayer) {
  int32_t zx = (int32_t)p.x.zeroPoint.data<float>()[0];
  return exactLayer<Int8ConvPlan>(
      ctx, io, p, [&](const Shape &in, const Tensor &qw) {
        return Int8ConvPlan::create(in, p.x.dtype, qw, Tensor(), p.conv, zx);
      });
}

QRT_DEFINE_KERNEL(exact_linear, ExactLayer) {
  int32_t zx = (int32_t)p.x.zeroPoint.data<float>()[0];
  return exactLayer<Int8LinearPlan>(
      ctx, io, p, [&](const Shape &in, const Tensor &qw) {
        return Int8LinearPlan::create(in, p.x.dtype, qw, Tensor(), zx);
      });
}

Tensor qrt::exec::accumulatorBiasOf(const Tensor &bias,
                                    const FusedConvLayer &p) {
  if (!bias.defined())
    return Tensor();
  int64_t oc = bias.numel();
  const float *sw = p.w.scale.data<float>();
  bool perChannel = p.w.scale.numel() != 1;
  std::vector<float> ib(oc);
  for (int64_t c = 0; c < oc; ++c)
    ib[c] = requant::accumulatorBias(bias.data<float>()[c],
                                     p.x.scale.data<float>()[0],
                                     sw[perChannel ? c : 0]);
  return Tensor::fromVector<float>({oc}, ib);
}

QRT_DEFINE_KERNEL(fused_conv2d_layer, FusedConvLayer) {
  const Tensor &w = ctx[io.in[1]];
  const Tensor &bias = ctx.operand(optionalIn(io, 2));
  Slot r = optionalIn(io, 3);
  Tensor qx;
  QRT_RETURN_IF_ERROR(quantize(ctx[io.in[0]], p.x.scale, p.x.zeroPoint,
                               Granularity::perTensor(), p.x.dtype, p.x.range,
                               qx));
  auto &plans = ctx.state<PlanCache<Int8ConvPlan>>(io);
  auto it = plans.find(qx.shape());
  if (it == plans.end()) {
    Tensor qw;
    QRT_RETURN_IF_ERROR(quantize(w, p.w.scale, p.w.zeroPoint,
                                 p.w.granularity(w), DType::I8, p.w.range, qw));
    Tensor qb = accumulatorBiasOf(bias, p);
    Expected<Int8ConvPlan> made = Int8ConvPlan::createFused(
        qx.shape(), p.x.dtype, qw, qb, p.conv,
        (int32_t)p.x.zeroPoint.data<float>()[0], p.epilogue);
    if (!made)
      return made.status();
    it = plans.emplace(qx.shape(), std::move(*made)).first;
  }
  Tensor q;
  if (r != kNoSlot) // the output buffer starts as the quantized residual
    QRT_RETURN_IF_ERROR(quantize(ctx[r], p.residual.scale, p.residual.zeroPoint,
                                 Granularity::perTensor(), p.residual.dtype,
                                 p.residual.range, q));
  QRT_RETURN_IF_ERROR(it->second.runFused(qx, q));
  // The result (padded when the layer ends in a pad) where the context
  // puts it.
  Tensor out;
  if (p.pads.empty()) {
    out = ctx.output(io.out[0], q.shape(), DType::F32);
    QRT_RETURN_IF_ERROR(
        dequantize(q, p.y.scale, p.y.zeroPoint, Granularity::perTensor(), out));
  } else {
    Tensor y;
    QRT_RETURN_IF_ERROR(
        dequantize(q, p.y.scale, p.y.zeroPoint, Granularity::perTensor(), y));
    if (std::optional<Shape> padded = paddedShape(y.shape(), p.pads))
      out = ctx.output(io.out[0], *padded, DType::F32);
    QRT_RETURN_IF_ERROR(padConstant(y, p.pads, 0.0, out));
  }
  ctx[io.out[0]] = std::move(out);
  return Status::ok();
}
