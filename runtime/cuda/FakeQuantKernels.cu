//===- FakeQuantKernels.cu - per-element quantizers and ReLU --------------===//
//
// One grid-stride kernel over the elements, templated on the element
// operation; each operation calls one QRT_HD function of QuantMath.h or
// ElementMath.h with its group's parameters, as FakeQuant.cpp does.
//
//===----------------------------------------------------------------------===//

#include "runtime/ElementMath.h"
#include "runtime/QuantMath.h"
#include "runtime/cuda/CudaStatus.h"
#include "runtime/cuda/Grid.h"
#include "runtime/cuda/Launch.h"

namespace qrt {
namespace cuda {
namespace detail {
namespace {

namespace qm = qmath;

__device__ inline int64_t groupOf(const GroupIndex &g, int64_t i) {
  return g.perTensor ? 0 : ((i / g.inner) % g.channels) / g.perGroup;
}

// x may be y (in place), so neither is __restrict__.
template <typename Op>
__global__ void mapKernel(const float *x, float *y, int64_t n, GroupIndex g,
                          Op op) {
  int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += step)
    y[i] = op(x[i], groupOf(g, i));
}

struct AffineOp {
  const float *s, *z;
  float qmin, qmax;
  __device__ float operator()(float v, int64_t k) const {
    return qm::fakeQuantAffine(v, s[k], z[k], qmin, qmax);
  }
};
struct LsqOp {
  const float *s;
  float qn, qp;
  __device__ float operator()(float v, int64_t k) const {
    return qm::lsqForward(v, s[k], qn, qp);
  }
};
struct LsqPlusOp {
  const float *s, *beta;
  float qn, qp;
  __device__ float operator()(float v, int64_t k) const {
    return qm::lsqPlusForward(v, s[k], beta[k], qn, qp);
  }
};
struct PactOp {
  const float *alpha;
  int bits;
  __device__ float operator()(float v, int64_t k) const {
    return qm::pactForward(v, alpha[k], bits);
  }
};
struct XnorScaledOp {
  const float *s;
  __device__ float operator()(float v, int64_t k) const {
    return qm::scaledSign(v, s[k]);
  }
};
struct DorefaActOp {
  float clip;
  int bits;
  __device__ float operator()(float v, int64_t) const {
    return qm::dorefaActivation(v, clip, bits);
  }
};
struct SignOp {
  __device__ float operator()(float v, int64_t) const {
    return qm::signBinary(v);
  }
};
struct NonUniformOp {
  const float *alpha;
  int count;
  __device__ float operator()(float v, int64_t) const {
    return qm::nonUniformForward(v, alpha, count);
  }
};
struct LqnetOp {
  const float *levels; // [groups, count]
  int count;
  __device__ float operator()(float v, int64_t k) const {
    const float *lv = levels + k * count;
    return lv[qm::lqNearest(v, lv, count)];
  }
};
struct ReluOp {
  __device__ float operator()(float v, int64_t) const { return emath::relu(v); }
};

template <typename Op>
Status launch(const MapArgs &a, Op op, cudaStream_t s, const char *name) {
  if (a.n == 0)
    return Status::ok();
  mapKernel<<<gridFor(a.n), kThreads, 0, s>>>(a.x, a.y, a.n, a.group, op);
  return checkLaunch(name);
}

__global__ void lqLevelsKernel(const float *basis, int64_t groups, int k,
                               bool signedCodes, float *levels,
                               uint32_t *codes) {
  int64_t g = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (g < groups)
    qm::lqLevels(basis + g * k, k, signedCodes, levels + (g << k),
                 codes + (g << k));
}

} // namespace

Status launchMap(MapKind kind, const MapArgs &a, void *stream) {
  cudaStream_t s = detail::stream(stream);
  switch (kind) {
  case MapKind::Affine:
    return launch(a, AffineOp{a.p0, a.p1, a.a, a.b}, s, "fake_quant affine");
  case MapKind::Lsq:
    return launch(a, LsqOp{a.p0, a.a, a.b}, s, "lsq");
  case MapKind::LsqPlus:
    return launch(a, LsqPlusOp{a.p0, a.p1, a.a, a.b}, s, "lsq+");
  case MapKind::Pact:
    return launch(a, PactOp{a.p0, a.bits}, s, "pact");
  case MapKind::XnorScaled:
    return launch(a, XnorScaledOp{a.p0}, s, "xnor++");
  case MapKind::DorefaAct:
    return launch(a, DorefaActOp{a.a, a.bits}, s, "dorefa activation");
  case MapKind::Sign:
    return launch(a, SignOp{}, s, "sign");
  case MapKind::NonUniform:
    return launch(a, NonUniformOp{a.p0, a.count}, s, "non-uniform");
  case MapKind::Lqnet:
    return launch(a, LqnetOp{a.p0, a.count}, s, "lq-nets");
  case MapKind::Relu:
    return launch(a, ReluOp{}, s, "relu");
  }
  return invalidArgument("cuda: unknown element kernel");
}

Status launchLqLevels(const float *basis, int64_t groups, int k,
                      bool signedCodes, float *levels, uint32_t *codes,
                      void *stream) {
  if (groups == 0)
    return Status::ok();
  unsigned blocks = static_cast<unsigned>((groups + kThreads - 1) / kThreads);
  lqLevelsKernel<<<blocks, kThreads, 0, detail::stream(stream)>>>(
      basis, groups, k, signedCodes, levels, codes);
  return checkLaunch("lq-nets levels");
}

} // namespace detail
} // namespace cuda
} // namespace qrt
