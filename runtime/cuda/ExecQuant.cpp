//===- ExecQuant.cpp - fake-quant and observer kernels on the device ------===//

#include "runtime/cuda/DnnConv.h"
#include "runtime/cuda/ExecKernel.h"
#include "runtime/cuda/ExecTrainInternal.h"
#include "runtime/cuda/Gemm.h"

using namespace qrt;
using namespace qrt::cuda;
using namespace qrt::cuda::exec;
namespace qe = qrt::exec;

/// The weight-only methods whose forward needs a whole-tensor reduction
/// (DoReFa's max |tanh w|, XNOR's mean |w| per group) or AdaRound's
/// rounding variables: computed by the CPU kernel on a host copy of the
/// weight (small next to the activations) and uploaded into `y`, so the
/// bits are the CPU's. In a training step that is one copy each way per
/// weight and step.
static Status weightFakeQuantOnHost(Context &ctx, const StepIO &io,
                                    const qe::FakeQuantParams &p,
                                    Granularity g, const DeviceTensor &y) {
  enum { kX, kScale, kZeroPoint, kClip, kBasis, kOffset };
  auto host = [&](int i) { return hostOperand(ctx, optionalIn(io, i)); };
  Expected<Tensor> w = host(kX);
  if (!w)
    return w.status();
  Tensor out;
  Status s;
  switch (p.kind) {
  case qe::FakeQuantKind::DorefaWeight:
    s = qrt::dorefaWeight(*w, p.bits, g, out);
    break;
  case qe::FakeQuantKind::XnorWeight:
    s = qrt::xnorWeight(*w, g, out);
    break;
  default: {
    Expected<Tensor> scale = host(kScale), zero = host(kZeroPoint),
                     v = host(kOffset);
    for (const Expected<Tensor> *t : {&scale, &zero, &v})
      if (!*t)
        return t->status();
    s = qrt::adaroundForward(*w, *scale, *zero, *v, p.range, g, p.hardened,
                             out);
    break;
  }
  }
  QRT_RETURN_IF_ERROR(s);
  return copyFromHost(out, y, ctx.stream());
}

