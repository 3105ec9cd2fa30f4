//===- Parallel.h - internal parallel loop helper ---------------*- C++ -*-===//
//
// Internal to qrt's .cpp files (compiled with -fopenmp). Splits [0, n) into
// contiguous chunks, one per thread, so each thread runs a tight inner loop
// the compiler can vectorize. Small ranges stay on the calling thread: a
// parallel region costs microseconds.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_PARALLEL_H
#define QRT_PARALLEL_H

#include <algorithm>
#include <cstdint>

#include <omp.h>

namespace qrt {
namespace detail {

/// Calls f(begin, end) on disjoint chunks covering [0, n). `grain` is the
/// amount of work (in elements) below which the loop runs serially.
template <typename F> void parallelFor(int64_t n, int64_t costPerItem, F &&f) {
  constexpr int64_t kMinWorkPerThread = 1 << 15;
  int64_t maxThreads = omp_get_max_threads();
  int64_t threads = std::min<int64_t>(
      maxThreads, std::max<int64_t>(1, n * costPerItem / kMinWorkPerThread));
  threads = std::min<int64_t>(threads, n);
  if (threads <= 1 || omp_in_parallel()) {
    if (n > 0)
      f(int64_t(0), n);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    int64_t t = omp_get_thread_num();
    int64_t nt = omp_get_num_threads();
    int64_t chunk = (n + nt - 1) / nt;
    int64_t begin = std::min(n, t * chunk);
    int64_t end = std::min(n, begin + chunk);
    if (begin < end)
      f(begin, end);
  }
}

} // namespace detail
} // namespace qrt

#endif // QRT_PARALLEL_H
