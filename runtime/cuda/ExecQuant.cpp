//===- ExecQuant.cpp - fake-quant and observer kernels on the device ------===//

#include "runtime/cuda/ExecKernel.h"

using namespace qrt;
using namespace qrt::cuda;
using namespace qrt::cuda::exec;
namespace qe = qrt::exec;

static const char *methodName(qe::FakeQuantKind k) {
  switch (k) {
  case qe::FakeQuantKind::Affine:
    return "affine";
  case qe::FakeQuantKind::Lsq:
    return "lsq";
  case qe::FakeQuantKind::LsqPlus:
    return "lsq+";
  case qe::FakeQuantKind::Pact:
    return "pact";
  case qe::FakeQuantKind::DorefaWeight:
    return "dorefa (weights)";
  case qe::FakeQuantKind::DorefaActivation:
    return "dorefa (activations)";
  case qe::FakeQuantKind::XnorWeight:
    return "xnor (weights)";
  case qe::FakeQuantKind::SignActivation:
    return "sign";
  case qe::FakeQuantKind::XnorPlusPlus:
    return "xnor++";
  case qe::FakeQuantKind::Lqnet:
    return "lqnet";
  case qe::FakeQuantKind::NonUniform:
    return "non-uniform";
  case qe::FakeQuantKind::Adaround:
    return "adaround";
  }
  return "?";
}

/// A host float of a one-element device tensor (synchronizes the stream).
static Expected<float> scalarOf(const DeviceTensor &t, Stream stream) {
  if (!t.defined() || t.dtype != DType::F32 || t.numel() != 1)
    return invalidArgument("expected an f32 scalar");
  Expected<Tensor> h = download(t, stream);
  if (!h)
    return h.status();
  return h->data<float>()[0];
}

QRT_CUDA_DEFINE_KERNEL(fake_quant, FakeQuantParams) {
  enum { kX, kScale, kZeroPoint, kClip, kBasis, kOffset };
  const DeviceTensor &x = ctx[io.in[kX]];
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, "fake_quant's input"));
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
      Expected<float> v = scalarOf(c, st);
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
    return unsupported(std::string("fake_quant: the ") + methodName(p.kind) +
                       " method has no CUDA kernel yet");
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
