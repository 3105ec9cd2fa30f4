//===- Collective.h - collectives of a data-parallel run --------*- C++ -*-===//
//
// What qrt's kernels and the training loop need from the processes of a
// data-parallel run (docs/training.md, "Data-parallel training"): sums,
// minima and maxima across ranks, and a broadcast. qrt itself depends on no
// communication library; the MPI implementation is libqrt_mpi
// (runtime/mpi/MpiCollective.h), installed as qrt::qrt_mpi, and a driver
// (qc, an emitted training program) sets it once with setCollective().
// Without one, every collective is the identity and a run is one process.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_COLLECTIVE_H
#define QRT_COLLECTIVE_H

#include "runtime/Status.h"

#include <cstdint>

namespace qrt {

class Collective {
public:
  virtual ~Collective();
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// Element-wise over every rank, in place. Every rank calls the same
  /// collectives in the same order (a plan's steps run in order).
  virtual Status allReduceSum(float *data, int64_t n) = 0;
  virtual Status allReduceSum(double *data, int64_t n) = 0;
  virtual Status allReduceMin(float *data, int64_t n) = 0;
  virtual Status allReduceMax(float *data, int64_t n) = 0;
  /// `bytes` bytes from rank `root` to every rank.
  virtual Status broadcast(void *data, int64_t bytes, int root) = 0;
  /// Ends every rank's process with `code`: what a rank that failed calls,
  /// since the others may be waiting for it in a collective.
  [[noreturn]] virtual void abort(int code) = 0;
};

/// The process's collective; nullptr when the run is one process.
Collective *collective();
/// Sets it (not owned; nullptr: one process).
void setCollective(Collective *c);
/// This process's rank and the number of ranks (0 and 1 without a
/// collective).
int worldRank();
int worldSize();

/// The share of the global batch this rank's current training step holds
/// (its samples / every rank's samples): what qnn.all_reduce{batch_mean}
/// weighs this rank's gradient by, so that the reduced gradient is the
/// global batch's mean even when the ranks' shards differ in size. Set by
/// the training loop before every step; 1 by default.
void setGradientWeight(double weight);
double gradientWeight();

} // namespace qrt

#endif // QRT_COLLECTIVE_H
