//===- ExecKernel.h - defining a kernel of Kernels.def ----------*- C++ -*-===//
//
// Private to the Exec*.cpp files. QRT_DEFINE_KERNEL(name, Params) { body }
// defines qrt::exec::name: it does nothing after an earlier error, runs the
// body (which returns a Status), records a failure under the step's name and
// releases the step's dead slots.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_EXECKERNEL_H
#define QRT_EXECKERNEL_H

#include "runtime/Exec.h"

#include <map>

#define QRT_DEFINE_KERNEL(name, Params)                                        \
  static ::qrt::Status name##Body(::qrt::exec::Context &ctx,                 \
                                  const ::qrt::exec::StepIO &io,               \
                                  const Params &p);               \
  void qrt::exec::name(Context &ctx, const StepIO &io, const Params &p) {      \
    if (!ctx.ok())                                                             \
      return;                                                                  \
    ::qrt::Status s = name##Body(ctx, io, p);                                  \
    if (!s)                                                                    \
      ctx.fail(io, s);                                                         \
    ctx.finishStep(io);                                                        \
  }                                                                            \
  static ::qrt::Status name##Body(::qrt::exec::Context &ctx,                 \
                                  const ::qrt::exec::StepIO &io,               \
                                  const Params &p)

namespace qrt {
namespace exec {

/// Kernel state of a layer backed by a oneDNN plan: one per input shape
/// (the batch size may vary between runs).
template <typename PlanT> using PlanCache = std::map<Shape, PlanT>;

/// The optional operand `i` of a step (kNoSlot when the list is shorter).
inline Slot optionalIn(const StepIO &io, size_t i) {
  return i < io.in.size() ? io.in[i] : kNoSlot;
}

} // namespace exec
} // namespace qrt

#endif // QRT_EXECKERNEL_H
