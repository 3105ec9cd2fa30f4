//===- LibmKernels.cu - kernels whose math calls the device's libm ----------===//
//
// The TrainKernels.h entry points whose element math calls expf, log,
// tanhf or pow: softmax cross-entropy, Adam (its bias corrections), the
// DoReFa weight gradient and AdaRound's. The arithmetic around those calls
// is the CPU's QRT_HD code compiled with --fmad=false, but the device's
// libm rounds differently from glibc by a few ulps, so these results are
// compared with the CPU within a tolerance, not bit for bit. The libm's
// own FMA and approximate instructions are why these kernels live in their
// own file: the PTX check (test/unit/runtime/cuda/CheckPtx.cmake) allows
// them here and nowhere else.
//
//===----------------------------------------------------------------------===//

#include "runtime/QuantMath.h"
#include "runtime/TrainMath.h"
#include "runtime/cuda/TrainCommon.cuh"

#include <cstdint>

namespace qrt {
namespace cuda {

using namespace detail;
namespace qm = qmath;

namespace {

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

struct SoftmaxCeRows {
  const float *logits;
  const void *labels;
  bool labelsI64;
  int64_t c;
  float invN;
  float *dlogits;
  double *rowLoss;
  __device__ void operator()(int64_t r) const {
    int64_t label = labelsI64 ? static_cast<const int64_t *>(labels)[r]
                              : static_cast<const int32_t *>(labels)[r];
    if (label < 0 || label >= c) { // the CPU's error, made visible
      for (int64_t j = 0; j < c; ++j)
        dlogits[r * c + j] = NAN;
      rowLoss[r] = NAN;
      return;
    }
    rowLoss[r] = tmath::softmaxCrossEntropyRow(logits + r * c, dlogits + r * c,
                                               c, label, invN);
  }
};

struct AdamOp {
  const float *pIn, *g, *mIn, *vIn, *lr, *step;
  float *pOut, *mOut, *vOut, *vmax;
  bool amsgrad;
  float beta1, beta2, eps, wd;
  __device__ void operator()(int64_t i) const {
    // exec::adam_update: the operand is the 1-based update number.
    tmath::AdamStepScalars s =
        tmath::adamStepScalars(*lr, beta1, beta2, (int64_t)*step);
    float p = pIn[i], m = mIn[i], v = vIn[i];
    float zero = 0.f; // no max buffer: zeros, as the plan's kernel has
    float *vm = amsgrad ? (vmax ? vmax + i : &zero) : nullptr;
    tmath::adamElement(&p, g[i], &m, &v, vm, beta1, beta2, eps, wd, s);
    pOut[i] = p;
    mOut[i] = m;
    vOut[i] = v;
  }
};

struct AdaroundGradOp {
  const float *w, *dy, *s, *z, *v;
  float *dv;
  GroupOf group;
  float qmin, qmax;
  __device__ void operator()(int64_t i) const {
    int64_t k = group(i);
    dv[i] = dy[i] * qm::adaroundGradV(w[i], s[k], z ? z[k] : 0.f, v[i], qmin,
                                      qmax);
  }
};

struct DorefaWeightGradOp {
  const float *w, *dy, *maxTanh;
  float *dx;
  GroupOf group;
  bool binary;
  __device__ void operator()(int64_t i) const {
    if (binary) {
      dx[i] = dy[i] * 1.f;
      return;
    }
    float m = maxTanh[group(i)];
    dx[i] = dy[i] * (m > 0.f ? qm::dorefaWeightGradW(w[i], m) : 0.f);
  }
};

struct DorefaMaxSums {
  const float *w, *dy, *maxTanh;
  __device__ void operator()(int64_t i, int64_t k, double (&acc)[1]) const {
    if (maxTanh[k] > 0.f)
      acc[0] += dy[i] * qm::dorefaWeightGradMax(w[i], maxTanh[k]);
  }
};

/// DoReFa's max path: dM_k routed to the group's first argmax of |tanh w|.
struct DorefaMaxRoute {
  const float *w, *maxTanh;
  const int64_t *arg;
  float *dx;
  __device__ void operator()(int64_t k, const double (&s)[1]) const {
    if (arg[k] < 0 || !(maxTanh[k] > 0.f))
      return;
    float t = tanhf(w[arg[k]]);
    float d = (t >= 0.f ? 1.f : -1.f) * (1.f - t * t);
    dx[arg[k]] += (float)s[0] * d;
  }
};

/// Per group: max |tanh w| from 0 (NaNs skipped) and the first element
/// holding it; one block per group, partial results combined by value, then
/// by the lower index.
__global__ void tanhMaxKernel(const float *w, Segments seg, float *maxTanh,
                              int64_t *arg) {
  __shared__ float sv[kThreads];
  __shared__ int64_t si[kThreads];
  int t = threadIdx.x;
  for (int64_t k = blockIdx.x; k < seg.groups; k += gridDim.x) {
    float m = 0.f;
    int64_t at = INT64_MAX;
    for (int64_t j = t; j < seg.elements(); j += blockDim.x) {
      int64_t i = seg(k, j);
      float v = fabsf(tanhf(w[i]));
      if (m < v) // std::max(m, v), first of equal values kept
        m = v, at = i;
      else if (v == m && at == INT64_MAX)
        at = i;
    }
    sv[t] = m;
    si[t] = at;
    __syncthreads();
    for (int s = kThreads / 2; s > 0; s >>= 1) {
      if (t < s && (sv[t + s] > sv[t] ||
                    (sv[t + s] == sv[t] && si[t + s] < si[t]))) {
        sv[t] = sv[t + s];
        si[t] = si[t + s];
      }
      __syncthreads();
    }
    if (t == 0) {
      maxTanh[k] = sv[0];
      arg[k] = si[0] == INT64_MAX ? -1 : si[0];
    }
    __syncthreads();
  }
}

} // namespace

size_t softmaxCrossEntropyWorkspaceBytes(int64_t n) {
  return n > 0 ? (size_t)n * sizeof(double) : 0;
}

Status softmaxCrossEntropy(const float *logits, int64_t n, int64_t c,
                           const void *labels, DType labelDType, float *loss,
                           float *dlogits, void *workspace,
                           size_t workspaceBytes, Stream stream) {
  if (n < 1 || c < 1)
    return invalidArgument("softmax_ce: empty logits");
  if (labelDType != DType::I64 && labelDType != DType::I32)
    return invalidArgument("softmax_ce: labels must be i64 or i32 [" +
                           std::to_string(n) + "]");
  QRT_RETURN_IF_ERROR(checkWorkspace(workspaceBytes,
                                     softmaxCrossEntropyWorkspaceBytes(n),
                                     "cuda softmax_ce"));
  QRT_RETURN_IF_ERROR(checkPtrs(
      1, "cuda softmax_ce", {logits, labels, loss, dlogits, workspace}));
  double *rows = static_cast<double *>(workspace);
  float invN = 1.f / static_cast<float>(n); // TrainOps.cpp's
  QRT_RETURN_IF_ERROR(forEach(n,
                              SoftmaxCeRows{logits, labels,
                                            labelDType == DType::I64, c, invN,
                                            dlogits, rows},
                              stream, "softmax_ce rows"));
  return forEach(1, MeanOfSums{rows, n, n, loss}, stream, "softmax_ce loss");
}

Status adamUpdate(const float *paramIn, const float *grad,
                  const float *expAvgIn, const float *expAvgSqIn,
                  float *maxExpAvgSq, const float *lr, const float *step,
                  int64_t numel, const AdamOptions &o, float *paramOut,
                  float *expAvgOut, float *expAvgSqOut, Stream stream) {
  if (!(o.beta1 >= 0.f && o.beta1 < 1.f && o.beta2 >= 0.f && o.beta2 < 1.f))
    return invalidArgument("adam: betas must be in [0, 1)");
  QRT_RETURN_IF_ERROR(checkPtrs(numel, "cuda adam",
                                {paramIn, grad, expAvgIn, expAvgSqIn, lr, step,
                                 paramOut, expAvgOut, expAvgSqOut}));
  AdamOp op{paramIn, grad,        expAvgIn,    expAvgSqIn, lr,
            step,    paramOut,    expAvgOut,   expAvgSqOut, maxExpAvgSq,
            o.amsgrad, o.beta1,   o.beta2,     o.eps,      o.weightDecay};
  return forEach(numel, op, stream, "adam_update");
}

size_t dorefaWeightGradWorkspaceBytes(const GroupShape &g) {
  return align8(paramGradWorkspaceBytes(g, 1)) +
         (size_t)g.numGroups * (sizeof(int64_t) + sizeof(float));
}

Status dorefaWeightGrad(const float *w, int bits, const GroupShape &g,
                        bool maxAsConstant, const float *dy, float *dx,
                        void *workspace, size_t workspaceBytes,
                        Stream stream) {
  if (bits < 1)
    return invalidArgument("dorefa weight backward: bits must be >= 1");
  QRT_RETURN_IF_ERROR(checkGrad(g, "cuda dorefa_weight_grad", {w, dy, dx}));
  if (bits == 1)
    return forEach(g.numel,
                   DorefaWeightGradOp{w, dy, nullptr, dx, groupOf(g), true},
                   stream, "dorefa_weight_grad");
  QRT_RETURN_IF_ERROR(checkWorkspace(workspaceBytes,
                                     dorefaWeightGradWorkspaceBytes(g),
                                     "cuda dorefa_weight_grad"));
  QRT_RETURN_IF_ERROR(checkPtrs(g.numel, "cuda dorefa_weight_grad",
                                {workspace}));
  if (g.numel == 0)
    return Status::ok();
  char *base = static_cast<char *>(workspace);
  int64_t *arg =
      reinterpret_cast<int64_t *>(base + align8(paramGradWorkspaceBytes(g, 1)));
  float *maxTanh = reinterpret_cast<float *>(arg + g.numGroups);
  Segments s = segmentsOf(g);
  unsigned blocks = s.groups < kMaxGridY ? (unsigned)s.groups : kMaxGridY;
  tanhMaxKernel<<<blocks, kThreads, 0, detail::stream(stream)>>>(w, s, maxTanh,
                                                                 arg);
  QRT_RETURN_IF_ERROR(checkLaunch("dorefa_weight_grad max"));
  QRT_RETURN_IF_ERROR(forEach(
      g.numel, DorefaWeightGradOp{w, dy, maxTanh, dx, groupOf(g), false},
      stream, "dorefa_weight_grad"));
  if (maxAsConstant)
    return Status::ok();
  return groupSum<1>(s, s.groups, s.outer * s.segment,
                     DorefaMaxSums{w, dy, maxTanh},
                     DorefaMaxRoute{w, maxTanh, arg, dx}, workspace, stream,
                     "dorefa_weight_grad max path");
}

Status adaroundGrad(const float *w, const float *scale, const float *zeroPoint,
                    const float *v, QuantRange range, const GroupShape &g,
                    const float *dy, float *dv, Stream stream) {
  QRT_RETURN_IF_ERROR(checkGrad(g, "cuda adaround_grad", {w, scale, v, dy, dv}));
  return forEach(g.numel,
                 AdaroundGradOp{w, dy, scale, zeroPoint, v, dv, groupOf(g),
                                range.qmin, range.qmax},
                 stream, "adaround_grad");
}

} // namespace cuda
} // namespace qrt