QRT_CUDA_DEFINE_KERNEL(fake_quant, FakeQuantParams) {
  enum { kX, kScale, kZeroPoint, kClip, kBasis, kOffset };
  const DeviceTensor &x = ctx[io.in[kX]];
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, "fake_quant's input"));
  if (p.adaptive != WeightNorm::None)
    return invalidArgument("fake_quant: adaptive weight normalization runs "
                           "on the CPU only (fold it into the constant with "
                           "qnn-fold-adaptive)");
  auto param = [&](int i) -> const float * {
    const DeviceTensor &t = ctx.operand(optionalIn(io, i));
    return t.defined() && t.dtype == DType::F32 ? t.as<float>() : nullptr;
  };
  auto paramNumel = [&](int i) -> int64_t {
    return ctx.operand(optionalIn(io, i)).numel();
  };
  Granularity gran =
      p.axis < 0 ? Granularity::perTensor()
                 : Granularity{p.axis, p.groups > 0
                                           ? p.groups
                                           : (p.axis < (int64_t)x.shape.size()
                                                  ? x.shape[p.axis]
                                                  : 0)};
  Expected<GroupShape> g = groupShapeOf(x.shape, gran);
  if (!g)
    return g.status();
  // A parameter must have one value per group (the CPU kernels' check).
  for (int i : {kScale, kZeroPoint})
    if (param(i) && paramNumel(i) != g->numGroups &&
        p.kind != qe::FakeQuantKind::NonUniform &&
        p.kind != qe::FakeQuantKind::Lqnet)
      return invalidArgument("fake_quant: a parameter has " +
                             std::to_string(paramNumel(i)) + " values for " +
                             std::to_string(g->numGroups) + " group(s)");
  Expected<DeviceTensor> y = ctx.output(io.out[0], x.shape, DType::F32);
  if (!y)
    return y.status();
  const float *in = x.as<float>();
  float *out = y->as<float>();
  float qn = -p.range.qmin, qp = p.range.qmax;
  Stream st = ctx.stream();
  Status s;
  switch (p.kind) {
  case qe::FakeQuantKind::Affine:
    s = fakeQuantAffine(in, param(kScale), param(kZeroPoint), p.range, *g, out,
                        st);
    break;
  case qe::FakeQuantKind::Lsq:
    s = lsqForward(in, param(kScale), qn, qp, *g, out, st);
    break;
  case qe::FakeQuantKind::LsqPlus:
    s = lsqPlusForward(in, param(kScale), param(kZeroPoint), qn, qp, *g, out,
                       st);
    break;
  case qe::FakeQuantKind::Pact:
    s = pactForward(in, param(kClip), p.bits, *g, out, st);
    break;
  case qe::FakeQuantKind::DorefaActivation: {
    // The CPU reads the scalar clip on the host (1 without one); so does
    // this kernel, at the cost of one synchronization.
    const DeviceTensor &c = ctx.operand(optionalIn(io, kClip));
    float clip = 1.0f;
    if (c.defined() && c.numel() == 1) {
      Expected<float> v = hostScalarOf(c, st);
      if (!v)
        return v.status();
      clip = *v;
    }
    s = dorefaActivation(in, clip, p.bits, x.numel(), out, st);
    break;
  }
  case qe::FakeQuantKind::SignActivation:
    s = signActivation(in, x.numel(), out, st);
    break;
  case qe::FakeQuantKind::XnorPlusPlus:
    s = xnorWeightScaled(in, param(kScale), *g, out, st);
    break;
  case qe::FakeQuantKind::NonUniform:
    // The device kernel computes the half-range ramps only.
    if (p.isSigned) {
      // Bad operands fail as on the CPU; good ones are not computed here.
      if (paramNumel(kClip) != 2)
        return invalidArgument("non-uniform ternary (full range): alpha must "
                               "be 1-D with 2 slopes, got " +
                               std::to_string(paramNumel(kClip)));
      return unsupported("cuda: the non-uniform ternary (full range) "
                         "quantizer runs on the CPU only");
    }
    s = nonUniformForward(in, param(kClip), paramNumel(kClip), x.numel(), out,
                          st);
    break;
  case qe::FakeQuantKind::Lqnet: {
    const DeviceTensor &basis = ctx.operand(optionalIn(io, kBasis));
    int k = g->numGroups > 0 && basis.numel() % g->numGroups == 0
                ? (int)(basis.numel() / g->numGroups)
                : 0;
    size_t bytes = lqnetWorkspaceBytes(g->numGroups, k);
    Expected<void *> ws = ctx.workspace(bytes);
    if (!ws)
      return ws.status();
    s = lqnetForward(in, param(kBasis), k, p.isSigned, *g, *ws, bytes, out, st);
    break;
  }
  case qe::FakeQuantKind::DorefaWeight:
  case qe::FakeQuantKind::XnorWeight:
  case qe::FakeQuantKind::Adaround:
    return weightFakeQuantOnHost(ctx, io, p, gran, *y);
  }
  ctx[io.out[0]] = std::move(*y);
  return s;
}

// Observers run on the host over a copy of the observed tensor: the ranges
// are the CPU's by construction, and calibration is a few hundred images.
QRT_CUDA_DEFINE_KERNEL(observe, ObserveParams) {
  const DeviceTensor &x = ctx[io.in[0]];
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, "observe's input"));
  Expected<Tensor> host = download(x, ctx.stream());
  if (!host)
    return host.status();
  std::unique_ptr<Observer> &o = ctx.observer(p.name);
  if (!o)
    o = qe::makeObserver(p, *host);
  return o->update(*host);
}

//===----------------------------------------------------------------------===//
// Fake-quantized layers computed on the integers (the deployed layer's
// arithmetic): the input's integers recovered on the device, the weights'
// integers once on the host (qrt::quantize, the CPU's own function), the
// int8 plans of DnnConv.h / Gemm.h.
//===----------------------------------------------------------------------===//

namespace {
template <typename PlanT> struct ExactLayerState {
  std::map<Shape, PlanT> plans;
  DeviceGrid x, accScale, residual, y;
  DeviceTensor qx, acc, q, qres, unpadded; // the step's own buffers
  DeviceTensor accZero;                     // zeros [accScale's size]
  std::optional<EpiloguePlan> epilogue;
};
} // namespace

/// The host integers of the fake-quantized weight w (device) on grid `g`.
static Expected<Tensor> quantizedWeights(const Context &ctx,
                                         const DeviceTensor &w,
                                         const qe::QuantGrid &g) {
  Expected<Tensor> hw = download(w, ctx.stream());
  if (!hw)
    return hw.status();
  Tensor qw;
  QRT_RETURN_IF_ERROR(qrt::quantize(*hw, g.scale, g.zeroPoint,
                                    g.granularity(*hw), DType::I8, g.range,
                                    qw));
  return qw;
}

