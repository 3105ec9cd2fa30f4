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

/// libgomp threads spin-wait between parallel regions by default; on a
/// shared machine one descheduled spinning thread stalls every barrier (2
/// threads were 10-25x slower than with OMP_WAIT_POLICY=passive under load,
/// docs/benchmarks.md; a QAT run spent 85% of its time spinning). libgomp
/// reads its environment when it is loaded, before main, so this sets the
/// passive policy and re-executes the program (/proc/self/exe with `argv`,
/// which must end with a null pointer) once, unless the user chose one
/// (OMP_WAIT_POLICY or GOMP_SPINCOUNT set). Call first thing in main; the
/// tools and emitted programs (programMain) do.
void preferPassiveWaitPolicy(char **argv);

/// Order-fixed reductions (docs/reliability.md, "Determinism across thread
/// counts"): when on, the reductions whose order follows the thread count
/// -- oneDNN's conv2d backward weights (runtime/BackwardConv.cpp) and qrt's
/// per-group sums (the LSQ step-size gradients, runtime/FakeQuant.cpp) --
/// use a decomposition fixed by the data's shape, so a training step gives
/// the same bytes at any thread count, about 10% slower. Off by default;
/// on with QRT_DETERMINISTIC=1 (read at start-up, any value but 0), qc /
/// qrun / emitted training programs' --deterministic, and in every lit
/// test (test/lit.cfg.py).
void setOrderFixedReductions(bool on);
bool orderFixedReductions();

} // namespace qrt

#endif // QRT_THREADING_H
