//===- TrainOps.cpp -------------------------------------------------------===//

#include "runtime/TrainOps.h"
#include "runtime/Parallel.h"
#include "runtime/PoolMath.h"
#include "runtime/TrainMath.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace qrt {

using detail::parallelFor;

namespace {

Status sameShape(const Tensor &a, const Tensor &b, const char *what) {
  if (a.shape() != b.shape())
    return invalidArgument(std::string(what) + ": shapes differ, " +
                           shapeToString(a.shape()) + " vs " +
                           shapeToString(b.shape()));
  return Status::ok();
}

Status checkPoolGrad(const Shape &xShape, const Pool2dParams &p,
                     const Tensor &dy, const char *name) {
  QRT_RETURN_IF_ERROR(checkDType(dy, DType::F32, name));
  Expected<Shape> out = pool2dOutputShape(xShape, p);
  if (!out)
    return out.status();
  if (*out != dy.shape())
    return invalidArgument(std::string(name) + ": dy must be " +
                           shapeToString(*out) + ", got " +
                           shapeToString(dy.shape()));
  return Status::ok();
}

} // namespace

Status reluBackward(const Tensor &y, const Tensor &dy, Tensor &dx) {
  QRT_RETURN_IF_ERROR(checkDType(y, DType::F32, "relu_backward y"));
  QRT_RETURN_IF_ERROR(checkDType(dy, DType::F32, "relu_backward dy"));
  QRT_RETURN_IF_ERROR(sameShape(y, dy, "relu_backward"));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dx, y.shape(), DType::F32, "relu_backward dx"));
  const float *py = y.data<float>(), *pg = dy.data<float>();
  float *out = dx.data<float>();
  parallelFor(y.numel(), 1, [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i)
      out[i] = tmath::reluGrad(py[i], pg[i]);
  });
  return Status::ok();
}

Status clipBackward(const Tensor &x, float lo, float hi, const Tensor &dy,
                    Tensor &dx) {
  QRT_RETURN_IF_ERROR(checkDType(x, DType::F32, "clip_backward x"));
  QRT_RETURN_IF_ERROR(checkDType(dy, DType::F32, "clip_backward dy"));
  QRT_RETURN_IF_ERROR(sameShape(x, dy, "clip_backward"));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dx, x.shape(), DType::F32, "clip_backward dx"));
  const float *px = x.data<float>(), *pg = dy.data<float>();
  float *out = dx.data<float>();
  parallelFor(x.numel(), 1, [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i)
      out[i] = tmath::clipGrad(px[i], lo, hi, pg[i]);
  });
  return Status::ok();
}

Status maxPool2dBackward(const Tensor &x, const Pool2dParams &p,
                         const Tensor &dy, Tensor &dx) {
  QRT_RETURN_IF_ERROR(checkDType(x, DType::F32, "max_pool_backward x"));
  QRT_RETURN_IF_ERROR(checkPoolGrad(x.shape(), p, dy, "max_pool_backward"));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dx, x.shape(), DType::F32, "max_pool_backward dx"));
  int64_t h = x.dim(2), w = x.dim(3), oh = dy.dim(2), ow = dy.dim(3);
  const float *in = x.data<float>(), *g = dy.data<float>();
  float *out = dx.data<float>();
  // Planes are independent: no write conflicts across threads. Each output
  // adds to its window's argmax in output order (pmath::maxPoolArgmax).
  parallelFor(x.dim(0) * x.dim(1), oh * ow * p.kernelH * p.kernelW,
              [&](int64_t s, int64_t e) {
                for (int64_t plane = s; plane < e; ++plane) {
                  const float *xi = in + plane * h * w;
                  const float *gi = g + plane * oh * ow;
                  float *di = out + plane * h * w;
                  std::fill(di, di + h * w, 0.f);
                  for (int64_t i = 0; i < oh; ++i)
                    for (int64_t j = 0; j < ow; ++j) {
                      int64_t arg = pmath::maxPoolArgmax(xi, h, w, i, j, p);
                      if (arg >= 0)
                        di[arg] += gi[i * ow + j];
                    }
                }
              });
  return Status::ok();
}

Status avgPool2dBackward(const Shape &xShape, const Pool2dParams &p,
                         const Tensor &dy, Tensor &dx) {
  if (p.dilationH != 1 || p.dilationW != 1)
    return Status::error(ErrorCode::Unsupported,
                         "avg_pool_backward: dilation is not supported");
  QRT_RETURN_IF_ERROR(checkPoolGrad(xShape, p, dy, "avg_pool_backward"));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dx, xShape, DType::F32, "avg_pool_backward dx"));
  int64_t h = xShape[2], w = xShape[3], oh = dy.dim(2), ow = dy.dim(3);
  const float *g = dy.data<float>();
  float *out = dx.data<float>();
  parallelFor(xShape[0] * xShape[1], oh * ow * p.kernelH * p.kernelW,
              [&](int64_t s, int64_t e) {
                for (int64_t plane = s; plane < e; ++plane) {
                  const float *gi = g + plane * oh * ow;
                  float *di = out + plane * h * w;
                  std::fill(di, di + h * w, 0.f);
                  for (int64_t i = 0; i < oh; ++i)
                    for (int64_t j = 0; j < ow; ++j) {
                      // The same window arithmetic as avgPool2d.
                      pmath::AvgWindow a = pmath::avgWindow(
                          h, w, i * p.strideH - p.padTop,
                          j * p.strideW - p.padLeft, p);
                      if (a.count <= 0)
                        continue;
                      float v = pmath::avgPoolGradShare(gi[i * ow + j],
                                                        a.count);
                      for (int64_t r = a.hs; r < a.he; ++r)
                        for (int64_t c = a.ws; c < a.we; ++c)
                          di[r * w + c] += v;
                    }
                }
              });
  return Status::ok();
}

