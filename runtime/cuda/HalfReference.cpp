//===- HalfReference.cpp --------------------------------------------------===//

#include "runtime/cuda/HalfReference.h"
#include "runtime/BackwardConv.h"
#include "runtime/ElementMath.h"
#include "runtime/HalfMath.h"

namespace qrt {
namespace cuda {
namespace halfref {

namespace {

Status checkF32(const Tensor &t, const char *what) {
  if (!t.defined())
    return invalidArgument(std::string("fp16 reference: ") + what +
                           " is undefined");
  return checkDType(t, DType::F32, what);
}

/// Σ over all but dimension 1 of an [outer, channels, inner...] tensor (a
/// linear layer's [N, M] has inner 1), in double.
Tensor channelSums(const Tensor &dy) {
  int64_t outer = dy.dim(0), channels = dy.dim(1);
  int64_t inner = dy.numel() / (outer * channels);
  Tensor out = Tensor::empty({channels}, DType::F32);
  const float *d = dy.data<float>();
  for (int64_t c = 0; c < channels; ++c) {
    double s = 0;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i)
        s += d[(o * channels + c) * inner + i];
    out.data<float>()[c] = static_cast<float>(s);
  }
  return out;
}

} // namespace

Tensor roundToHalf(const Tensor &t) {
  QRT_CHECK(t.defined() && t.dtype() == DType::F32,
            "halfref::roundToHalf needs an f32 tensor");
  Tensor out = Tensor::empty(t.shape(), DType::F32);
  const float *s = t.data<float>();
  float *d = out.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i)
    d[i] = hmath::roundThroughHalf(s[i]);
  return out;
}

Status conv(const Tensor &x, const Tensor &weight, const Tensor &bias,
            const Conv2dParams &params, Tensor &y) {
  QRT_RETURN_IF_ERROR(checkF32(x, "conv2d input"));
  QRT_RETURN_IF_ERROR(checkF32(weight, "conv2d weight"));
  Conv2dParams raw = params; // the epilogue is applied below
  raw.fuseRelu = raw.fuseSum = false;
  Expected<ConvPlan> plan =
      ConvPlan::create(x.shape(), roundToHalf(weight), Tensor(), raw);
  if (!plan)
    return plan.status();
  if (bias.defined() && (bias.dtype() != DType::F32 || bias.rank() != 1 ||
                         bias.dim(0) != weight.dim(0)))
    return invalidArgument("fp16 reference: conv2d bias must be f32 [" +
                           std::to_string(weight.dim(0)) + "]");
  if (params.fuseSum && (!y.defined() || y.dtype() != DType::F32 ||
                         y.shape() != plan->outputShape()))
    return invalidArgument("fp16 reference: conv2d with fuseSum needs y " +
                           shapeToString(plan->outputShape()) +
                           " holding the addend");
  Tensor c;
  QRT_RETURN_IF_ERROR(plan->run(roundToHalf(x), c));
  if (!params.fuseSum)
    y = Tensor::empty(plan->outputShape(), DType::F32);
  const Shape &s = plan->outputShape(); // as stored
  int64_t channels = params.dstChannelsLast ? s[3] : s[1];
  int64_t pixels = s[2] * (params.dstChannelsLast ? s[1] : s[3]);
  const float *cv = c.data<float>();
  const float *b = bias.defined() ? bias.data<float>() : nullptr;
  float *out = y.data<float>();
  for (int64_t i = 0; i < y.numel(); ++i) {
    int64_t ch =
        params.dstChannelsLast ? i % channels : (i / pixels) % channels;
    float v = hmath::roundThroughHalf(cv[i]);
    if (b)
      v = v + b[ch];
    if (params.fuseSum)
      v = v + out[i];
    if (params.fuseRelu)
      v = v > 0.f ? v : v * 0.f;
    if (params.fuseClip)
      v = emath::clip(v, params.clipMin, params.clipMax);
    out[i] = v;
  }
  return Status::ok();
}

Status convBackwardData(const Shape &inputShape, const Tensor &dy,
                        const Tensor &weight, const Conv2dParams &params,
                        Tensor &dx) {
  QRT_RETURN_IF_ERROR(checkF32(dy, "conv2d backward dy"));
  QRT_RETURN_IF_ERROR(checkF32(weight, "conv2d weight"));
  Expected<ConvBackwardPlan> plan =
      ConvBackwardPlan::create(inputShape, weight.shape(), false, params);
  if (!plan)
    return plan.status();
  Tensor raw;
  QRT_RETURN_IF_ERROR(
      plan->backwardData(roundToHalf(dy), roundToHalf(weight), raw));
  dx = roundToHalf(raw);
  return Status::ok();
}

Status convBackwardWeights(const Tensor &x, const Tensor &dy,
                           const Shape &weightShape, bool withBias,
                           const Conv2dParams &params, Tensor &dweight,
                           Tensor &dbias) {
  QRT_RETURN_IF_ERROR(checkF32(x, "conv2d input"));
  QRT_RETURN_IF_ERROR(checkF32(dy, "conv2d backward dy"));
  Expected<ConvBackwardPlan> plan =
      ConvBackwardPlan::create(x.shape(), weightShape, false, params);
  if (!plan)
    return plan.status();
  if (dy.shape() != plan->outputShape())
    return invalidArgument("fp16 reference: conv2d backward dy must be " +
                           shapeToString(plan->outputShape()) + ", got " +
                           shapeToString(dy.shape()));
  Tensor raw, unused;
  QRT_RETURN_IF_ERROR(
      plan->backwardWeights(roundToHalf(x), roundToHalf(dy), raw, unused));
  dweight = roundToHalf(raw);
  if (withBias)
    dbias = channelSums(dy);
  return Status::ok();
}

Status linear(const Tensor &x, const Tensor &weight, const Tensor &bias,
              bool fuseRelu, Tensor &y) {
  QRT_RETURN_IF_ERROR(checkF32(x, "linear input"));
  QRT_RETURN_IF_ERROR(checkF32(weight, "linear weight"));
  Expected<LinearPlan> plan =
      LinearPlan::create(x.shape(), roundToHalf(weight), bias, fuseRelu);
  if (!plan)
    return plan.status();
  y = Tensor();
  return plan->run(roundToHalf(x), y);
}

Status linearBackwardData(const Tensor &dy, const Tensor &weight,
                          Tensor &dx) {
  QRT_RETURN_IF_ERROR(checkF32(dy, "linear backward dy"));
  QRT_RETURN_IF_ERROR(checkF32(weight, "linear weight"));
  if (dy.rank() != 2 || weight.rank() != 2)
    return invalidArgument("fp16 reference: linear backward dy and weight "
                           "must be [N, M] and [M, K]");
  Expected<LinearBackwardPlan> plan = LinearBackwardPlan::create(
      {dy.dim(0), weight.dim(1)}, weight.shape(), false);
  if (!plan)
    return plan.status();
  dx = Tensor();
  return plan->backwardData(roundToHalf(dy), roundToHalf(weight), dx);
}

Status linearBackwardWeights(const Tensor &x, const Tensor &dy,
                             bool withBias, Tensor &dweight, Tensor &dbias) {
  QRT_RETURN_IF_ERROR(checkF32(x, "linear input"));
  QRT_RETURN_IF_ERROR(checkF32(dy, "linear backward dy"));
  if (x.rank() != 2 || dy.rank() != 2 || x.dim(0) != dy.dim(0))
    return invalidArgument("fp16 reference: linear backward x and dy must be "
                           "[N, K] and [N, M]");
  Expected<LinearBackwardPlan> plan = LinearBackwardPlan::create(
      x.shape(), {dy.dim(1), x.dim(1)}, false);
  if (!plan)
    return plan.status();
  Tensor unused;
  dweight = Tensor();
  QRT_RETURN_IF_ERROR(
      plan->backwardWeights(roundToHalf(x), roundToHalf(dy), dweight, unused));
  if (withBias)
    dbias = channelSums(dy);
  return Status::ok();
}

} // namespace halfref
} // namespace cuda
} // namespace qrt