/// q_x of the step's input (per tensor on grid `g`) into the state's buffer.
template <typename StateT>
static Expected<DeviceTensor> inputIntegers(Context &ctx, const StepIO &io,
                                            const qe::QuantGrid &g,
                                            StateT &state) {
  const DeviceTensor &x = ctx[io.in[0]];
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, "the layer's input"));
  Expected<DeviceTensor> qx = scratch(state.qx, x.shape, g.dtype);
  if (!qx)
    return qx.status();
  qe::QuantGrid perTensor = g;
  perTensor.axis = -1;
  QRT_RETURN_IF_ERROR(quantizeOnDevice(x, perTensor, state.x, *qx,
                                       ctx.stream()));
  return qx;
}

template <typename PlanT, typename Make>
static Status exactLayer(Context &ctx, const StepIO &io,
                         const qe::ExactLayer &p, Make make) {
  auto &state = ctx.state<ExactLayerState<PlanT>>(io);
  Expected<DeviceTensor> qx = inputIntegers(ctx, io, p.x, state);
  if (!qx)
    return qx.status();
  auto it = state.plans.find(qx->shape);
  if (it == state.plans.end()) {
    Expected<Tensor> qw = quantizedWeights(ctx, ctx[io.in[1]], p.w);
    if (!qw)
      return qw.status();
    Expected<PlanT> made = make(qx->shape, *qw);
    if (!made)
      return made.status();
    it = state.plans.emplace(qx->shape, std::move(*made)).first;
  }
  const PlanT &plan = it->second;
  Expected<DeviceTensor> acc =
      scratch(state.acc, plan.outputShape(), DType::I32);
  if (!acc)
    return acc.status();
  Expected<void *> ws = ctx.workspace(plan.workspaceBytes());
  if (!ws)
    return ws.status();
  QRT_RETURN_IF_ERROR(
      plan.runAccumulate(qx->data, acc->as<int32_t>(), *ws, ctx.stream()));
  // out = acc s_x s_w[c] (+ bias [1, O, 1...]), as the CPU computes it.
  if (!state.accZero.defined()) {
    Expected<DeviceTensor> z = upload(
        Tensor::zeros({p.accScale.numel()}, DType::F32), ctx.stream());
    if (!z)
      return z.status();
    state.accZero = std::move(*z);
  }
  Expected<const DeviceTensor *> s =
      uploadOnce(state.accScale.scale, p.accScale, ctx.stream());
  if (!s)
    return s.status();
  Granularity ga = p.accScale.numel() == 1
                       ? Granularity::perTensor()
                       : Granularity{1, acc->shape[1]};
  Expected<GroupShape> g = groupShapeOf(acc->shape, ga);
  if (!g)
    return g.status();
  Expected<DeviceTensor> out = ctx.output(io.out[0], acc->shape, DType::F32);
  if (!out)
    return out.status();
  QRT_RETURN_IF_ERROR(cuda::dequantize(acc->data, DType::I32,
                                       (*s)->as<float>(),
                                       state.accZero.template as<float>(), *g,
                                       out->as<float>(), ctx.stream()));
  if (const DeviceTensor &bias = ctx.operand(optionalIn(io, 2));
      bias.defined()) {
    Shape shape(p.rank, 1);
    shape[1] = bias.numel();
    QRT_RETURN_IF_ERROR(cuda::add(out->as<float>(), out->shape,
                                  bias.as<float>(), shape, out->as<float>(),
                                  ctx.stream()));
  }
  ctx[io.out[0]] = std::move(*out);
  return Status::ok();
}

QRT_CUDA_DEFINE_KERNEL(exact_conv2d, ExactLayer) {
  int32_t zx = (int32_t)p.x.zeroPoint.data<float>()[0];
  return exactLayer<cuda::Int8ConvPlan>(
      ctx, io, p, [&](const Shape &in, const Tensor &qw) {
        return cuda::Int8ConvPlan::create(in, p.x.dtype, qw, Tensor(), p.conv, zx);
      });
}

QRT_CUDA_DEFINE_KERNEL(exact_linear, ExactLayer) {
  int32_t zx = (int32_t)p.x.zeroPoint.data<float>()[0];
  return exactLayer<cuda::Int8LinearPlan>(
      ctx, io, p, [&](const Shape &in, const Tensor &qw) {
        return cuda::Int8LinearPlan::create(in, p.x.dtype, qw, Tensor(), zx);
      });
}