Status globalAvgPoolBackward(const Shape &xShape, const Tensor &dy,
                             Tensor &dx) {
  QRT_RETURN_IF_ERROR(checkDType(dy, DType::F32, "global_avg_pool_backward"));
  if (xShape.size() != 4 || dy.shape() != Shape{xShape[0], xShape[1], 1, 1})
    return invalidArgument("global_avg_pool_backward: dy must be [N, C, 1, 1] "
                           "of x " +
                           shapeToString(xShape) + ", got " +
                           shapeToString(dy.shape()));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dx, xShape, DType::F32, "global_avg_pool_backward dx"));
  int64_t hw = xShape[2] * xShape[3];
  const float *g = dy.data<float>();
  float *out = dx.data<float>();
  float inv = pmath::globalAvgInv(hw);
  parallelFor(xShape[0] * xShape[1], hw, [&](int64_t s, int64_t e) {
    for (int64_t plane = s; plane < e; ++plane) {
      float v = pmath::globalAvgGrad(g[plane], inv);
      std::fill(out + plane * hw, out + (plane + 1) * hw, v);
    }
  });
  return Status::ok();
}

namespace {

/// padBackward, then per row of x: dx = y > 0 ? addend + dx : 0 where given.
Status padBackwardImpl(const Shape &xShape, const std::vector<int64_t> &pads,
                       const Tensor &dy, const Tensor *addend,
                       const Tensor *reluY, Tensor &dx) {
  QRT_RETURN_IF_ERROR(checkDType(dy, DType::F32, "pad_backward dy"));
  for (const Tensor *t : {addend, reluY})
    if (t) {
      QRT_RETURN_IF_ERROR(checkDType(*t, DType::F32, "pad_backward operand"));
      if (t->shape() != xShape)
        return invalidArgument("pad_backward: fused operand " +
                               shapeToString(t->shape()) + " is not x's " +
                               shapeToString(xShape));
    }
  size_t r = xShape.size();
  if (pads.size() != 2 * r || dy.shape().size() != r)
    return invalidArgument("pad_backward: pads must have 2 * rank entries");
  for (size_t d = 0; d < r; ++d)
    if (dy.shape()[d] != xShape[d] + pads[d] + pads[d + r])
      return invalidArgument("pad_backward: dy shape " +
                             shapeToString(dy.shape()) +
                             " is not the padded x " + shapeToString(xShape));
  QRT_RETURN_IF_ERROR(prepareOutput(dx, xShape, DType::F32, "pad_backward dx"));
  if (r == 0) { // a scalar pads to itself
    float v = dy.data<float>()[0];
    if (addend)
      v = addend->data<float>()[0] + v;
    if (reluY)
      v = reluY->data<float>()[0] > 0.f ? v : 0.f;
    dx.data<float>()[0] = v;
    return Status::ok();
  }
  // Walk the rows of x (last dim contiguous); the matching dy row starts at
  // the x index shifted by the begin pads.
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < r; ++d)
    rows *= xShape[d];
  int64_t last = xShape[r - 1];
  std::vector<int64_t> dyStride(r, 1);
  for (size_t d = r; d-- > 1;)
    dyStride[d - 1] = dyStride[d] * dy.shape()[d];
  const float *g = dy.data<float>();
  float *out = dx.data<float>();
  const float *add0 = addend ? addend->data<float>() : nullptr;
  const float *relu0 = reluY ? reluY->data<float>() : nullptr;
  const Shape &ds = dy.shape();
  int64_t b = pads[r - 1], dlast = ds[r - 1];
  // Rows are short (a feature-map row): per row, no division and no call.
  parallelFor(rows, last, [&](int64_t s, int64_t e) {
    std::vector<int64_t> idx(r - 1); // x index of the row, an odometer
    int64_t rem = s;
    for (size_t d = r - 1; d-- > 0;) {
      idx[d] = rem % xShape[d];
      rem /= xShape[d];
    }
    for (int64_t row = s; row < e; ++row) {
      int64_t off = 0;
      bool inside = true;
      for (size_t d = 0; d + 1 < r; ++d) {
        int64_t i = idx[d] + pads[d];
        inside &= i >= 0 && i < ds[d];
        off += i * dyStride[d];
      }
      float *o = out + row * last;
      // Columns c whose dy index c + b lies in [0, dlast): [c0, c1).
      int64_t c0 = inside ? std::min(last, std::max<int64_t>(0, -b)) : last;
      int64_t c1 = inside ? std::max(c0, std::min(last, dlast - b)) : last;
      const float *src = g + off + b;
      for (int64_t c = 0; c < c0; ++c)
        o[c] = 0.f;
      for (int64_t c = c0; c < c1; ++c)
        o[c] = src[c];
      for (int64_t c = c1; c < last; ++c)
        o[c] = 0.f;
      // The row is still in L1: the fused add and ReLU mask cost no pass.
      const float *a = add0 ? add0 + row * last : nullptr;
      const float *yr = relu0 ? relu0 + row * last : nullptr;
      // Unconditional arithmetic, then a select: the loops vectorize.
      if (a && yr)
        for (int64_t c = 0; c < last; ++c)
          o[c] = tmath::addReluGrad(a[c], o[c], yr[c]);
      else if (a)
        for (int64_t c = 0; c < last; ++c)
          o[c] = tmath::addGrad(a[c], o[c]);
      else if (yr)
        for (int64_t c = 0; c < last; ++c)
          o[c] = tmath::reluGrad(yr[c], o[c]);
      for (size_t d = r - 1; d-- > 0;) {
        if (++idx[d] < xShape[d])
          break;
        idx[d] = 0;
      }
    }
  });
  return Status::ok();
}

} // namespace

