//===- FakeQuantGradKernels.cu - the quantizers' backward passes ----------===//
//
// fake_quant_grad on the device, one entry per FakeQuant.h backward: dx per
// element with the QuantMath.h surrogate-gradient function the CPU calls
// (dx = dy * f(x), as FakeQuant.cpp's mapGrad writes it, so dx is the CPU's
// bit for bit), and the parameter gradients as per-group sums of dy * df/dp
// in the two-stage double sum of TrainCommon.cuh, scaled as the CPU scales
// them (within rounding of the CPU's per-thread / per-lane split).
//
//===----------------------------------------------------------------------===//

#include "runtime/QuantMath.h"
#include "runtime/cuda/Launch.h"
#include "runtime/cuda/TrainCommon.cuh"

#include <cstdint>

namespace qrt {
namespace cuda {

using namespace detail;
namespace qm = qmath;

namespace {

//===-- dx only ----------------------------------------------------------------===//

struct AffineGradOp {
  const float *x, *dy, *s, *z;
  float *dx;
  GroupOf group;
  float qmin, qmax;
  __device__ void operator()(int64_t i) const {
    int64_t k = group(i);
    dx[i] = dy[i] * qm::fakeQuantAffineGradX(x[i], s[k], z[k], qmin, qmax);
  }
};
struct DorefaActGradOp {
  const float *x, *dy;
  float *dx;
  float clip;
  __device__ void operator()(int64_t i) const {
    dx[i] = dy[i] * qm::dorefaActivationGradX(x[i], clip);
  }
};
struct SignGradOp {
  const float *x, *dy;
  float *dx;
  GradType type;
  __device__ void operator()(int64_t i) const {
    dx[i] = dy[i] * qm::signGrad(x[i], type);
  }
};
struct SteOp {
  const float *dy;
  float *dx;
  __device__ void operator()(int64_t i) const { dx[i] = dy[i] * 1.f; }
};
struct LqActGradOp {
  const float *x, *dy, *levels;
  float *dx;
  GroupOf group;
  int count; // levels per group
  __device__ void operator()(int64_t i) const {
    float top = levels[group(i) * count + count - 1]; // sorted ascending
    dx[i] = dy[i] * (x[i] < top ? 1.f : 0.f);
  }
};
struct XnorGradOp {
  const float *w, *dy, *mean; // mean null: plain STE
  float *dx;
  GroupOf group;
  GradType type;
  __device__ void operator()(int64_t i) const {
    float d = qm::signGrad(w[i], type);
    dx[i] = dy[i] * (mean ? mean[group(i)] * d : d);
  }
};

//===-- dx and per-group parameter sums ----------------------------------------===//

struct LsqSums {
  const float *x, *dy, *s;
  float *dx;
  float qn, qp;
  __device__ void operator()(int64_t i, int64_t k, double (&acc)[1]) const {
    dx[i] = dy[i] * qm::lsqGradX(x[i], s[k], qn, qp);
    acc[0] += dy[i] * qm::lsqGradS(x[i], s[k], qn, qp);
  }
};
struct LsqPlusSums {
  const float *x, *dy, *s, *beta;
  float *dx;
  float qn, qp;
  __device__ void operator()(int64_t i, int64_t k, double (&acc)[2]) const {
    float sk = s[k], bk = beta[k];
    dx[i] = dy[i] * qm::lsqPlusGradX(x[i], sk, bk, qn, qp);
    acc[0] += dy[i] * qm::lsqPlusGradS(x[i], sk, bk, qn, qp);
    acc[1] += dy[i] * qm::lsqPlusGradBeta(x[i], sk, bk, qn, qp);
  }
};
struct PactSums {
  const float *x, *dy, *alpha;
  float *dx;
  __device__ void operator()(int64_t i, int64_t k, double (&acc)[1]) const {
    dx[i] = dy[i] * qm::pactGradX(x[i], alpha[k]);
    acc[0] += dy[i] * qm::pactGradAlpha(x[i], alpha[k]);
  }
};
struct XnorScaledSums {
  const float *w, *dy, *s;
  float *dx;
  GradType type;
  __device__ void operator()(int64_t i, int64_t k, double (&acc)[1]) const {
    dx[i] = dy[i] * s[k] * qm::signGrad(w[i], type); // FakeQuant.cpp's order
    acc[0] += dy[i] * qm::signBinary(w[i]);
  }
};
struct NonUniformSums {
  const float *x, *dy, *alpha;
  float *dx;
  int n, j;
  __device__ void operator()(int64_t i, int64_t, double (&acc)[1]) const {
    if (j == 0)
      dx[i] = dy[i] * qm::nonUniformGradX(x[i], alpha, n);
    acc[0] += dy[i] * qm::nonUniformGradAlpha(x[i], alpha, n, j);
  }
};
struct AbsSum {
  const float *w;
  __device__ void operator()(int64_t i, int64_t, double (&acc)[1]) const {
    acc[0] += fabsf(w[i]);
  }
};

/// Stores scale * Σ (double times float, then rounded, as the CPU).
template <int P> struct StoreScaled {
  float *out[P];
  float scale;
  __device__ void operator()(int64_t k, const double (&s)[P]) const {
    for (int p = 0; p < P; ++p)
      out[p][k] = (float)(s[p] * scale);
  }
};
struct StoreSum1 {
  float *out;
  int64_t at; // out[at] (non-uniform's alpha j), or -1: out[k]
  __device__ void operator()(int64_t k, const double (&s)[1]) const {
    out[at < 0 ? k : at] = (float)s[0];
  }
};
struct StoreMean {
  float *mean;
  double perGroup;
  __device__ void operator()(int64_t k, const double (&s)[1]) const {
    mean[k] = (float)(s[0] / perGroup);
  }
};


} // namespace

size_t paramGradWorkspaceBytes(const GroupShape &g, int numParams) {
  Segments s = segmentsOf(g);
  return reduceWorkspace(s.groups, s.outer * s.segment,
                         numParams < 1 ? 1 : numParams);
}

Status fakeQuantAffineGrad(const float *x, const float *scale,
                           const float *zeroPoint, QuantRange range,
                           const GroupShape &g, const float *dy, float *dx,
                           Stream stream) {
  QRT_RETURN_IF_ERROR(
      checkGrad(g, "cuda fake_quant_grad", {x, scale, zeroPoint, dy, dx}));
  return forEach(g.numel,
                 AffineGradOp{x, dy, scale, zeroPoint, dx, groupOf(g),
                              range.qmin, range.qmax},
                 stream, "fake_quant_grad");
}

Status lsqGrad(const float *x, const float *scale, float qn, float qp,
               const GroupShape &g, float gradScale, const float *dy,
               float *dx, float *dscale, void *workspace,
               size_t workspaceBytes, Stream stream) {
  QRT_RETURN_IF_ERROR(
      checkGrad(g, "cuda lsq_grad", {x, scale, dy, dx, dscale, workspace}));
  QRT_RETURN_IF_ERROR(checkWorkspace(
      workspaceBytes, paramGradWorkspaceBytes(g, 1), "cuda lsq_grad"));
  Segments s = segmentsOf(g);
  return groupSum<1>(s, s.groups, s.outer * s.segment,
                     LsqSums{x, dy, scale, dx, qn, qp},
                     StoreScaled<1>{{dscale}, gradScale}, workspace, stream,
                     "lsq_grad");
}

Status lsqPlusGrad(const float *x, const float *scale, const float *beta,
                   float qn, float qp, const GroupShape &g, float gradScale,
                   const float *dy, float *dx, float *dscale, float *dbeta,
                   void *workspace, size_t workspaceBytes, Stream stream) {
  QRT_RETURN_IF_ERROR(checkGrad(g, "cuda lsq+_grad",
                                {x, scale, beta, dy, dx, dscale, dbeta,
                                 workspace}));
  QRT_RETURN_IF_ERROR(checkWorkspace(
      workspaceBytes, paramGradWorkspaceBytes(g, 2), "cuda lsq+_grad"));
  Segments s = segmentsOf(g);
  return groupSum<2>(s, s.groups, s.outer * s.segment,
                     LsqPlusSums{x, dy, scale, beta, dx, qn, qp},
                     StoreScaled<2>{{dscale, dbeta}, gradScale}, workspace,
                     stream, "lsq+_grad");
}

Status pactGrad(const float *x, const float *alpha, const GroupShape &g,
                const float *dy, float *dx, float *dalpha, void *workspace,
                size_t workspaceBytes, Stream stream) {
  QRT_RETURN_IF_ERROR(
      checkGrad(g, "cuda pact_grad", {x, alpha, dy, dx, dalpha, workspace}));
  QRT_RETURN_IF_ERROR(checkWorkspace(
      workspaceBytes, paramGradWorkspaceBytes(g, 1), "cuda pact_grad"));
  Segments s = segmentsOf(g);
  return groupSum<1>(s, s.groups, s.outer * s.segment,
                     PactSums{x, dy, alpha, dx}, StoreSum1{dalpha, -1},
                     workspace, stream, "pact_grad");
}

Status dorefaActivationGrad(const float *x, float clip, int64_t numel,
                            const float *dy, float *dx, Stream stream) {
  if (!(clip > 0.f))
    return invalidArgument("dorefa backward: clip must be > 0");
  QRT_RETURN_IF_ERROR(checkPtrs(numel, "cuda dorefa_grad", {x, dy, dx}));
  return forEach(numel, DorefaActGradOp{x, dy, dx, clip}, stream,
                 "dorefa_grad");
}

size_t xnorWeightGradWorkspaceBytes(const GroupShape &g) {
  return align8(paramGradWorkspaceBytes(g, 1)) +
         (size_t)g.numGroups * sizeof(float);
}

Status xnorWeightGrad(const float *w, const GroupShape &g, GradType type,
                      bool scaleByAlpha, const float *dy, float *dx,
                      void *workspace, size_t workspaceBytes, Stream stream) {
  QRT_RETURN_IF_ERROR(checkGrad(g, "cuda xnor_grad", {w, dy, dx}));
  const float *mean = nullptr;
  if (scaleByAlpha) {
    QRT_RETURN_IF_ERROR(checkWorkspace(
        workspaceBytes, xnorWeightGradWorkspaceBytes(g), "cuda xnor_grad"));
    QRT_RETURN_IF_ERROR(checkPtrs(g.numel, "cuda xnor_grad", {workspace}));
    float *m = reinterpret_cast<float *>(static_cast<char *>(workspace) +
                                         align8(paramGradWorkspaceBytes(g, 1)));
    Segments s = segmentsOf(g);
    // FakeQuant.cpp's groupStat: Σ|w| / (numel / numGroups).
    QRT_RETURN_IF_ERROR(groupSum<1>(
        s, s.groups, s.outer * s.segment, AbsSum{w},
        StoreMean{m, (double)g.numel / g.numGroups}, workspace, stream,
        "xnor_grad mean"));
    mean = m;
  }
  return forEach(g.numel, XnorGradOp{w, dy, mean, dx, groupOf(g), type},
                 stream, "xnor_grad");
}

Status xnorWeightScaledGrad(const float *w, const float *scale,
                            const GroupShape &g, GradType type,
                            const float *dy, float *dx, float *dscale,
                            void *workspace, size_t workspaceBytes,
                            Stream stream) {
  QRT_RETURN_IF_ERROR(checkGrad(g, "cuda xnor++_grad",
                                {w, scale, dy, dx, dscale, workspace}));
  QRT_RETURN_IF_ERROR(checkWorkspace(
      workspaceBytes, paramGradWorkspaceBytes(g, 1), "cuda xnor++_grad"));
  Segments s = segmentsOf(g);
  return groupSum<1>(s, s.groups, s.outer * s.segment,
                     XnorScaledSums{w, dy, scale, dx, type},
                     StoreSum1{dscale, -1}, workspace, stream, "xnor++_grad");
}

Status signActivationGrad(const float *x, GradType type, int64_t numel,
                          const float *dy, float *dx, Stream stream) {
  QRT_RETURN_IF_ERROR(checkPtrs(numel, "cuda sign_grad", {x, dy, dx}));
  return forEach(numel, SignGradOp{x, dy, dx, type}, stream, "sign_grad");
}

Status lqnetGrad(const float *dy, int64_t numel, float *dx, Stream stream) {
  QRT_RETURN_IF_ERROR(checkPtrs(numel, "cuda lq-nets_grad", {dy, dx}));
  return forEach(numel, SteOp{dy, dx}, stream, "lq-nets_grad");
}

Status lqnetActivationGrad(const float *x, const float *basis, int k,
                           bool signedCodes, const GroupShape &g,
                           const float *dy, float *dx, void *workspace,
                           size_t workspaceBytes, Stream stream) {
  if (k < 1 || k > 8)
    return invalidArgument("lq-nets: basis must be [numGroups, K], K in "
                           "[1, 8], got K = " +
                           std::to_string(k));
  QRT_RETURN_IF_ERROR(checkGrad(g, "cuda lq-nets_grad",
                                {x, basis, dy, dx, workspace}));
  QRT_RETURN_IF_ERROR(checkWorkspace(workspaceBytes,
                                     lqnetWorkspaceBytes(g.numGroups, k),
                                     "cuda lq-nets_grad"));
  if (g.numel == 0)
    return Status::ok();
  int levels = 1 << k;
  float *lv = static_cast<float *>(workspace);
  uint32_t *codes = reinterpret_cast<uint32_t *>(lv + g.numGroups * levels);
  QRT_RETURN_IF_ERROR(
      launchLqLevels(basis, g.numGroups, k, signedCodes, lv, codes, stream));
  return forEach(g.numel, LqActGradOp{x, dy, lv, dx, groupOf(g), levels},
                 stream, "lq-nets_grad");
}

Status nonUniformGrad(const float *x, const float *alpha, int64_t numAlpha,
                      int64_t numel, const float *dy, float *dx,
                      float *dalpha, void *workspace, size_t workspaceBytes,
                      Stream stream) {
  if (numAlpha < 1 || numAlpha > 16)
    return invalidArgument("non-uniform: alpha must be 1-D with 1..16 ramps");
  GroupShape g = GroupShape::perTensor(numel);
  QRT_RETURN_IF_ERROR(checkPtrs(numel, "cuda non-uniform_grad",
                                {x, dy, dx, workspace}));
  QRT_RETURN_IF_ERROR(checkPtrs(1, "cuda non-uniform_grad", {alpha, dalpha}));
  QRT_RETURN_IF_ERROR(checkWorkspace(workspaceBytes,
                                     paramGradWorkspaceBytes(g, 1),
                                     "cuda non-uniform_grad"));
  Segments s = segmentsOf(g);
  // One sum per ramp, as the CPU does; the dx pass rides along with ramp 0.
  for (int j = 0; j < (int)numAlpha; ++j)
    QRT_RETURN_IF_ERROR(groupSum<1>(
        s, 1, numel, NonUniformSums{x, dy, alpha, dx, (int)numAlpha, j},
        StoreSum1{dalpha, j}, workspace, stream, "non-uniform_grad"));
  return Status::ok();
}

} // namespace cuda
} // namespace qrt
