//===- ExecKernel.h - defining a kernel of Kernels.def ----------*- C++ -*-===//
//
// Private to the Exec*.cpp files. QRT_DEFINE_KERNEL(name, Params) { body }
// defines qrt::exec::name, whose body (returning a Status) runs through
// Context::runStep.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_EXECKERNEL_H
#define QRT_EXECKERNEL_H

#include "runtime/Exec.h"

#include <map>

#define QRT_DEFINE_KERNEL(name, Params)                                        \
  static ::qrt::Status name##Body(::qrt::exec::Context &ctx,                   \
                                  const ::qrt::exec::StepIO &io,               \
                                  const Params &p);                            \
  void qrt::exec::name(Context &ctx, const StepIO &io, const Params &p) {      \
    ctx.runStep(io, [&] { return name##Body(ctx, io, p); });                   \
  }                                                                            \
  static ::qrt::Status name##Body(::qrt::exec::Context &ctx,                   \
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