Status padBackward(const Shape &xShape, const std::vector<int64_t> &pads,
                   const Tensor &dy, Tensor &dx) {
  return padBackwardImpl(xShape, pads, dy, nullptr, nullptr, dx);
}

Status padBackwardAddReluBackward(const Shape &xShape,
                                  const std::vector<int64_t> &pads,
                                  const Tensor &dy, const Tensor *addend,
                                  const Tensor &reluY, Tensor &dx) {
  return padBackwardImpl(xShape, pads, dy, addend, &reluY, dx);
}

namespace {

/// Σ row[i] in kLanes double partial sums (element i to lane i % kLanes:
/// independent chains that vectorize, instead of one serial chain) combined
/// in lane order: the result does not depend on the vector width or the
/// thread count.
double sumRow(const float *row, int64_t n) {
  constexpr int kLanes = 8;
  double lane[kLanes] = {};
  int64_t full = n - n % kLanes;
  for (int64_t i0 = 0; i0 < full; i0 += kLanes)
    for (int j = 0; j < kLanes; ++j)
      lane[j] += row[i0 + j];
  for (int64_t i = full; i < n; ++i)
    lane[i - full] += row[i];
  double sum = 0.0;
  for (int j = 0; j < kLanes; ++j)
    sum += lane[j];
  return sum;
}

} // namespace

Status reduceSumToShape(const Tensor &dy, const Shape &shape, Tensor &out) {
  QRT_RETURN_IF_ERROR(checkDType(dy, DType::F32, "reduce_sum_to_shape dy"));
  const Shape &ds = dy.shape();
  if (shape.size() > ds.size())
    return invalidArgument("reduce_sum_to_shape: " + shapeToString(shape) +
                           " has higher rank than " + shapeToString(ds));
  size_t off = ds.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d)
    if (shape[d] != 1 && shape[d] != ds[off + d])
      return invalidArgument("reduce_sum_to_shape: " + shapeToString(shape) +
                             " does not broadcast to " + shapeToString(ds));
  QRT_RETURN_IF_ERROR(
      prepareOutput(out, shape, DType::F32, "reduce_sum_to_shape out"));
  const float *g = dy.data<float>();
  float *o = out.data<float>();
  int64_t n = dy.numel(), m = out.numel();
  if (n == m) { // no broadcast dimension of size > 1: a copy
    if (o != g)
      parallelFor(n, 1, [&](int64_t s, int64_t e) {
        std::memcpy(o + s, g + s, (e - s) * sizeof(float));
      });
    return Status::ok();
  }
  // Collapse dy into [outer, mid, inner] runs when the kept dims form one
  // contiguous block (the common bias / per-channel case), else walk dy.
  size_t rank = ds.size();
  std::vector<int64_t> outStride(rank, 0); // 0 along broadcast dims
  int64_t st = 1;
  for (size_t d = rank; d-- > 0;) {
    bool kept = d >= off && shape[d - off] == ds[d];
    if (kept && ds[d] != 1) {
      outStride[d] = st;
      st *= ds[d];
    }
  }
  // Rows of dy (its trailing broadcast dims collapsed into one run that
  // sums to a single output) are split into fixed chunks, each with its own
  // double accumulators; chunks combine in order, so the result does not
  // depend on the thread count.
  int64_t innerLen = 1; // trailing dims of dy that are all broadcast
  size_t firstTrail = rank;
  while (firstTrail > 0 && outStride[firstTrail - 1] == 0) {
    --firstTrail;
    innerLen *= ds[firstTrail];
  }
  int64_t outerCount = innerLen == 0 ? 0 : n / innerLen;
  // At most one chunk per 4 summands of an output, and a bounded buffer.
  int64_t chunks = std::max<int64_t>(
      1, std::min<int64_t>({64, outerCount, n / (1 << 15), n / (4 * m),
                            (int64_t(1) << 24) / m}));
  int64_t perChunk = chunks ? (outerCount + chunks - 1) / chunks : 0;
  std::vector<double> partial(static_cast<size_t>(chunks * m), 0.0);
  parallelFor(chunks, perChunk * innerLen, [&](int64_t cs, int64_t ce) {
    std::vector<int64_t> idx(firstTrail);
    for (int64_t c = cs; c < ce; ++c) {
      int64_t r0 = c * perChunk, r1 = std::min(outerCount, r0 + perChunk);
      if (r0 >= r1)
        continue;
      double *acc = partial.data() + c * m;
      int64_t rem = r0;
      for (size_t d = firstTrail; d-- > 0;) {
        idx[d] = rem % ds[d];
        rem /= ds[d];
      }
      for (int64_t r = r0; r < r1; ++r) {
        int64_t oi = 0;
        for (size_t d = 0; d < firstTrail; ++d)
          oi += idx[d] * outStride[d];
        acc[oi] += sumRow(g + r * innerLen, innerLen);
        for (size_t d = firstTrail; d-- > 0;) {
          if (++idx[d] < ds[d])
            break;
          idx[d] = 0;
        }
      }
    }
  });
  std::vector<double> acc(m, 0.0);
  for (int64_t c = 0; c < chunks; ++c)
    for (int64_t i = 0; i < m; ++i)
      acc[i] += partial[c * m + i];
  for (int64_t i = 0; i < m; ++i)
    o[i] = static_cast<float>(acc[i]);
  return Status::ok();
}

Status addBackward(const Tensor &dy, const Shape &aShape, const Shape &bShape,
                   Tensor &da, Tensor &db) {
  QRT_RETURN_IF_ERROR(reduceSumToShape(dy, aShape, da));
  return reduceSumToShape(dy, bShape, db);
}

//===-- Batch norm (training) ---------------------------------------------===//

