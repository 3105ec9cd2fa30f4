//===- Threading.h - qrt thread count ---------------------------*- C++ -*-===//
//
// qrt threads with OpenMP because Debian's oneDNN is built with the OpenMP
// runtime (libgomp): one pool serves oneDNN primitives and qrt's own
// elementwise kernels, so the two never oversubscribe the cores.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_THREADING_H
#define QRT_THREADING_H

namespace qrt {

/// Sets the number of threads used by qrt kernels and oneDNN primitives
/// executed afterwards from the calling thread (omp_set_num_threads). n < 1
/// is treated as 1.
void setNumThreads(int n);
/// Threads a parallel region started now would use.
int getNumThreads();

} // namespace qrt

#endif // QRT_THREADING_H
