//===- ReduceKernels.cu - deterministic per-group min / max ---------------===//
//
// An observer's batch range in two stages, without atomics: stage 1 gives
// each (group, block) the extreme of its elements, stage 2 one block per
// group combines the blocks' results in a fixed tree. A thread folds its
// elements with emath::foldMin / foldMax (the CPU observer's step) and keeps
// the element index of its value; partial results combine by value, then by
// the lower index. So the result is the first element, in element order, of
// those equal to the extreme: the CPU's single pass exactly, +0 / -0
// included, whatever the launch geometry.
//
//===----------------------------------------------------------------------===//

#include "runtime/ElementMath.h"
#include "runtime/cuda/CudaStatus.h"
#include "runtime/cuda/Grid.h"
#include "runtime/cuda/Launch.h"

#include <cstdint>

namespace qrt {
namespace cuda {
namespace detail {
namespace {

constexpr int64_t kNoIndex = INT64_MAX;
constexpr unsigned kMaxGridY = 65535;

/// A running extreme and the index of the element it came from.
struct Extreme {
  float v;
  int64_t i;
};

/// Of two partial extremes, the one that comes first in element order among
/// equal values (`less` orders values: < for the minimum, > for the maximum).
template <bool IsMin> __device__ inline Extreme combine(Extreme a, Extreme b) {
  bool better = IsMin ? b.v < a.v : a.v < b.v;
  return (better || (b.v == a.v && b.i < a.i)) ? b : a;
}

/// Tree-combines the block's lo / hi into thread 0's (fixed order).
__device__ inline void blockCombine(Extreme &lo, Extreme &hi) {
  __shared__ float loV[kThreads], hiV[kThreads];
  __shared__ int64_t loI[kThreads], hiI[kThreads];
  int t = threadIdx.x;
  loV[t] = lo.v, loI[t] = lo.i, hiV[t] = hi.v, hiI[t] = hi.i;
  __syncthreads();
  for (int s = kThreads / 2; s > 0; s >>= 1) {
    if (t < s) {
      Extreme l = combine<true>({loV[t], loI[t]}, {loV[t + s], loI[t + s]});
      Extreme h = combine<false>({hiV[t], hiI[t]}, {hiV[t + s], hiI[t + s]});
      loV[t] = l.v, loI[t] = l.i, hiV[t] = h.v, hiI[t] = h.i;
    }
    __syncthreads();
  }
  lo = {loV[0], loI[0]};
  hi = {hiV[0], hiI[0]};
  __syncthreads(); // the arrays are reused by the next group
}

/// Workspace: i64 loI[G*B], hiI[G*B], then f32 loV[G*B], hiV[G*B].
struct Partials {
  int64_t *loI, *hiI;
  float *loV, *hiV;
  __device__ Partials(void *w, int64_t count) {
    loI = static_cast<int64_t *>(w);
    hiI = loI + count;
    loV = reinterpret_cast<float *>(hiI + count);
    hiV = loV + count;
  }
};

__global__ void minMaxStage1(MinMaxArgs a, int blocks) {
  Partials p(a.workspace, a.groups * blocks);
  int64_t elements = a.outer * a.segment;
  int64_t step = (int64_t)blocks * blockDim.x;
  for (int64_t k = blockIdx.y; k < a.groups; k += gridDim.y) {
    const float *base = a.x + k * a.segment;
    Extreme lo{INFINITY, kNoIndex}, hi{-INFINITY, kNoIndex};
    for (int64_t j = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
         j < elements; j += step) {
      float v = a.outer == 1 ? base[j]
                             : base[(j / a.segment) * a.stride + j % a.segment];
      float l = emath::foldMin(lo.v, v), h = emath::foldMax(hi.v, v);
      // A fold step keeps its accumulator unless v replaces it.
      if (l != lo.v)
        lo = {l, j};
      if (h != hi.v)
        hi = {h, j};
    }
    blockCombine(lo, hi);
    if (threadIdx.x == 0) {
      int64_t at = k * blocks + blockIdx.x;
      p.loV[at] = lo.v, p.loI[at] = lo.i, p.hiV[at] = hi.v, p.hiI[at] = hi.i;
    }
  }
}

__global__ void minMaxStage2(MinMaxArgs a, int blocks) {
  Partials p(a.workspace, a.groups * blocks);
  for (int64_t k = blockIdx.x; k < a.groups; k += gridDim.x) {
    Extreme lo{INFINITY, kNoIndex}, hi{-INFINITY, kNoIndex};
    for (int b = threadIdx.x; b < blocks; b += blockDim.x) {
      int64_t at = k * blocks + b;
      lo = combine<true>(lo, {p.loV[at], p.loI[at]});
      hi = combine<false>(hi, {p.hiV[at], p.hiI[at]});
    }
    blockCombine(lo, hi);
    if (threadIdx.x == 0) {
      a.mins[k] = lo.v;
      a.maxs[k] = hi.v;
    }
  }
}

} // namespace

int minMaxBlocks(int64_t groupElements) {
  // About 16 elements per thread; at most 256 blocks per group.
  int64_t b = (groupElements + kThreads * 16 - 1) / (kThreads * 16);
  return static_cast<int>(b < 1 ? 1 : (b > 256 ? 256 : b));
}

size_t minMaxWorkspace(int64_t groups, int blocks) {
  return static_cast<size_t>(groups) * blocks *
         (2 * sizeof(int64_t) + 2 * sizeof(float));
}

Status launchMinMax(const MinMaxArgs &a, void *stream) {
  if (a.groups == 0)
    return Status::ok();
  cudaStream_t s = detail::stream(stream);
  int blocks = minMaxBlocks(a.outer * a.segment);
  unsigned gy = a.groups < kMaxGridY ? (unsigned)a.groups : kMaxGridY;
  minMaxStage1<<<dim3(blocks, gy), kThreads, 0, s>>>(a, blocks);
  QRT_RETURN_IF_ERROR(checkLaunch("min/max, stage 1"));
  unsigned gx = a.groups < kMaxGridY ? (unsigned)a.groups : kMaxGridY;
  minMaxStage2<<<gx, kThreads, 0, s>>>(a, blocks);
  return checkLaunch("min/max, stage 2");
}

} // namespace detail
} // namespace cuda
} // namespace qrt