namespace {

Status checkChannelParam(const Tensor &t, int64_t c, const char *what) {
  QRT_RETURN_IF_ERROR(checkDType(t, DType::F32, what));
  if (t.numel() != c)
    return invalidArgument(std::string(what) + " must have " +
                           std::to_string(c) + " elements, got " +
                           shapeToString(t.shape()));
  return Status::ok();
}

struct BnLayout {
  int64_t n = 0, c = 0, hw = 1;
};

Status bnLayout(const Tensor &x, const char *name, BnLayout &l) {
  QRT_RETURN_IF_ERROR(checkDType(x, DType::F32, name));
  if (x.rank() < 2)
    return invalidArgument(std::string(name) + ": x must be [N, C, ...], got " +
                           shapeToString(x.shape()));
  l.n = x.dim(0);
  l.c = x.dim(1);
  l.hw = 1;
  for (int64_t d = 2; d < x.rank(); ++d)
    l.hw *= x.dim(d);
  return Status::ok();
}

} // namespace

/// Σ f(i) for i in [0, n) in double: eight interleaved lanes, combined
/// pairwise. The order is a function of n alone (deterministic at any
/// thread count), and the eight independent chains pipeline and vectorize
/// where one running sum waits on every add.
template <typename F> static double laneSum(int64_t n, F f) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k)
      acc[k] += f(i + k);
  for (int k = 0; i < n; ++i, ++k)
    acc[k] += f(i);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) +
         ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

Status batchNormTrainForward(const Tensor &x, const Tensor &gamma,
                             const Tensor &beta, Tensor &runningMean,
                             Tensor &runningVar, float momentum, float eps,
                             Tensor &y, Tensor &saveMean, Tensor &saveInvstd,
                             Collective *sync) {
  if (sync && sync->size() < 2)
    sync = nullptr;
  BnLayout l;
  QRT_RETURN_IF_ERROR(bnLayout(x, "batch_norm_train", l));
  int64_t count = l.n * l.hw;
  if (sync) {
    // The global batch's count: every rank's samples.
    double total = static_cast<double>(count);
    QRT_RETURN_IF_ERROR(sync->allReduceSum(&total, 1));
    count = static_cast<int64_t>(total);
  }
  if (count < 2)
    return invalidArgument("batch_norm_train: need more than one value per "
                           "channel, got x " +
                           shapeToString(x.shape()));
  if (gamma.defined())
    QRT_RETURN_IF_ERROR(checkChannelParam(gamma, l.c, "batch_norm gamma"));
  if (beta.defined())
    QRT_RETURN_IF_ERROR(checkChannelParam(beta, l.c, "batch_norm beta"));
  bool track = runningMean.defined() || runningVar.defined();
  if (track) {
    QRT_RETURN_IF_ERROR(
        checkChannelParam(runningMean, l.c, "batch_norm running mean"));
    QRT_RETURN_IF_ERROR(
        checkChannelParam(runningVar, l.c, "batch_norm running var"));
  }
  QRT_RETURN_IF_ERROR(
      prepareOutput(y, x.shape(), DType::F32, "batch_norm_train y"));
  QRT_RETURN_IF_ERROR(
      prepareOutput(saveMean, {l.c}, DType::F32, "batch_norm save mean"));
  QRT_RETURN_IF_ERROR(
      prepareOutput(saveInvstd, {l.c}, DType::F32, "batch_norm save invstd"));
  const float *in = x.data<float>();
  float *out = y.data<float>();
  const float *pg = gamma.defined() ? gamma.data<float>() : nullptr;
  const float *pb = beta.defined() ? beta.data<float>() : nullptr;
  float *sm = saveMean.data<float>(), *si = saveInvstd.data<float>();
  float *rm = track ? runningMean.data<float>() : nullptr;
  float *rv = track ? runningVar.data<float>() : nullptr;
  int64_t chanStride = l.hw, batchStride = l.c * l.hw;
  auto channelSum = [&](int64_t c) {
    double sum = 0.0;
    for (int64_t b = 0; b < l.n; ++b) {
      const float *p = in + b * batchStride + c * chanStride;
      sum += laneSum(l.hw, [p](int64_t i) { return (double)p[i]; });
    }
    return sum;
  };
  auto channelSq = [&](int64_t c, double mean) {
    double sq = 0.0; // two-pass variance: no cancellation
    for (int64_t b = 0; b < l.n; ++b) {
      const float *p = in + b * batchStride + c * chanStride;
      sq += laneSum(l.hw, [p, mean](int64_t i) {
        return tmath::bnSquaredDeviation(p[i], mean);
      });
    }
    return sq;
  };
  auto finish = [&](int64_t c, double mean, double sq) {
    tmath::BnChannel ch = tmath::bnTrainChannel(
        mean, sq, count, eps, pg ? pg[c] : 1.f, pb ? pb[c] : 0.f);
    sm[c] = ch.saveMean;
    si[c] = ch.saveInvstd;
    if (track) {
      rm[c] = tmath::bnRunningMean(rm[c], mean, momentum);
      rv[c] = tmath::bnRunningVar(rv[c], sq, count, momentum);
    }
    for (int64_t b = 0; b < l.n; ++b) {
      const float *p = in + b * batchStride + c * chanStride;
      float *q = out + b * batchStride + c * chanStride;
      for (int64_t i = 0; i < l.hw; ++i)
        q[i] = tmath::bnApply(p[i], ch.a, ch.b);
    }
  };
  if (!sync) {
    // One channel per task: its statistics and outputs are independent.
    parallelFor(l.c, 3 * count, [&](int64_t s, int64_t e) {
      for (int64_t c = s; c < e; ++c) {
        double mean = tmath::bnMean(channelSum(c), count);
        finish(c, mean, channelSq(c, mean));
      }
    });
    return Status::ok();
  }
  // Synchronized: the same two passes, each rank's per-channel sums added
  // across the ranks between them.
  std::vector<double> sums(l.c), sqs(l.c);
  parallelFor(l.c, count, [&](int64_t s, int64_t e) {
    for (int64_t c = s; c < e; ++c)
      sums[c] = channelSum(c);
  });
  QRT_RETURN_IF_ERROR(sync->allReduceSum(sums.data(), l.c));
  parallelFor(l.c, count, [&](int64_t s, int64_t e) {
    for (int64_t c = s; c < e; ++c)
      sqs[c] = channelSq(c, tmath::bnMean(sums[c], count));
  });
  QRT_RETURN_IF_ERROR(sync->allReduceSum(sqs.data(), l.c));
  parallelFor(l.c, count, [&](int64_t s, int64_t e) {
    for (int64_t c = s; c < e; ++c)
      finish(c, tmath::bnMean(sums[c], count), sqs[c]);
  });
  return Status::ok();
}

