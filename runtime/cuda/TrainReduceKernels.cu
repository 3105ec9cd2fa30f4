//===- TrainReduceKernels.cu - reduce_to, batch norm, losses --------------===//
//
// TrainKernels.h's kernels that sum: reduce_to / bias_grad and batch norm's
// statistics through the two-stage double sum of TrainCommon.cuh
// (deterministic, within rounding of the CPU's lane and thread split), and
// the losses, which sum in the CPU's own order (softmax cross-entropy: one
// row per thread, rows in order; MSE: the CPU's chunks, each in order, then
// chunks in order). Elements and per-channel values are TrainMath.h's.
//
//===----------------------------------------------------------------------===//

#include "runtime/TrainMath.h"
#include "runtime/cuda/TrainCommon.cuh"

#include <cstdint>

namespace qrt {
namespace cuda {

using namespace detail;

namespace {

//===-- reduce_to ------------------------------------------------------------===//

/// Output k (row-major over the kept dimensions) and its j-th summand (row-
/// major over the summed dimensions) as an input offset.
struct ReduceIndex {
  int nk = 0, nr = 0;
  int64_t kd[kMaxRank], ks[kMaxRank], rd[kMaxRank], rs[kMaxRank];
  __device__ int64_t operator()(int64_t k, int64_t j) const {
    int64_t off = 0;
    for (int d = nk - 1; d >= 0; --d) {
      off += (k % kd[d]) * ks[d];
      k /= kd[d];
    }
    for (int d = nr - 1; d >= 0; --d) {
      off += (j % rd[d]) * rs[d];
      j /= rd[d];
    }
    return off;
  }
};

struct SumOp {
  const float *x;
  __device__ void operator()(int64_t i, int64_t, double (&acc)[1]) const {
    acc[0] += x[i];
  }
};
struct StoreSum {
  float *y;
  __device__ void operator()(int64_t k, const double (&s)[1]) const {
    y[k] = (float)s[0];
  }
};
struct CopyOp {
  const float *x;
  float *y;
  __device__ void operator()(int64_t i) const { y[i] = x[i]; }
};

/// reduceSumToShape's checks, and the index of its sums.
Status reducePlan(const Shape &ds, const Shape &shape, ReduceIndex &ix,
                  int64_t &outputs, int64_t &summands) {
  if (ds.size() > (size_t)kMaxRank)
    return invalidArgument("cuda reduce_to: rank exceeds 8");
  if (shape.size() > ds.size())
    return invalidArgument("reduce_sum_to_shape: " + shapeToString(shape) +
                           " has higher rank than " + shapeToString(ds));
  size_t off = ds.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d)
    if (shape[d] != 1 && shape[d] != ds[off + d])
      return invalidArgument("reduce_sum_to_shape: " + shapeToString(shape) +
                             " does not broadcast to " + shapeToString(ds));
  outputs = numElements(shape);
  summands = 1;
  int64_t stride = 1;
  int64_t st[kMaxRank];
  for (size_t d = ds.size(); d-- > 0;) {
    st[d] = stride;
    stride *= ds[d];
  }
  for (size_t d = 0; d < ds.size(); ++d) {
    if (ds[d] == 1)
      continue;
    bool kept = d >= off && shape[d - off] == ds[d];
    if (kept) {
      ix.kd[ix.nk] = ds[d];
      ix.ks[ix.nk++] = st[d];
    } else if (ix.nr > 0 &&
               ix.rs[ix.nr - 1] == st[d] * ds[d]) { // merge with previous
      ix.rd[ix.nr - 1] *= ds[d];
      ix.rs[ix.nr - 1] = st[d];
      summands *= ds[d];
    } else {
      ix.rd[ix.nr] = ds[d];
      ix.rs[ix.nr++] = st[d];
      summands *= ds[d];
    }
  }
  return Status::ok();
}

//===-- Batch norm -----------------------------------------------------------===//

/// Workspace after the partial sums: per channel the double mean, then
/// the float a, b (forward) or the BnGradChannel (backward), then the
/// 2 C + 1 doubles a synchronized batch norm sums over the ranks.
struct BnWork {
  double *partial, *mean;
  float *a, *b;
  tmath::BnGradChannel *grad;
  double *sums;
};
BnWork bnWork(void *w, int64_t c, int64_t count, int p) {
  BnWork r;
  char *base = static_cast<char *>(w);
  r.partial = reinterpret_cast<double *>(base);
  base += align8(reduceWorkspace(c, count, p));
  r.mean = reinterpret_cast<double *>(base);
  base += align8(c * sizeof(double));
  r.a = reinterpret_cast<float *>(base);
  r.b = r.a + c;
  r.grad = reinterpret_cast<tmath::BnGradChannel *>(base);
  base += align8(c * sizeof(tmath::BnGradChannel));
  r.sums = reinterpret_cast<double *>(base);
  return r;
}
size_t bnWorkBytes(int64_t c, int64_t count, int p) {
  return align8(reduceWorkspace(c, count, p)) + align8(c * sizeof(double)) +
         align8(c * sizeof(tmath::BnGradChannel)) +
         align8((2 * c + 1) * sizeof(double));
}

struct BnLayout {
  int64_t n = 0, c = 0, hw = 1;
};
Status bnLayout(const Shape &x, const char *name, BnLayout &l) {
  if (x.size() < 2)
    return invalidArgument(std::string(name) + ": x must be [N, C, ...], got " +
                           shapeToString(x));
  l.n = x[0];
  l.c = x[1];
  l.hw = 1;
  for (size_t d = 2; d < x.size(); ++d)
    l.hw *= x[d];
  return Status::ok();
}
Segments bnSegments(const BnLayout &l) {
  Segments s;
  s.groups = l.c;
  s.outer = l.n;
  s.segment = l.hw;
  s.stride = l.c * l.hw;
  return s;
}

struct StoreMean {
  double *mean;
  int64_t count;
  __device__ void operator()(int64_t k, const double (&s)[1]) const {
    mean[k] = tmath::bnMean(s[0], count);
  }
};
struct SquaredDeviationOp {
  const float *x;
  const double *mean;
  __device__ void operator()(int64_t i, int64_t k, double (&acc)[1]) const {
    acc[0] += tmath::bnSquaredDeviation(x[i], mean[k]);
  }
};
struct BnFinish {
  const double *mean;
  int64_t count;
  float eps, momentum;
  const float *gamma, *beta, *rmIn, *rvIn;
  float *saveMean, *saveInvstd, *rmOut, *rvOut, *a, *b;
  /// Synchronized: the global count, on the device (else `count`).
  const double *globalCount = nullptr;
  __device__ void operator()(int64_t k, const double (&s)[1]) const {
    int64_t count =
        globalCount ? static_cast<int64_t>(*globalCount) : this->count;
    tmath::BnChannel ch =
        tmath::bnTrainChannel(mean[k], s[0], count, eps,
                              gamma ? gamma[k] : 1.f, beta ? beta[k] : 0.f);
    saveMean[k] = ch.saveMean;
    saveInvstd[k] = ch.saveInvstd;
    if (rmIn) {
      rmOut[k] = tmath::bnRunningMean(rmIn[k], mean[k], momentum);
      rvOut[k] = tmath::bnRunningVar(rvIn[k], s[0], count, momentum);
    }
    a[k] = ch.a;
    b[k] = ch.b;
  }
};
struct BnApplyOp {
  const float *x, *a, *b;
  float *y;
  int64_t hw, c;
  __device__ void operator()(int64_t i) const {
    int64_t k = (i / hw) % c;
    y[i] = tmath::bnApply(x[i], a[k], b[k]);
  }
};

//===-- Synchronized batch norm: the sums between the passes -------------===//

/// Forward, first pass: channel k's sum into sums[k], the rank's count into
/// sums[C] (summed over the ranks next).
struct StoreSumAndCount {
  double *sums;
  int64_t c, count;
  __device__ void operator()(int64_t k, const double (&s)[1]) const {
    sums[k] = s[0];
    if (k == 0)
      sums[c] = static_cast<double>(count);
  }
};
/// The global mean from the global sums and count.
struct GlobalMean {
  const double *sums;
  int64_t c;
  double *mean;
  __device__ void operator()(int64_t k) const {
    mean[k] = tmath::bnMean(sums[k], static_cast<int64_t>(sums[c]));
  }
};
struct StoreDouble {
  double *out;
  __device__ void operator()(int64_t k, const double (&s)[1]) const {
    out[k] = s[0];
  }
};
/// BnFinish of the global squared deviations.
struct BnFinishGlobal {
  BnFinish fin;
  const double *sq;
  __device__ void operator()(int64_t k) const {
    const double s[1] = {sq[k]};
    fin(k, s);
  }
};

/// Backward: channel k's sums weighed by the rank's weight into
/// sums[2k, 2k + 1], the rank's count into sums[2C].
struct StoreWeighedGradSums {
  double *sums;
  int64_t c, count;
  double weight;
  __device__ void operator()(int64_t k, const double (&s)[2]) const {
    sums[2 * k] = s[0] * weight;
    sums[2 * k + 1] = s[1] * weight;
    if (k == 0)
      sums[2 * c] = static_cast<double>(count);
  }
};
/// dgamma / dbeta the global sums; dx's coefficients from the global sums in
/// the rank's own scale (divided by its weight) over the global count.
struct BnGradFinishGlobal {
  const double *sums;
  int64_t c;
  double weight;
  const float *gamma, *invstd;
  float *dgamma, *dbeta;
  tmath::BnGradChannel *grad;
  __device__ void operator()(int64_t k) const {
    if (gamma) {
      dgamma[k] = (float)sums[2 * k + 1];
      dbeta[k] = (float)sums[2 * k];
    }
    grad[k] = tmath::bnGradChannel(
        sums[2 * k] / weight, sums[2 * k + 1] / weight,
        static_cast<int64_t>(sums[2 * c]), gamma ? gamma[k] : 1.f, invstd[k]);
  }
};

struct BnGradSums {
  const float *x, *dy, *mean, *invstd;
  __device__ void operator()(int64_t i, int64_t k, double (&acc)[2]) const {
    acc[0] += dy[i];
    acc[1] += tmath::bnDyXhat(dy[i], x[i], mean[k], invstd[k]);
  }
};
struct BnGradFinish {
  int64_t count;
  const float *gamma, *invstd;
  float *dgamma, *dbeta;
  tmath::BnGradChannel *grad;
  __device__ void operator()(int64_t k, const double (&s)[2]) const {
    if (gamma) {
      dgamma[k] = (float)s[1];
      dbeta[k] = (float)s[0];
    }
    grad[k] = tmath::bnGradChannel(s[0], s[1], count, gamma ? gamma[k] : 1.f,
                                   invstd[k]);
  }
};
struct BnGradXOp {
  const float *x, *dy, *mean, *invstd;
  const tmath::BnGradChannel *grad;
  float *dx;
  int64_t hw, c;
  __device__ void operator()(int64_t i) const {
    int64_t k = (i / hw) % c;
    dx[i] = tmath::bnGradX(dy[i], x[i], mean[k], invstd[k], grad[k]);
  }
};

//===-- Losses ---------------------------------------------------------------===//

/// Sums `count` doubles in order into *loss = meanLoss(Σ, n) (one thread).
struct MeanOfSums {
  const double *parts;
  int64_t count, n;
  float *loss;
  __device__ void operator()(int64_t) const {
    double total = 0.0;
    for (int64_t i = 0; i < count; ++i)
      total += parts[i];
    *loss = tmath::meanLoss(total, n);
  }
};
struct MseChunks {
  const float *p, *t;
  float *d;
  int64_t n;
  float k;
  double *partial;
  __device__ void operator()(int64_t ci) const {
    int64_t b = ci * tmath::kMseChunk;
    int64_t end = b + tmath::kMseChunk < n ? b + tmath::kMseChunk : n;
    double acc = 0.0;
    for (int64_t i = b; i < end; ++i) {
      float diff = tmath::mseDiff(p[i], t[i]);
      acc += tmath::mseSquare(diff);
      d[i] = tmath::mseGrad(diff, k);
    }
    partial[ci] = acc;
  }
};

} // namespace

size_t reduceToWorkspaceBytes(const Shape &inShape, const Shape &outShape) {
  ReduceIndex ix;
  int64_t outputs = 0, summands = 0;
  if (!reducePlan(inShape, outShape, ix, outputs, summands))
    return 0;
  return reduceWorkspace(outputs, summands, 1);
}

Status reduceTo(const float *x, const Shape &inShape, const Shape &outShape,
                float *y, void *workspace, size_t workspaceBytes,
                Stream stream) {
  ReduceIndex ix;
  int64_t outputs = 0, summands = 0;
  QRT_RETURN_IF_ERROR(reducePlan(inShape, outShape, ix, outputs, summands));
  int64_t n = numElements(inShape);
  QRT_RETURN_IF_ERROR(checkPtrs(outputs, "cuda reduce_to", {y}));
  QRT_RETURN_IF_ERROR(checkPtrs(n, "cuda reduce_to", {x}));
  if (n == outputs) // nothing broadcast: a copy
    return x == y ? Status::ok()
                  : forEach(n, CopyOp{x, y}, stream, "reduce_to copy");
  QRT_RETURN_IF_ERROR(checkWorkspace(
      workspaceBytes, reduceWorkspace(outputs, summands, 1), "cuda reduce_to"));
  QRT_RETURN_IF_ERROR(checkPtrs(1, "cuda reduce_to", {workspace}));
  return groupSum<1>(ix, outputs, summands, SumOp{x}, StoreSum{y}, workspace,
                     stream, "reduce_to");
}

/// bias_grad's target shape: [C, 1, ..., 1] right-aligned to dy.
static Status biasShape(const Shape &dyShape, Shape &keep) {
  if (dyShape.size() < 2)
    return invalidArgument("bias_grad needs rank >= 2");
  keep.assign(dyShape.size() - 1, 1);
  keep[0] = dyShape[1];
  return Status::ok();
}

size_t biasGradWorkspaceBytes(const Shape &dyShape) {
  Shape keep;
  if (!biasShape(dyShape, keep))
    return 0;
  return reduceToWorkspaceBytes(dyShape, keep);
}

Status biasGrad(const float *dy, const Shape &dyShape, float *db,
                void *workspace, size_t workspaceBytes, Stream stream) {
  Shape keep;
  QRT_RETURN_IF_ERROR(biasShape(dyShape, keep));
  return reduceTo(dy, dyShape, keep, db, workspace, workspaceBytes, stream);
}

size_t batchNormTrainWorkspaceBytes(const Shape &xShape) {
  BnLayout l;
  if (!bnLayout(xShape, "batch_norm_train", l))
    return 0;
  return bnWorkBytes(l.c, l.n * l.hw, 1);
}

Status batchNormTrain(const float *x, const Shape &xShape, const float *gamma,
                      const float *beta, const float *runMeanIn,
                      const float *runVarIn, float momentum, float eps,
                      float *y, float *saveMean, float *saveInvstd,
                      float *runMeanOut, float *runVarOut, void *workspace,
                      size_t workspaceBytes, Stream stream,
                      const BnSync *sync) {
  BnLayout l;
  QRT_RETURN_IF_ERROR(bnLayout(xShape, "batch_norm_train", l));
  int64_t count = l.n * l.hw;
  // Synchronized, the count that matters is the global batch's, which is
  // summed on the device: not checked here.
  if (count < 2 && !sync)
    return invalidArgument("batch_norm_train: need more than one value per "
                           "channel, got x " +
                           shapeToString(xShape));
  if ((runMeanIn == nullptr) != (runVarIn == nullptr) ||
      (runMeanIn && (!runMeanOut || !runVarOut)))
    return invalidArgument("cuda batch_norm_train: running mean and variance "
                           "come together, with their outputs");
  QRT_RETURN_IF_ERROR(checkWorkspace(
      workspaceBytes, bnWorkBytes(l.c, count, 1), "cuda batch_norm_train"));
  QRT_RETURN_IF_ERROR(checkPtrs(count * l.c, "cuda batch_norm_train",
                                {x, y, saveMean, saveInvstd, workspace}));
  BnWork w = bnWork(workspace, l.c, count, 1);
  Segments seg = bnSegments(l);
  BnFinish fin{w.mean,    count,      eps,       momentum, gamma,
               beta,      runMeanIn,  runVarIn,  saveMean, saveInvstd,
               runMeanOut, runVarOut, w.a,       w.b};
  if (sync) {
    // TrainOps.cpp's synchronized passes: the sums and the count, summed
    // over the ranks; the squared deviations from the global mean, summed.
    double *sq = w.sums + l.c + 1;
    QRT_RETURN_IF_ERROR(groupSum<1>(seg, l.c, count, SumOp{x},
                                    StoreSumAndCount{w.sums, l.c, count},
                                    w.partial, stream,
                                    "batch_norm_train sums"));
    QRT_RETURN_IF_ERROR(sync->allReduceSum(w.sums, l.c + 1));
    QRT_RETURN_IF_ERROR(forEach(l.c, GlobalMean{w.sums, l.c, w.mean}, stream,
                                "batch_norm_train mean"));
    QRT_RETURN_IF_ERROR(groupSum<1>(seg, l.c, count,
                                    SquaredDeviationOp{x, w.mean},
                                    StoreDouble{sq}, w.partial, stream,
                                    "batch_norm_train var"));
    QRT_RETURN_IF_ERROR(sync->allReduceSum(sq, l.c));
    fin.globalCount = w.sums + l.c;
    QRT_RETURN_IF_ERROR(forEach(l.c, BnFinishGlobal{fin, sq}, stream,
                                "batch_norm_train channels"));
    return forEach(count * l.c, BnApplyOp{x, w.a, w.b, y, l.hw, l.c}, stream,
                   "batch_norm_train");
  }
  QRT_RETURN_IF_ERROR(groupSum<1>(seg, l.c, count, SumOp{x},
                                  StoreMean{w.mean, count}, w.partial, stream,
                                  "batch_norm_train mean"));
  QRT_RETURN_IF_ERROR(groupSum<1>(seg, l.c, count,
                                  SquaredDeviationOp{x, w.mean}, fin,
                                  w.partial, stream, "batch_norm_train var"));
  return forEach(count * l.c, BnApplyOp{x, w.a, w.b, y, l.hw, l.c}, stream,
                 "batch_norm_train");
}

size_t batchNormGradWorkspaceBytes(const Shape &xShape) {
  BnLayout l;
  if (!bnLayout(xShape, "batch_norm_backward", l))
    return 0;
  return bnWorkBytes(l.c, l.n * l.hw, 2);
}

Status batchNormGrad(const float *x, const Shape &xShape, const float *gamma,
                     const float *saveMean, const float *saveInvstd,
                     const float *dy, float *dx, float *dgamma, float *dbeta,
                     void *workspace, size_t workspaceBytes, Stream stream,
                     const BnSync *sync) {
  BnLayout l;
  QRT_RETURN_IF_ERROR(bnLayout(xShape, "batch_norm_backward", l));
  int64_t count = l.n * l.hw;
  if (gamma && (!dgamma || !dbeta))
    return invalidArgument("cuda batch_norm_grad: dgamma and dbeta are "
                           "needed with gamma");
  QRT_RETURN_IF_ERROR(checkWorkspace(
      workspaceBytes, bnWorkBytes(l.c, count, 2), "cuda batch_norm_grad"));
  QRT_RETURN_IF_ERROR(checkPtrs(l.c, "cuda batch_norm_grad",
                                {saveMean, saveInvstd, workspace}));
  QRT_RETURN_IF_ERROR(
      checkPtrs(count * l.c, "cuda batch_norm_grad", {x, dy, dx}));
  BnWork w = bnWork(workspace, l.c, count, 2);
  if (sync) {
    // TrainOps.cpp's: rank r's sums weighed by w_r, summed with the counts
    // over the ranks.
    double weight = sync->weight;
    if (!(weight > 0))
      return invalidArgument("batch_norm_grad: the rank's gradient weight "
                             "is " +
                             std::to_string(weight) + ", not > 0");
    QRT_RETURN_IF_ERROR(groupSum<2>(
        bnSegments(l), l.c, count, BnGradSums{x, dy, saveMean, saveInvstd},
        StoreWeighedGradSums{w.sums, l.c, count, weight}, w.partial, stream,
        "batch_norm_grad sums"));
    QRT_RETURN_IF_ERROR(sync->allReduceSum(w.sums, 2 * l.c + 1));
    QRT_RETURN_IF_ERROR(forEach(l.c,
                                BnGradFinishGlobal{w.sums, l.c, weight, gamma,
                                                   saveInvstd, dgamma, dbeta,
                                                   w.grad},
                                stream, "batch_norm_grad channels"));
  } else {
    QRT_RETURN_IF_ERROR(groupSum<2>(
        bnSegments(l), l.c, count, BnGradSums{x, dy, saveMean, saveInvstd},
        BnGradFinish{count, gamma, saveInvstd, dgamma, dbeta, w.grad},
        w.partial, stream, "batch_norm_grad sums"));
  }
  return forEach(count * l.c,
                 BnGradXOp{x, dy, saveMean, saveInvstd, w.grad, dx, l.hw, l.c},
                 stream, "batch_norm_grad");
}

size_t mseLossWorkspaceBytes(int64_t numel) {
  return numel > 0 ? (size_t)((numel + tmath::kMseChunk - 1) /
                              tmath::kMseChunk) *
                         sizeof(double)
                   : 0;
}

Status mseLoss(const float *pred, const float *target, int64_t numel,
               float *loss, float *dpred, void *workspace,
               size_t workspaceBytes, Stream stream) {
  if (numel <= 0)
    return invalidArgument("mse: empty tensors");
  QRT_RETURN_IF_ERROR(checkWorkspace(
      workspaceBytes, mseLossWorkspaceBytes(numel), "cuda mse"));
  QRT_RETURN_IF_ERROR(
      checkPtrs(1, "cuda mse", {pred, target, loss, dpred, workspace}));
  int64_t chunks = (numel + tmath::kMseChunk - 1) / tmath::kMseChunk;
  double *parts = static_cast<double *>(workspace);
  float k = 2.f / static_cast<float>(numel); // TrainOps.cpp's
  QRT_RETURN_IF_ERROR(forEach(chunks,
                              MseChunks{pred, target, dpred, numel, k, parts},
                              stream, "mse chunks"));
  return forEach(1, MeanOfSums{parts, chunks, numel, loss}, stream,
                 "mse loss");
}

} // namespace cuda
} // namespace qrt
