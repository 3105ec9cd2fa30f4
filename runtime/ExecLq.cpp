//===- ExecLq.cpp - the LQ-Nets layer kernels of a plan -------------------===//

#include "runtime/ExecKernel.h"
#include "runtime/IntKernels.h"
#include "runtime/LqLayer.h"

#include <algorithm>
#include <type_traits>

using namespace qrt;
using namespace qrt::exec;

namespace {
/// The weight's code planes and the input's levels, made once; the int8
/// plans per input shape; the input planes' buffer.
struct LqLayerState {
  bool ready = false;
  lq::LqWeights weights;
  lq::Codebook input;
  PlanCache<Int8ConvPlan> convs;
  PlanCache<Int8LinearPlan> linears;
  Tensor planes;
};
} // namespace

static Status prepare(Context &ctx, const StepIO &io, const LqLayer &p,
                      LqLayerState &state) {
  enum { kW = 1, kWeightBasis = 3, kInputBasis = 4 };
  Granularity g = p.weightGroups > 1 ? Granularity{0, p.weightGroups}
                                     : Granularity::perTensor();
  Expected<Tensor> wb = lqBasisRows(ctx[io.in[kWeightBasis]], g);
  if (!wb)
    return wb.status();
  const Tensor *weight = &ctx[io.in[kW]];
  Tensor normalized;
  if (p.adaptive != WeightNorm::None) {
    QRT_RETURN_IF_ERROR(weightNormalize(*weight, p.adaptive, g, normalized));
    weight = &normalized;
  }
  Expected<lq::LqWeights> w =
      lq::encodeWeights(*weight, *wb, p.weightSigned, g);
  if (!w)
    return w.status();
  Expected<Tensor> ab =
      lqBasisRows(ctx[io.in[kInputBasis]], Granularity::perTensor());
  if (!ab)
    return ab.status();
  Expected<lq::Codebook> a = lq::makeCodebook(*ab, p.inputSigned);
  if (!a)
    return a.status();
  state.weights = std::move(*w);
  state.input = std::move(*a);
  state.ready = true;
  return Status::ok();
}

/// Samples per chunk: the i32 accumulators of one chunk (K_a K_w times an
/// output's size) stay within ~8 MB, in cache rather than streamed through
/// memory (an 8-bit first layer has 64 per output). Each output depends on
/// its own sample only, so chunking changes no bit.
static int64_t chunkSamples(int64_t accPerSample) {
  constexpr int64_t kChunkBytes = int64_t(8) << 20;
  return std::max<int64_t>(1, kChunkBytes / std::max<int64_t>(
                                                1, accPerSample * 4));
}

template <typename PlanT, typename Make>
static Status lqLayer(Context &ctx, const StepIO &io, const LqLayer &p,
                      PlanCache<PlanT> LqLayerState::*plans, Make make) {
  constexpr bool isLinear = std::is_same_v<PlanT, Int8LinearPlan>;
  auto &state = ctx.state<LqLayerState>(io);
  if (!state.ready)
    QRT_RETURN_IF_ERROR(prepare(ctx, io, p, state));
  const Tensor &x = ctx[io.in[0]];
  const Tensor &bias = ctx.operand(optionalIn(io, 2));
  if (!x.defined() || x.dtype() != DType::F32 || x.rank() < 2 ||
      x.dim(0) < 1)
    return invalidArgument("lq-nets layer: the input must be f32 [N, ...] "
                           "with N >= 1");
  int64_t n = x.dim(0), perSample = x.numel() / n;
  int64_t oc = state.weights.outChannels;
  Shape shape{n, oc};
  if (!isLinear) {
    if (x.rank() != 4)
      return invalidArgument("lq-nets conv2d: the input must be 4-D");
    Shape w = state.weights.planes.shape();
    w[0] = oc;
    Expected<Shape> s = conv2dOutputShape(x.shape(), w, p.conv);
    if (!s)
      return s.status();
    shape = *s;
  }
  Tensor out = ctx.output(io.out[0], shape, DType::F32);
  if (!out.defined())
    out = Tensor::empty(shape, DType::F32);
  int64_t outPerSample = out.numel() / n;
  int64_t chunk =
      chunkSamples(outPerSample * state.input.k * state.weights.k);
  for (int64_t b0 = 0; b0 < n; b0 += chunk) {
    int64_t rows = std::min(chunk, n - b0);
    Shape xs = x.shape();
    xs[0] = rows;
    Tensor xc = Tensor::wrap(
        const_cast<float *>(x.data<float>()) + b0 * perSample, xs, DType::F32);
    QRT_RETURN_IF_ERROR(lq::encodeActivations(xc, state.input, state.planes));
    // A linear's input may arrive unflattened (the plan skips the flatten
    // between the quantizer and the layer): its planes as [N K_a, C].
    Tensor planes = state.planes;
    if (isLinear && planes.rank() > 2) {
      Expected<Tensor> flat =
          planes.reshape({planes.dim(0), planes.numel() / planes.dim(0)});
      if (!flat)
        return flat.status();
      planes = std::move(*flat);
    }
    PlanCache<PlanT> &cache = state.*plans;
    auto it = cache.find(planes.shape());
    if (it == cache.end()) {
      Expected<PlanT> made = make(planes, state.weights.planes);
      if (!made)
        return made.status();
      it = cache.emplace(planes.shape(), std::move(*made)).first;
    }
    Tensor acc;
    QRT_RETURN_IF_ERROR(it->second.runAccumulate(planes, acc));
    Shape ys = shape;
    ys[0] = rows;
    Tensor yc =
        Tensor::wrap(out.data<float>() + b0 * outPerSample, ys, DType::F32);
    QRT_RETURN_IF_ERROR(
        lq::combine(acc, state.weights, state.input, bias, yc));
  }
  ctx[io.out[0]] = std::move(out);
  return Status::ok();
}

QRT_DEFINE_KERNEL(lq_conv2d, LqLayer) {
  Conv2dParams geometry = p.conv;
  geometry.srcChannelsLast = geometry.dstChannelsLast = false;
  return lqLayer<Int8ConvPlan>(
      ctx, io, p, &LqLayerState::convs,
      [&](const Tensor &planes, const Tensor &w) {
        return Int8ConvPlan::create(planes.shape(), planes.dtype(), w,
                                    Tensor(), geometry, 0);
      });
}

QRT_DEFINE_KERNEL(lq_linear, LqLayer) {
  return lqLayer<Int8LinearPlan>(
      ctx, io, p, &LqLayerState::linears,
      [&](const Tensor &planes, const Tensor &w) {
        return Int8LinearPlan::create(planes.shape(), planes.dtype(), w,
                                      Tensor(), 0);
      });
}