Status batchNormTrainBackward(const Tensor &x, const Tensor &gamma,
                              const Tensor &saveMean, const Tensor &saveInvstd,
                              const Tensor &dy, Tensor &dx, Tensor &dgamma,
                              Tensor &dbeta, Collective *sync) {
  if (sync && sync->size() < 2)
    sync = nullptr;
  BnLayout l;
  QRT_RETURN_IF_ERROR(bnLayout(x, "batch_norm_backward", l));
  QRT_RETURN_IF_ERROR(checkDType(dy, DType::F32, "batch_norm_backward dy"));
  QRT_RETURN_IF_ERROR(sameShape(x, dy, "batch_norm_backward"));
  QRT_RETURN_IF_ERROR(
      checkChannelParam(saveMean, l.c, "batch_norm_backward save mean"));
  QRT_RETURN_IF_ERROR(
      checkChannelParam(saveInvstd, l.c, "batch_norm_backward save invstd"));
  bool affine = gamma.defined();
  if (affine) {
    QRT_RETURN_IF_ERROR(
        checkChannelParam(gamma, l.c, "batch_norm_backward gamma"));
    QRT_RETURN_IF_ERROR(
        prepareOutput(dgamma, {l.c}, DType::F32, "batch_norm dgamma"));
    QRT_RETURN_IF_ERROR(
        prepareOutput(dbeta, {l.c}, DType::F32, "batch_norm dbeta"));
  }
  QRT_RETURN_IF_ERROR(
      prepareOutput(dx, x.shape(), DType::F32, "batch_norm_backward dx"));
  const float *in = x.data<float>(), *g = dy.data<float>();
  const float *sm = saveMean.data<float>(), *si = saveInvstd.data<float>();
  const float *pg = affine ? gamma.data<float>() : nullptr;
  float *out = dx.data<float>();
  float *dg = affine ? dgamma.data<float>() : nullptr;
  float *db = affine ? dbeta.data<float>() : nullptr;
  int64_t count = l.n * l.hw, chanStride = l.hw, batchStride = l.c * l.hw;
  auto channelSums = [&](int64_t c, double &sumDy, double &sumDyXhat) {
    float mean = sm[c], invstd = si[c];
    sumDy = 0.0;
    sumDyXhat = 0.0;
    for (int64_t b = 0; b < l.n; ++b) {
      const float *p = in + b * batchStride + c * chanStride;
      const float *q = g + b * batchStride + c * chanStride;
      sumDy += laneSum(l.hw, [q](int64_t i) { return (double)q[i]; });
      sumDyXhat += laneSum(l.hw, [p, q, mean, invstd](int64_t i) {
        return tmath::bnDyXhat(q[i], p[i], mean, invstd);
      });
    }
  };
  // dx from the sums (in dy's scale) over `total` values per channel.
  auto finish = [&](int64_t c, double sumDy, double sumDyXhat, int64_t total) {
    float mean = sm[c], invstd = si[c];
    tmath::BnGradChannel ch =
        tmath::bnGradChannel(sumDy, sumDyXhat, total, pg ? pg[c] : 1.f, invstd);
    for (int64_t b = 0; b < l.n; ++b) {
      const float *p = in + b * batchStride + c * chanStride;
      const float *q = g + b * batchStride + c * chanStride;
      float *o = out + b * batchStride + c * chanStride;
      for (int64_t i = 0; i < l.hw; ++i)
        o[i] = tmath::bnGradX(q[i], p[i], mean, invstd, ch);
    }
  };
  if (!sync) {
    parallelFor(l.c, 3 * count, [&](int64_t s, int64_t e) {
      for (int64_t c = s; c < e; ++c) {
        double sumDy, sumDyXhat;
        channelSums(c, sumDy, sumDyXhat);
        if (affine) {
          dg[c] = static_cast<float>(sumDyXhat);
          db[c] = static_cast<float>(sumDy);
        }
        finish(c, sumDy, sumDyXhat, count);
      }
    });
    return Status::ok();
  }
  // Synchronized. Rank r's dy is its shard's mean-loss gradient; weighed by
  // w_r (its share of the global batch) it is the global batch's. The
  // global sums S = sum_r w_r S_r give dgamma / dbeta (which qnn.all_reduce
  // then leaves as they are: sum_r w_r S = S), and dx in rank r's own scale
  // uses S / w_r.
  double w = gradientWeight();
  if (!(w > 0))
    return invalidArgument("batch_norm_grad: the rank's gradient weight is " +
                           std::to_string(w) + ", not > 0");
  std::vector<double> sums(2 * l.c + 1);
  parallelFor(l.c, 2 * count, [&](int64_t s, int64_t e) {
    for (int64_t c = s; c < e; ++c) {
      channelSums(c, sums[2 * c], sums[2 * c + 1]);
      sums[2 * c] *= w;
      sums[2 * c + 1] *= w;
    }
  });
  sums[2 * l.c] = static_cast<double>(count);
  QRT_RETURN_IF_ERROR(sync->allReduceSum(sums.data(), sums.size()));
  int64_t total = static_cast<int64_t>(sums[2 * l.c]);
  parallelFor(l.c, count, [&](int64_t s, int64_t e) {
    for (int64_t c = s; c < e; ++c) {
      if (affine) {
        dg[c] = static_cast<float>(sums[2 * c + 1]);
        db[c] = static_cast<float>(sums[2 * c]);
      }
      finish(c, sums[2 * c] / w, sums[2 * c + 1] / w, total);
    }
  });
  return Status::ok();
}

