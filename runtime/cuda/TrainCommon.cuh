//===- TrainCommon.cuh - internal: helpers of the TrainKernels.h kernels --===//
//
// Included by the .cu files of TrainKernels.h only: argument checks, a
// grid-stride element loop over a functor, shapes as kernel arguments, and
// the deterministic two-stage per-group sum (the reductions of batch norm,
// reduce_to and the quantizers' parameter gradients).
//
// The two-stage sum: group k's E elements are visited by `blocks` blocks of
// kThreads threads (element j by thread j mod (blocks kThreads)); each
// thread sums its elements in double in order, each block tree-sums its
// threads (fixed pairing) into a workspace slot, then one block per group
// tree-sums the slots. No atomics; the result depends only on E and the
// launch geometry, which depends only on the shapes.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_TRAINCOMMON_CUH
#define QRT_CUDA_TRAINCOMMON_CUH

#include "runtime/cuda/CudaStatus.h"
#include "runtime/cuda/Grid.h"
#include "runtime/cuda/TrainKernels.h"

#include <initializer_list>
#include <string>

namespace qrt {
namespace cuda {
namespace detail {

constexpr int kMaxRank = 8;
constexpr unsigned kMaxGridY = 65535;

/// A shape as a kernel argument.
struct Dims {
  int rank = 0;
  int64_t d[kMaxRank] = {};
};
inline Status dimsOf(const Shape &s, const char *name, Dims &out) {
  if (s.size() > (size_t)kMaxRank)
    return invalidArgument(std::string(name) + ": rank " +
                           std::to_string(s.size()) + " exceeds " +
                           std::to_string(kMaxRank));
  out.rank = (int)s.size();
  for (size_t i = 0; i < s.size(); ++i)
    out.d[i] = s[i];
  return Status::ok();
}

inline Status checkPtrs(int64_t n, const char *name,
                        std::initializer_list<const void *> ptrs) {
  if (n > 0)
    for (const void *p : ptrs)
      if (!p)
        return invalidArgument(std::string(name) + ": null device pointer");
  return Status::ok();
}
inline Status checkWorkspace(size_t have, size_t need, const char *name) {
  if (have < need)
    return invalidArgument(std::string(name) + ": workspace of " +
                           std::to_string(have) + " bytes, need " +
                           std::to_string(need));
  return Status::ok();
}
/// GroupShape's invariants (CudaKernels.cpp checks the same).
inline Status checkGroups(const GroupShape &g, const char *name) {
  bool ok = g.numel >= 0 && g.inner >= 1 && g.channels >= 1 &&
            g.perGroup >= 1 && g.numGroups >= 1 &&
            (g.numGroups == 1 || (g.channels == g.perGroup * g.numGroups &&
                                  g.numel % (g.inner * g.channels) == 0));
  if (!ok)
    return invalidArgument(std::string(name) + ": inconsistent GroupShape");
  return Status::ok();
}

/// A GroupShape and the pointers of a kernel over it.
inline Status checkGrad(const GroupShape &g, const char *name,
                        std::initializer_list<const void *> ptrs) {
  QRT_RETURN_IF_ERROR(checkGroups(g, name));
  return checkPtrs(g.numel, name, ptrs);
}
/// Workspace regions start at multiples of 8 bytes.
inline size_t align8(size_t b) { return (b + 7) / 8 * 8; }

/// Element i's group of a GroupShape.
struct GroupOf {
  int64_t inner = 1, channels = 1, perGroup = 1;
  bool perTensor = true;
  __device__ int64_t operator()(int64_t i) const {
    return perTensor ? 0 : ((i / inner) % channels) / perGroup;
  }
};
inline GroupOf groupOf(const GroupShape &g) {
  GroupOf r;
  r.inner = g.inner;
  r.channels = g.channels;
  r.perGroup = g.perGroup;
  r.perTensor = g.numGroups == 1;
  return r;
}

//===-- Element loops ------------------------------------------------------===//

template <typename Op> __global__ void forEachKernel(int64_t n, Op op) {
  int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += step)
    op(i);
}
/// Runs op(i) for i in [0, n) on `stream`.
template <typename Op>
Status forEach(int64_t n, Op op, void *stream, const char *name) {
  if (n <= 0)
    return Status::ok();
  forEachKernel<<<gridFor(n), kThreads, 0, detail::stream(stream)>>>(n, op);
  return checkLaunch(name);
}

//===-- Two-stage per-group sums -------------------------------------------===//

/// Group k's elements as `outer` segments of `segment` contiguous elements,
/// segment j at j * stride + k * segment (a GroupShape's groups; batch
/// norm's channels: segment H W, stride C H W).
struct Segments {
  int64_t groups = 1, outer = 1, segment = 0, stride = 0;
  __device__ int64_t elements() const { return outer * segment; }
  __device__ int64_t operator()(int64_t k, int64_t j) const {
    return outer == 1 ? k * segment + j
                      : (j / segment) * stride + k * segment + j % segment;
  }
};
inline Segments segmentsOf(const GroupShape &g) {
  Segments s;
  s.groups = g.numGroups;
  if (g.numGroups == 1) {
    s.outer = 1;
    s.segment = s.stride = g.numel;
  } else {
    s.segment = g.perGroup * g.inner;
    s.stride = g.channels * g.inner;
    s.outer = g.numel / s.stride;
  }
  return s;
}

/// First-stage blocks per group: about 16 elements per thread, at most 256.
inline int reduceBlocks(int64_t elements) {
  int64_t b = (elements + kThreads * 16 - 1) / (kThreads * 16);
  return (int)(b < 1 ? 1 : (b > 256 ? 256 : b));
}
inline size_t reduceWorkspace(int64_t groups, int64_t elements, int p) {
  return (size_t)groups * reduceBlocks(elements) * p * sizeof(double);
}

/// Sums each of the block's P values over its threads into thread 0's (a
/// fixed tree).
template <int P> __device__ void blockSum(double (&acc)[P]) {
  __shared__ double sh[P][kThreads];
  int t = threadIdx.x;
  for (int p = 0; p < P; ++p)
    sh[p][t] = acc[p];
  __syncthreads();
  for (int s = kThreads / 2; s > 0; s >>= 1) {
    if (t < s)
      for (int p = 0; p < P; ++p)
        sh[p][t] += sh[p][t + s];
    __syncthreads();
  }
  for (int p = 0; p < P; ++p)
    acc[p] = sh[p][0];
  __syncthreads(); // sh is reused by the next group
}

/// Stage 1: op(i, k, acc) adds element i of group k into acc[0..P) (and
/// may write per-element results); Index maps (k, j) to i.
template <int P, typename Index, typename Op>
__global__ void groupSum1(Index index, int64_t groups, int64_t elements,
                          int blocks, double *partial, Op op) {
  int64_t step = (int64_t)blocks * blockDim.x;
  for (int64_t k = blockIdx.y; k < groups; k += gridDim.y) {
    double acc[P] = {};
    for (int64_t j = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
         j < elements; j += step)
      op(index(k, j), k, acc);
    blockSum<P>(acc);
    if (threadIdx.x == 0)
      for (int p = 0; p < P; ++p)
        partial[(k * blocks + blockIdx.x) * P + p] = acc[p];
  }
}
/// Stage 2: fin(k, sums) with group k's P sums.
template <int P, typename Fin>
__global__ void groupSum2(int64_t groups, int blocks, const double *partial,
                          Fin fin) {
  for (int64_t k = blockIdx.x; k < groups; k += gridDim.x) {
    double acc[P] = {};
    for (int b = threadIdx.x; b < blocks; b += blockDim.x)
      for (int p = 0; p < P; ++p)
        acc[p] += partial[(k * blocks + b) * P + p];
    blockSum<P>(acc);
    if (threadIdx.x == 0)
      fin(k, acc);
  }
}
/// Both stages; `partial` holds reduceWorkspace(groups, elements, P) bytes.
template <int P, typename Index, typename Op, typename Fin>
Status groupSum(Index index, int64_t groups, int64_t elements, Op op, Fin fin,
                void *partial, void *stream, const char *name) {
  if (groups <= 0)
    return Status::ok();
  cudaStream_t s = detail::stream(stream);
  int blocks = reduceBlocks(elements);
  unsigned gy = groups < kMaxGridY ? (unsigned)groups : kMaxGridY;
  double *w = static_cast<double *>(partial);
  groupSum1<P><<<dim3(blocks, gy), kThreads, 0, s>>>(index, groups, elements,
                                                     blocks, w, op);
  QRT_RETURN_IF_ERROR(checkLaunch(name));
  groupSum2<P><<<gy, kThreads, 0, s>>>(groups, blocks, w, fin);
  return checkLaunch(name);
}

} // namespace detail
} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_TRAINCOMMON_CUH
