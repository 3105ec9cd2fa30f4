//===- LqLayer.cpp - LQ-Nets layers on integer code planes ----------------===//

#include "runtime/LqLayer.h"

#include "runtime/GroupLayout.h"
#include "runtime/IntKernels.h"
#include "runtime/Parallel.h"

#include <string>

using namespace qrt;
using namespace qrt::lq;

Expected<Codebook> qrt::lq::makeCodebook(const Tensor &basisRows,
                                         bool signedCodes) {
  if (!basisRows.defined() || basisRows.dtype() != DType::F32 ||
      basisRows.rank() != 2 || basisRows.dim(0) < 1 || basisRows.dim(1) < 1 ||
      basisRows.dim(1) > 8)
    return invalidArgument("lq-nets layer: basis must be f32 [groups, K], K "
                           "in [1, 8], got " +
                           (basisRows.defined()
                                ? shapeToString(basisRows.shape())
                                : std::string("none")));
  Codebook cb;
  cb.k = (int)basisRows.dim(1);
  cb.signedCodes = signedCodes;
  cb.groups = basisRows.dim(0);
  const float *b = basisRows.data<float>();
  cb.basis.assign(b, b + basisRows.numel());
  int n = 1 << cb.k;
  cb.levels.resize(cb.groups * n);
  cb.codes.resize(cb.groups * n);
  for (int64_t g = 0; g < cb.groups; ++g)
    qmath::lqLevels(b + g * cb.k, cb.k, signedCodes, cb.levels.data() + g * n,
                    cb.codes.data() + g * n);
  return cb;
}

Expected<LqWeights> qrt::lq::encodeWeights(const Tensor &w,
                                           const Tensor &basisRows,
                                           bool signedCodes, Granularity g) {
  if (!w.defined() || w.dtype() != DType::F32 || w.rank() < 2)
    return invalidArgument("lq-nets layer: the weight must be f32 [O, ...]");
  if (g.numGroups != 1 && g.axis != 0)
    return invalidArgument("lq-nets layer: the weight's basis must be per "
                           "tensor or per group of output channels (axis 0)");
  Expected<Codebook> cb = makeCodebook(basisRows, signedCodes);
  if (!cb)
    return cb.status();
  int64_t oc = w.dim(0), inner = w.numel() / std::max<int64_t>(oc, 1);
  if (cb->groups != g.numGroups || oc % g.numGroups != 0)
    return invalidArgument("lq-nets layer: " + std::to_string(oc) +
                           " output channels cannot take a basis of " +
                           std::to_string(cb->groups) + " groups");
  int k = cb->k;
  LqWeights lw;
  lw.outChannels = oc;
  lw.k = k;
  Shape shape = w.shape();
  shape[0] = oc * k;
  lw.planes = Tensor::empty(shape, DType::I8);
  lw.coef.resize(oc * k);
  int8_t off = signedCodes ? -1 : 0;
  const float *wv = w.data<float>();
  int8_t *pl = lw.planes.data<int8_t>();
  int64_t perGroup = oc / g.numGroups;
  for (int64_t o = 0; o < oc; ++o) {
    int64_t grp = o / perGroup;
    for (int i = 0; i < k; ++i)
      lw.coef[o * k + i] = cb->basis[grp * k + i];
    for (int64_t e = 0; e < inner; ++e) {
      uint32_t code = cb->encode(wv[o * inner + e], grp);
      for (int i = 0; i < k; ++i)
        pl[(o * k + i) * inner + e] = ((code >> i) & 1u) ? int8_t(1) : off;
    }
  }
  return lw;
}