//===-- Group norm (backward) ---------------------------------------------===//

Status groupNormBackward(const Tensor &x, const Tensor &gamma, const Tensor &dy,
                         int64_t groups, float eps, Tensor &dx, Tensor &dgamma,
                         Tensor &dbeta) {
  BnLayout l;
  QRT_RETURN_IF_ERROR(bnLayout(x, "group_norm_grad", l));
  QRT_RETURN_IF_ERROR(checkDType(dy, DType::F32, "group_norm_grad dy"));
  QRT_RETURN_IF_ERROR(sameShape(x, dy, "group_norm_grad"));
  QRT_RETURN_IF_ERROR(checkChannelParam(gamma, l.c, "group_norm_grad gamma"));
  if (groups < 1 || l.c % groups != 0)
    return invalidArgument("group_norm_grad: " + std::to_string(groups) +
                           " groups do not divide " + std::to_string(l.c) +
                           " channels");
  QRT_RETURN_IF_ERROR(
      prepareOutput(dx, x.shape(), DType::F32, "group_norm_grad dx"));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dgamma, {l.c}, DType::F32, "group_norm_grad dgamma"));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dbeta, {l.c}, DType::F32, "group_norm_grad dbeta"));
  int64_t perGroup = l.c / groups, cols = perGroup * l.hw;
  const float *in = x.data<float>(), *g = dy.data<float>(),
              *pg = gamma.data<float>();
  float *out = dx.data<float>();
  // Per sample and channel Σdy and Σdy·x̂, summed over the samples below
  // in a fixed order (deterministic at any thread count).
  std::vector<double> sumDy(l.n * l.c), sumDyXhat(l.n * l.c);
  parallelFor(l.n * groups, 6 * cols, [&](int64_t s, int64_t e) {
    for (int64_t r = s; r < e; ++r) {
      const float *xr = in + r * cols, *gr = g + r * cols;
      float *dr = out + r * cols;
      // The forward's statistics, summed in its order.
      double sum = 0.0;
      for (int64_t i = 0; i < cols; ++i)
        sum += xr[i];
      double mean = cols == 0 ? 0.0 : sum / (double)cols, sq = 0.0;
      for (int64_t i = 0; i < cols; ++i)
        sq += tmath::bnSquaredDeviation(xr[i], mean);
      if (cols == 0)
        continue;
      tmath::GnGroup st = tmath::gnGroup(mean, sq, cols, eps);
      int64_t n = r / groups, c0 = (r % groups) * perGroup;
      double sumG = 0.0, sumGXhat = 0.0;
      for (int64_t k = 0; k < perGroup; ++k) {
        const float *xc = xr + k * l.hw, *gc = gr + k * l.hw;
        double sdy = laneSum(l.hw, [gc](int64_t i) { return (double)gc[i]; });
        double sdyx = laneSum(l.hw, [xc, gc, st](int64_t i) {
          return tmath::bnDyXhat(gc[i], xc[i], st.mean, st.invstd);
        });
        sumDy[n * l.c + c0 + k] = sdy;
        sumDyXhat[n * l.c + c0 + k] = sdyx;
        sumG += sdy * pg[c0 + k];
        sumGXhat += sdyx * pg[c0 + k];
      }
      tmath::GnGradGroup gg = tmath::gnGradGroup(sumG, sumGXhat, cols);
      for (int64_t k = 0; k < perGroup; ++k) {
        const float *xc = xr + k * l.hw, *gc = gr + k * l.hw;
        float *dc = dr + k * l.hw, gamma = pg[c0 + k];
        for (int64_t i = 0; i < l.hw; ++i)
          dc[i] = tmath::gnGradX(gc[i], xc[i], gamma, st, gg);
      }
    }
  });
  float *dg = dgamma.data<float>(), *db = dbeta.data<float>();
  for (int64_t c = 0; c < l.c; ++c) {
    double a = 0.0, b = 0.0;
    for (int64_t n = 0; n < l.n; ++n) {
      a += sumDyXhat[n * l.c + c];
      b += sumDy[n * l.c + c];
    }
    dg[c] = static_cast<float>(a);
    db[c] = static_cast<float>(b);
  }
  return Status::ok();
}

//===-- Losses ------------------------------------------------------------===//

