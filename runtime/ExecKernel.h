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

#include <algorithm>
#include <map>
#include <optional>

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

/// `shape` padded by `pads` (ONNX order: all begins, then all ends), or
/// nothing when they do not fit (padConstant then says why).
inline std::optional<Shape> paddedShape(const Shape &shape,
                                        const std::vector<int64_t> &pads) {
  size_t r = shape.size();
  if (pads.size() != 2 * r)
    return std::nullopt;
  Shape padded = shape;
  for (size_t d = 0; d < r; ++d) {
    padded[d] += pads[d] + pads[d + r];
    if (padded[d] < 0)
      return std::nullopt;
  }
  return padded;
}

/// The optional operand `i` of a step (kNoSlot when the list is shorter).
inline Slot optionalIn(const StepIO &io, size_t i) {
  return i < io.in.size() ? io.in[i] : kNoSlot;
}

/// LSQ's step-size gradient scale for a quantizer's input of `shape` on
/// groups `g` (see FakeQuantGradParams), for both back ends' fake_quant_grad.
inline float lsqGradScale(const FakeQuantGradParams &p, const Shape &shape,
                          Granularity g) {
  double numel = static_cast<double>(numElements(shape));
  double perGroup = numel / g.numGroups;
  double perSample = p.weight || shape.empty()
                         ? perGroup
                         : perGroup / std::max<int64_t>(1, shape[0]);
  double fan = shape.size() > 1 ? numel / shape[0] : 1.0;
  return qmath::gradScaleFactor(p.gradScale, fan,
                                p.gradScale == GradScaleMode::Lsq ? perSample
                                                                  : perGroup,
                                p.range.qmax);
}

/// Ok when `p` names global p.index of `g` (null: the program has none);
/// global_load / global_store of both back ends check so.
template <typename GlobalsT>
Status checkGlobal(const GlobalsT *g, const GlobalRef &p) {
  if (!g || p.index < 0 || p.index >= g->size() ||
      g->names()[p.index] != p.name)
    return invalidArgument("global @" + p.name +
                           " is not bound (the program's state list lacks "
                           "it)");
  return Status::ok();
}

} // namespace exec
} // namespace qrt

#endif // QRT_EXECKERNEL_H
