//===- Grid.h - internal: launch geometry of qrt_cuda's kernels -*- C++ -*-===//
//
// Included by the .cu files only.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_GRID_H
#define QRT_CUDA_GRID_H

#include <cstdint>

namespace qrt {
namespace cuda {
namespace detail {

constexpr int kThreads = 256;

/// Blocks of a grid-stride loop over n elements: enough to fill a large GPU
/// several times, fewer for small n.
inline unsigned gridFor(int64_t n) {
  int64_t b = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(b < 1 ? 1 : (b > 65536 ? 65536 : b));
}

} // namespace detail
} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_GRID_H