Status softmaxCrossEntropy(const Tensor &logits, const Tensor &labels,
                           float &loss, Tensor &dlogits) {
  QRT_RETURN_IF_ERROR(checkDType(logits, DType::F32, "softmax_ce logits"));
  if (logits.rank() != 2)
    return invalidArgument("softmax_ce: logits must be [N, C], got " +
                           shapeToString(logits.shape()));
  int64_t n = logits.dim(0), c = logits.dim(1);
  if (!labels.defined() ||
      (labels.dtype() != DType::I64 && labels.dtype() != DType::I32) ||
      labels.numel() != n || labels.rank() != 1)
    return invalidArgument("softmax_ce: labels must be i64 or i32 [" +
                           std::to_string(n) + "]");
  if (n < 1 || c < 1)
    return invalidArgument("softmax_ce: empty logits");
  std::vector<int64_t> lab(n);
  for (int64_t i = 0; i < n; ++i) {
    lab[i] = labels.dtype() == DType::I64 ? labels.data<int64_t>()[i]
                                          : labels.data<int32_t>()[i];
    if (lab[i] < 0 || lab[i] >= c)
      return invalidArgument("softmax_ce: label " + std::to_string(lab[i]) +
                             " of sample " + std::to_string(i) +
                             " outside [0, " + std::to_string(c) + ")");
  }
  QRT_RETURN_IF_ERROR(
      prepareOutput(dlogits, logits.shape(), DType::F32, "softmax_ce dlogits"));
  const float *in = logits.data<float>();
  float *out = dlogits.data<float>();
  std::vector<double> rowLoss(n);
  float invN = 1.f / static_cast<float>(n);
  parallelFor(n, 4 * c, [&](int64_t s, int64_t e) {
    for (int64_t r = s; r < e; ++r)
      rowLoss[r] = tmath::softmaxCrossEntropyRow(in + r * c, out + r * c, c,
                                                 lab[r], invN);
  });
  double total = 0.0;
  for (double v : rowLoss)
    total += v;
  loss = tmath::meanLoss(total, n);
  return Status::ok();
}

Status mseLoss(const Tensor &pred, const Tensor &target, float &loss,
               Tensor &dpred) {
  QRT_RETURN_IF_ERROR(checkDType(pred, DType::F32, "mse pred"));
  QRT_RETURN_IF_ERROR(checkDType(target, DType::F32, "mse target"));
  QRT_RETURN_IF_ERROR(sameShape(pred, target, "mse"));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dpred, pred.shape(), DType::F32, "mse dpred"));
  int64_t n = pred.numel();
  if (n == 0)
    return invalidArgument("mse: empty tensors");
  const float *p = pred.data<float>(), *t = target.data<float>();
  float *d = dpred.data<float>();
  float k = 2.f / static_cast<float>(n);
  int64_t chunk = tmath::kMseChunk, chunks = (n + chunk - 1) / chunk;
  std::vector<double> partial(chunks);
  parallelFor(chunks, chunk, [&](int64_t s, int64_t e) {
    for (int64_t ci = s; ci < e; ++ci) {
      int64_t b = ci * chunk, end = std::min(n, b + chunk);
      double acc = 0.0;
      for (int64_t i = b; i < end; ++i) {
        float diff = tmath::mseDiff(p[i], t[i]);
        acc += tmath::mseSquare(diff);
        d[i] = tmath::mseGrad(diff, k);
      }
      partial[ci] = acc;
    }
  });
  double total = 0.0;
  for (double v : partial)
    total += v;
  loss = tmath::meanLoss(total, n);
  return Status::ok();
}

//===-- Detection losses --------------------------------------------------===//

static Status checkNorm(float norm, const char *what) {
  if (std::isfinite(norm) && norm > 0.f)
    return Status::ok();
  return invalidArgument(std::string(what) +
                         ": the norm must be positive and finite, got " +
                         std::to_string(norm));
}

/// Sums fn(i) for i in [0, n) in chunks of kMseChunk (each in order, the
/// chunks in order: the same sum at any thread count).
template <typename Fn>
static double chunkedSum(int64_t n, int64_t costPerElement, Fn fn) {
  int64_t chunk = tmath::kMseChunk, chunks = (n + chunk - 1) / chunk;
  std::vector<double> partial(chunks);
  parallelFor(chunks, chunk * costPerElement, [&](int64_t s, int64_t e) {
    for (int64_t ci = s; ci < e; ++ci) {
      int64_t b = ci * chunk, end = std::min(n, b + chunk);
      double acc = 0.0;
      for (int64_t i = b; i < end; ++i)
        acc += fn(i);
      partial[ci] = acc;
    }
  });
  double total = 0.0;
  for (double v : partial)
    total += v;
  return total;
}

Status sigmoidFocalLoss(const Tensor &logits, const Tensor &classes,
                        float norm, double alpha, double gamma, float &loss,
                        Tensor &dlogits) {
  QRT_RETURN_IF_ERROR(checkDType(logits, DType::F32, "sigmoid_focal_loss logits"));
  QRT_RETURN_IF_ERROR(checkDType(classes, DType::I32, "sigmoid_focal_loss classes"));
  QRT_RETURN_IF_ERROR(checkNorm(norm, "sigmoid_focal_loss"));
  if (logits.rank() < 2 || classes.rank() + 1 != logits.rank())
    return invalidArgument("sigmoid_focal_loss: logits [N, C, d...] and "
                           "classes [N, d...] expected, got " +
                           shapeToString(logits.shape()) + " and " +
                           shapeToString(classes.shape()));
  int64_t n = logits.dim(0), c = logits.dim(1);
  int64_t positions = n * c == 0 ? 0 : logits.numel() / (n * c);
  if (classes.dim(0) != n || classes.numel() != n * positions)
    return invalidArgument("sigmoid_focal_loss: classes " +
                           shapeToString(classes.shape()) +
                           " do not match logits " +
                           shapeToString(logits.shape()));
  const int32_t *cls = classes.data<int32_t>();
  for (int64_t i = 0; i < classes.numel(); ++i)
    if (cls[i] < -1 || cls[i] >= c)
      return invalidArgument("sigmoid_focal_loss: class " +
                             std::to_string(cls[i]) + " at position " +
                             std::to_string(i) + " outside [-1, " +
                             std::to_string(c) + ")");
  QRT_RETURN_IF_ERROR(prepareOutput(dlogits, logits.shape(), DType::F32,
                                    "sigmoid_focal_loss dlogits"));
  const float *x = logits.data<float>();
  float *d = dlogits.data<float>();
  double scale = 1.0 / norm;
  double total = chunkedSum(logits.numel(), 16, [&](int64_t i) {
    int64_t s = i % positions, ch = (i / positions) % c,
            b = i / (positions * c);
    bool t = cls[b * positions + s] == ch;
    return tmath::sigmoidFocalElement(x[i], t, alpha, gamma, scale, d + i);
  });
  loss = static_cast<float>(total * scale);
  return Status::ok();
}