QRT_CUDA_DEFINE_KERNEL(fused_conv2d_layer, FusedConvLayer) {
  auto &state = ctx.state<ExactLayerState<cuda::Int8ConvPlan>>(io);
  Expected<DeviceTensor> qx = inputIntegers(ctx, io, p.x, state);
  if (!qx)
    return qx.status();
  auto it = state.plans.find(qx->shape);
  if (it == state.plans.end()) {
    Expected<Tensor> qw = quantizedWeights(ctx, ctx[io.in[1]], p.w);
    if (!qw)
      return qw.status();
    Expected<cuda::Int8ConvPlan> made = cuda::Int8ConvPlan::create(
        qx->shape, p.x.dtype, *qw, Tensor(), p.conv,
        (int32_t)p.x.zeroPoint.data<float>()[0]);
    if (!made)
      return made.status();
    it = state.plans.emplace(qx->shape, std::move(*made)).first;
  }
  const cuda::Int8ConvPlan &plan = it->second;
  const Shape &shape = plan.outputShape();
  Expected<DeviceTensor> acc = scratch(state.acc, shape, DType::I32);
  if (!acc)
    return acc.status();
  Expected<void *> ws = ctx.workspace(plan.workspaceBytes());
  if (!ws)
    return ws.status();
  QRT_RETURN_IF_ERROR(
      plan.runAccumulate(qx->data, acc->as<int32_t>(), *ws, ctx.stream()));
  int64_t channels = p.conv.dstChannelsLast ? shape.back() : shape[1];
  if (!state.epilogue) {
    Expected<Tensor> bias = hostOperand(ctx, optionalIn(io, 2));
    if (!bias)
      return bias.status();
    Expected<EpiloguePlan> made = EpiloguePlan::create(
        p.epilogue, qe::accumulatorBiasOf(*bias, p), channels);
    if (!made)
      return made.status();
    state.epilogue = std::move(*made);
  }
  const void *residual = nullptr;
  if (Slot r = optionalIn(io, 3); r != kNoSlot) {
    const DeviceTensor &res = ctx[r];
    if (res.shape != shape)
      return invalidArgument("fused residual " + shapeToString(res.shape) +
                             " does not match the conv output " +
                             shapeToString(shape));
    Expected<DeviceTensor> qres = scratch(state.qres, shape, p.residual.dtype);
    if (!qres)
      return qres.status();
    qe::QuantGrid perTensor = p.residual;
    perTensor.axis = -1;
    QRT_RETURN_IF_ERROR(quantizeOnDevice(res, perTensor, state.residual, *qres,
                                         ctx.stream()));
    residual = qres->data;
  }
  Expected<DeviceTensor> q =
      scratch(state.q, shape, p.epilogue.outputDType);
  if (!q)
    return q.status();
  QRT_RETURN_IF_ERROR(state.epilogue->run(acc->as<int32_t>(), shape,
                                          p.conv.dstChannelsLast, residual,
                                          q->data, ctx.stream()));
  // (q - z_y) s_y, padded when the layer ends in a pad.
  QRT_RETURN_IF_ERROR(state.y.upload(p.y, ctx.stream()));
  GroupShape g = GroupShape::perTensor(numElements(shape));
  auto dequantizeInto = [&](const DeviceTensor &y) {
    return cuda::dequantize(q->data, q->dtype, state.y.scale.as<float>(),
                            state.y.zeroPoint.as<float>(), g, y.as<float>(),
                            ctx.stream());
  };
  DeviceTensor out;
  if (p.pads.empty()) {
    Expected<DeviceTensor> o = ctx.output(io.out[0], shape, DType::F32);
    if (!o)
      return o.status();
    out = std::move(*o);
    QRT_RETURN_IF_ERROR(dequantizeInto(out));
  } else {
    Expected<DeviceTensor> y = scratch(state.unpadded, shape, DType::F32);
    if (!y)
      return y.status();
    QRT_RETURN_IF_ERROR(dequantizeInto(*y));
    std::optional<Shape> padded = qrt::exec::paddedShape(shape, p.pads);
    if (!padded)
      return invalidArgument("the layer's pads do not fit its output " +
                             shapeToString(shape));
    Expected<DeviceTensor> o = ctx.output(io.out[0], *padded, DType::F32);
    if (!o)
      return o.status();
    out = std::move(*o);
    QRT_RETURN_IF_ERROR(cuda::pad(y->data, shape, DType::F32, p.pads, 0.0,
                                  out.data, ctx.stream()));
  }
  ctx[io.out[0]] = std::move(out);
  return Status::ok();
}