Status qrt::lq::encodeActivations(const Tensor &x, const Codebook &a,
                                  Tensor &planes) {
  if (!x.defined() || x.dtype() != DType::F32 || x.rank() < 2)
    return invalidArgument("lq-nets layer: the input must be f32 [N, ...]");
  if (a.groups != 1)
    return invalidArgument("lq-nets layer: the input's basis must be per "
                           "tensor");
  int k = a.k;
  int64_t n = x.dim(0), inner = x.numel() / std::max<int64_t>(n, 1);
  Shape shape = x.shape();
  shape[0] = n * k;
  DType dtype = a.signedCodes ? DType::I8 : DType::U8;
  if (!planes.defined() || planes.shape() != shape || planes.dtype() != dtype)
    planes = Tensor::empty(shape, dtype);
  // Both dtypes are one byte: +-1 as int8, 0 / 1 as uint8.
  auto *pl = static_cast<uint8_t *>(planes.rawData());
  uint8_t one = 1, off = a.signedCodes ? (uint8_t)(int8_t)-1 : 0;
  const float *xv = x.data<float>();
  detail::parallelFor(n * inner, 16, [&](int64_t s, int64_t e) {
    for (int64_t t = s; t < e; ++t) {
      int64_t b = t / inner, el = t % inner;
      uint32_t code = a.encode(xv[t], 0);
      for (int j = 0; j < k; ++j)
        pl[(b * k + j) * inner + el] = ((code >> j) & 1u) ? one : off;
    }
  });
  return Status::ok();
}

Status qrt::lq::combine(const Tensor &acc, const LqWeights &w,
                        const Codebook &a, const Tensor &bias, Tensor &y) {
  int ka = a.k, kw = w.k;
  int64_t oc = w.outChannels;
  if (!acc.defined() || acc.dtype() != DType::I32 || acc.rank() < 2 ||
      acc.dim(0) % ka != 0 || acc.dim(1) != oc * kw)
    return invalidArgument("lq-nets layer: accumulators of shape " +
                           (acc.defined() ? shapeToString(acc.shape())
                                          : std::string("none")) +
                           " do not hold the code planes' convolutions");
  if (bias.defined() && (bias.dtype() != DType::F32 || bias.numel() != oc))
    return invalidArgument("lq-nets layer: the bias must be f32 of " +
                           std::to_string(oc) + " elements");
  int64_t n = acc.dim(0) / ka;
  int64_t spatial = acc.numel() / (acc.dim(0) * acc.dim(1));
  Shape shape = acc.shape();
  shape[0] = n;
  shape[1] = oc;
  if (!y.defined() || y.shape() != shape || y.dtype() != DType::F32)
    y = Tensor::empty(shape, DType::F32);
  const int32_t *av = acc.data<int32_t>();
  const float *bv = bias.defined() ? bias.data<float>() : nullptr;
  float *yv = y.data<float>();
  const float *va = a.basis.data();
  // acc[(b K_a + j), (o K_w + i), s]
  int64_t strideI = spatial, strideJ = oc * kw * spatial;
  detail::parallelFor(n * oc, spatial * ka * kw, [&](int64_t s, int64_t e) {
    for (int64_t t = s; t < e; ++t) {
      int64_t b = t / oc, o = t % oc;
      const float *vw = w.coef.data() + o * kw;
      const int32_t *base = av + (b * ka * oc * kw + o * kw) * spatial;
      float *out = yv + t * spatial;
      for (int64_t p = 0; p < spatial; ++p) {
        float v = lqCombine(vw, kw, va, ka, base + p, strideI, strideJ);
        out[p] = bv ? v + bv[o] : v;
      }
    }
  });
  return Status::ok();
}

Status qrt::lq::lqConv2d(const Tensor &x, const LqWeights &w,
                         const Codebook &a, const Tensor &bias,
                         const Conv2dParams &p, Tensor &y) {
  Tensor planes, acc;
  QRT_RETURN_IF_ERROR(encodeActivations(x, a, planes));
  Conv2dParams geometry = p;
  geometry.srcChannelsLast = geometry.dstChannelsLast = false;
  Expected<Int8ConvPlan> plan = Int8ConvPlan::create(
      planes.shape(), planes.dtype(), w.planes, Tensor(), geometry, 0);
  if (!plan)
    return plan.status();
  QRT_RETURN_IF_ERROR(plan->runAccumulate(planes, acc));
  return combine(acc, w, a, bias, y);
}

Status qrt::lq::lqLinear(const Tensor &x, const LqWeights &w,
                         const Codebook &a, const Tensor &bias, Tensor &y) {
  Tensor planes, acc;
  QRT_RETURN_IF_ERROR(encodeActivations(x, a, planes));
  Expected<Int8LinearPlan> plan =
      Int8LinearPlan::create(planes.shape(), planes.dtype(), w.planes,
                             Tensor(), 0);
  if (!plan)
    return plan.status();
  QRT_RETURN_IF_ERROR(plan->runAccumulate(planes, acc));
  return combine(acc, w, a, bias, y);
}