Status giouLoss(const Tensor &pred, const Tensor &target, const Tensor &weight,
                float norm, float &loss, Tensor &dpred) {
  QRT_RETURN_IF_ERROR(checkDType(pred, DType::F32, "giou_loss pred"));
  QRT_RETURN_IF_ERROR(checkDType(target, DType::F32, "giou_loss target"));
  QRT_RETURN_IF_ERROR(checkDType(weight, DType::F32, "giou_loss weight"));
  QRT_RETURN_IF_ERROR(sameShape(pred, target, "giou_loss"));
  QRT_RETURN_IF_ERROR(checkNorm(norm, "giou_loss"));
  if (pred.rank() < 2 || pred.dim(1) != 4 || weight.rank() != pred.rank() ||
      weight.dim(1) != 1 || weight.numel() * 4 != pred.numel() ||
      weight.dim(0) != pred.dim(0))
    return invalidArgument("giou_loss: boxes [N, 4, d...] and weight "
                           "[N, 1, d...] expected, got " +
                           shapeToString(pred.shape()) + " and " +
                           shapeToString(weight.shape()));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dpred, pred.shape(), DType::F32, "giou_loss dpred"));
  int64_t n = pred.dim(0), positions = n == 0 ? 0 : weight.numel() / n;
  const float *p = pred.data<float>(), *t = target.data<float>(),
              *w = weight.data<float>();
  float *d = dpred.data<float>();
  double inv = 1.0 / norm;
  double total = chunkedSum(weight.numel(), 64, [&](int64_t i) {
    int64_t b = i / positions, s = i % positions;
    int64_t base = b * 4 * positions + s;
    if (w[i] == 0.f) {
      for (int k = 0; k < 4; ++k)
        d[base + k * positions] = 0.f;
      return 0.0;
    }
    double pv[4], tv[4];
    float g[4];
    for (int k = 0; k < 4; ++k) {
      pv[k] = p[base + k * positions];
      tv[k] = t[base + k * positions];
    }
    double l = tmath::giouElement(pv, tv, w[i] * inv, g);
    for (int k = 0; k < 4; ++k)
      d[base + k * positions] = g[k];
    return static_cast<double>(w[i]) * l;
  });
  loss = static_cast<float>(total * inv);
  return Status::ok();
}

Status bceWithLogitsLoss(const Tensor &logits, const Tensor &target,
                         const Tensor &weight, float norm, float &loss,
                         Tensor &dlogits) {
  QRT_RETURN_IF_ERROR(checkDType(logits, DType::F32, "bce_with_logits logits"));
  QRT_RETURN_IF_ERROR(checkDType(target, DType::F32, "bce_with_logits target"));
  QRT_RETURN_IF_ERROR(checkDType(weight, DType::F32, "bce_with_logits weight"));
  QRT_RETURN_IF_ERROR(sameShape(logits, target, "bce_with_logits"));
  QRT_RETURN_IF_ERROR(sameShape(logits, weight, "bce_with_logits"));
  QRT_RETURN_IF_ERROR(checkNorm(norm, "bce_with_logits"));
  QRT_RETURN_IF_ERROR(prepareOutput(dlogits, logits.shape(), DType::F32,
                                    "bce_with_logits dlogits"));
  const float *x = logits.data<float>(), *t = target.data<float>(),
              *w = weight.data<float>();
  float *d = dlogits.data<float>();
  double inv = 1.0 / norm;
  double total = chunkedSum(logits.numel(), 16, [&](int64_t i) {
    d[i] = static_cast<float>(w[i] * (tmath::sigmoidD(x[i]) - t[i]) * inv);
    return w[i] == 0.f ? 0.0 : w[i] * tmath::bceLogit(x[i], t[i]);
  });
  loss = static_cast<float>(total * inv);
  return Status::ok();
}

//===-- Non-finite check --------------------------------------------------===//

int64_t firstNonFinite(const Tensor &t) {
  if (!t.defined() || t.dtype() != DType::F32)
    return -1;
  int64_t n = t.numel();
  const uint32_t *bits = static_cast<const uint32_t *>(t.rawData());
  constexpr uint32_t kExp = 0x7f800000u; // all exponent bits: Inf or NaN
  int64_t chunk = 1 << 14, chunks = (n + chunk - 1) / chunk;
  std::vector<int64_t> first(chunks, -1);
  parallelFor(chunks, chunk, [&](int64_t s, int64_t e) {
    for (int64_t ci = s; ci < e; ++ci) {
      int64_t b = ci * chunk, end = std::min(n, b + chunk);
      // Branch-free scan first (vectorizes); locate only on a hit.
      uint32_t any = 0;
      for (int64_t i = b; i < end; ++i)
        any |= (bits[i] & kExp) == kExp;
      if (!any)
        continue;
      for (int64_t i = b; i < end; ++i)
        if ((bits[i] & kExp) == kExp) {
          first[ci] = i;
          break;
        }
    }
  });
  for (int64_t v : first)
    if (v >= 0)
      return v;
  return -1;
}

Status checkFinite(const Tensor &t, const char *what) {
  int64_t i = firstNonFinite(t);
  if (i < 0)
    return Status::ok();
  float v = t.data<float>()[i];
  return invalidArgument(std::string("non-finite value ") +
                         (std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf")) +
                         " at index " + std::to_string(i) + " of " + what +
                         " " + shapeToString(t.shape()));
}

} // namespace qrt
