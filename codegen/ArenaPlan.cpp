//===- ArenaPlan.cpp - static memory planning of an execution plan --------===//

#include "codegen/ArenaPlan.h"
#include "codegen/ExecutionPlan.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"

#include <algorithm>

using namespace mlir;
using namespace qopt;
using qrt::exec::Kernel;
using qrt::exec::kNoSlot;
using qrt::exec::Slot;

namespace {
/// What a kernel does with the memory of its operands (runtime/Exec*.cpp).
enum class Effect {
  /// Writes its outputs where Context::output puts them (or allocates) and
  /// keeps no reference to its operands past the step.
  Fresh,
  /// out[0] is a view of in[0]: no bytes of its own.
  View,
  /// Not known here (a kernel added since): nothing it writes is placed,
  /// nor anything it reads, which it may keep (optimizer state, globals).
  Unknown,
};
} // namespace

static Effect effectOf(Kernel k) {
  switch (k) {
  case Kernel::reshape:
  case Kernel::flatten:
    return Effect::View;
  case Kernel::conv2d:
  case Kernel::linear:
  case Kernel::matmul:
  case Kernel::batch_norm:
  case Kernel::group_norm:
  case Kernel::relu:
  case Kernel::sigmoid:
  case Kernel::hard_swish:
  case Kernel::hard_sigmoid:
  case Kernel::silu:
  case Kernel::gelu:
  case Kernel::erf:
  case Kernel::sqrt:
  case Kernel::tanh:
  case Kernel::pow:
  case Kernel::layer_norm:
  case Kernel::leaky_relu:
  case Kernel::clip:
  case Kernel::softmax:
  case Kernel::prelu:
  case Kernel::add:
  case Kernel::sub:
  case Kernel::mul:
  case Kernel::div:
  case Kernel::max_pool:
  case Kernel::avg_pool:
  case Kernel::global_avg_pool:
  case Kernel::reduce_mean:
  case Kernel::concat:
  case Kernel::expand:
  case Kernel::slice:
  case Kernel::pad:
  case Kernel::transpose:
  case Kernel::resize:
  case Kernel::fake_quant:
  case Kernel::observe:
  case Kernel::exact_conv2d:
  case Kernel::exact_linear:
  case Kernel::fused_conv2d_layer:
  case Kernel::quantize:
  case Kernel::dequantize:
  case Kernel::requantize:
  case Kernel::max_pool_int8:
  case Kernel::qadd:
  case Kernel::storage_cast:
  case Kernel::qconv2d_fused:
  case Kernel::qconv2d:
  case Kernel::qlinear:
  case Kernel::binary_conv2d:
  case Kernel::lq_conv2d:
  case Kernel::lq_linear:
    return Effect::Fresh;
  default:
    return Effect::Unknown;
  }
}

/// True when the step keeps a reference to operand `i` across runs: an
/// exact layer keeps its bias (a view) in its kernel state.
static bool keepsOperand(const qrt::exec::Step &step, size_t i) {
  if (effectOf(step.kernel) == Effect::Unknown)
    return true;
  return (step.kernel == Kernel::exact_conv2d ||
          step.kernel == Kernel::exact_linear) &&
         i == 2;
}

/// The operand whose bytes the step may write its output into when that
/// operand dies at the step (kNoSlot if none): the addend of a fused
/// residual add, which the output starts as (runtime/ExecNetwork.cpp,
/// ExecInteger.cpp skip the copy when the two share their bytes).
static Slot inPlaceOperand(const qrt::exec::Step &step) {
  const qrt::exec::StepIO &io = step.io;
  if (io.in.size() < 4 || io.in[3] == kNoSlot || io.out.size() != 1)
    return kNoSlot;
  if (step.kernel == Kernel::conv2d) {
    const auto &p = step.as<qrt::exec::ConvF32>();
    // Another layout is transposed into the output, not copied.
    return p.addendChannelsLast == p.conv.dstChannelsLast ? io.in[3] : kNoSlot;
  }
  if (step.kernel == Kernel::qconv2d_fused)
    return io.in[3];
  return kNoSlot;
}

static int64_t roundUp(int64_t bytes) {
  int64_t a = (int64_t)qrt::kTensorAlignment;
  return (bytes + a - 1) / a * a;
}

std::vector<const qrt::exec::StepIO *>
qopt::stepIOs(const ExecutionPlan &plan) {
  std::vector<const qrt::exec::StepIO *> ios;
  for (const PlanStep &step : plan.planSteps())
    ios.push_back(&step.call.io);
  return ios;
}

qrt::Status qopt::checkArenaPlan(const ExecutionPlan &plan,
                                 const ArenaPlan &arena) {
  std::vector<Slot> results(plan.resultSlots().begin(),
                            plan.resultSlots().end());
  return qrt::exec::checkArenaLayout(arena.layout, stepIOs(plan),
                                     arena.storageOf, results);
}

/// Bytes per batch row of each slot's type, -1 where the tensor is not
/// proportional to the batch: the batch is dimension 0 of the first
/// argument (dynamic, or a static size); a tensor is proportional when its
/// dimension 0 is the batch and its other dimensions are static.
static std::vector<int64_t> rowBytesOfSlots(const ExecutionPlan &plan) {
  std::vector<int64_t> rowBytes(plan.numSlots(), 0);
  const std::vector<ArgSpec> &args = plan.arguments();
  bool hasBatch = !args.empty() && !args[0].shape.empty();
  int64_t batch = hasBatch ? args[0].shape[0] : 0;
  for (auto [value, slot] : plan.slotMap()) {
    // Values sharing a slot (fused ops, observers) must all be proportional.
    FailureOr<ArgSpec> spec = argSpecOf(value.getType());
    int64_t row = -1;
    if (hasBatch && succeeded(spec) && !spec->shape.empty() &&
        spec->shape[0] == batch) {
      row = (int64_t)qrt::dtypeSize(spec->dtype);
      for (int64_t d : llvm::drop_begin(spec->shape))
        row = d < 0 ? -1 : row * d;
      if (row < 0)
        row = -1;
    }
    if (row < 0 || rowBytes[slot] < 0)
      rowBytes[slot] = -1;
    else
      rowBytes[slot] = std::max(rowBytes[slot], row);
  }
  for (int64_t &row : rowBytes)
    if (row == 0)
      row = -1; // no value of the function (or empty rows): not placed
  return rowBytes;
}

ArenaPlan qopt::planArena(const ExecutionPlan &plan) {
  size_t numSlots = plan.numSlots();
  const std::vector<PlanStep> &steps = plan.planSteps();
  ArenaPlan a;
  a.rowBytes = rowBytesOfSlots(plan);
  a.storageOf.resize(numSlots);
  for (size_t s = 0; s < numSlots; ++s)
    a.storageOf[s] = (Slot)s;
  a.live.assign(numSlots, {-1, -1});
  a.whyNot.assign(numSlots, "");

  // Views share the bytes of what they view; writes and reads make the
  // live range of the bytes' owner (its root).
  std::vector<bool> fresh(numSlots, false); // written by a Fresh kernel
  // Reasons found on the way, by slot (not yet by root: views are still
  // being found); the first reason of a root is the one reported.
  std::vector<std::pair<Slot, std::string>> stepReasons;
  auto why = [&](Slot root, const std::string &reason) {
    if (a.whyNot[root].empty())
      a.whyNot[root] = reason;
  };
  for (auto [i, step] : llvm::enumerate(steps)) {
    const qrt::exec::StepIO &io = step.call.io;
    Effect effect = effectOf(step.call.kernel);
    for (auto [k, s] : llvm::enumerate(io.in)) {
      if (s == kNoSlot)
        continue;
      Slot root = a.storageOf[s];
      a.live[root].second = std::max<int64_t>(a.live[root].second, i);
      if (keepsOperand(step.call, k))
        stepReasons.push_back({s, std::string("kept by ") +
                                      qrt::exec::kernelName(step.call.kernel)});
    }
    for (Slot o : io.out) {
      if (a.live[o].first >= 0) {
        stepReasons.push_back({o, "written by two steps"});
        continue;
      }
      if (effect == Effect::View && !io.in.empty() && io.in[0] != kNoSlot) {
        a.storageOf[o] = a.storageOf[io.in[0]];
        continue;
      }
      a.live[o] = {(int64_t)i, (int64_t)i};
      fresh[o] = effect == Effect::Fresh;
      if (effect == Effect::Unknown)
        stepReasons.push_back({o, std::string("written by ") +
                                      qrt::exec::kernelName(step.call.kernel)});
    }
  }
  // Weights and inputs are not the plan's to place; results outlive the
  // run (the next run would overwrite them).
  llvm::DenseSet<unsigned> args(plan.argumentSlots().begin(),
                                plan.argumentSlots().end());
  for (size_t s = 0; s < numSlots; ++s) {
    if (plan.constant(s).defined())
      why(a.storageOf[s], "weight");
    else if (args.contains(s))
      why(a.storageOf[s], "input");
  }
  for (unsigned s : plan.resultSlots())
    why(a.storageOf[s], "result");
  for (auto &[s, reason] : stepReasons)
    why(a.storageOf[s], reason);
  for (size_t s = 0; s < numSlots; ++s) {
    if (a.storageOf[s] != (Slot)s)
      continue;
    if (!fresh[s])
      why(s, "not written by a step");
    if (a.rowBytes[s] < 0)
      why(s, "not proportional to the batch");
  }

  // In place: an output whose operand dies at the step takes its bytes
  // (the residual add fused into a conv); both must be placeable.
  auto placeable = [&](Slot root) { return a.whyNot[root].empty(); };
  for (auto [i, step] : llvm::enumerate(steps)) {
    Slot operand = inPlaceOperand(step.call);
    if (operand == kNoSlot)
      continue;
    Slot root = a.storageOf[operand], out = step.call.io.out[0];
    bool sharedWithOtherOperand =
        llvm::any_of(llvm::enumerate(step.call.io.in), [&](auto in) {
          return in.value() != kNoSlot && in.index() != 3 &&
                 a.storageOf[in.value()] == root;
        });
    if (a.storageOf[out] != out || !placeable(root) || !placeable(out) ||
        a.live[root].second != (int64_t)i || sharedWithOtherOperand ||
        a.rowBytes[root] != a.rowBytes[out])
      continue;
    for (Slot &s : a.storageOf)
      if (s == out)
        s = root;
    a.live[root].second = std::max(a.live[root].second, a.live[out].second);
    a.live[out] = {-1, -1};
  }

  // Greedy by size: the largest first, each at the lowest offset where it
  // overlaps no placed tensor live at the same time.
  std::vector<Slot> roots;
  for (size_t s = 0; s < numSlots; ++s)
    if (a.storageOf[s] == (Slot)s && a.live[s].first >= 0 && placeable(s))
      roots.push_back((Slot)s);
  llvm::stable_sort(
      roots, [&](Slot x, Slot y) { return a.rowBytes[x] > a.rowBytes[y]; });
  std::vector<int64_t> offset(numSlots, -1);
  std::vector<Slot> placed;
  for (Slot s : roots) {
    int64_t size = roundUp(a.rowBytes[s]);
    std::vector<std::pair<int64_t, int64_t>> taken; // [begin, end)
    for (Slot p : placed)
      if (a.live[p].first <= a.live[s].second &&
          a.live[s].first <= a.live[p].second)
        taken.push_back({offset[p], offset[p] + roundUp(a.rowBytes[p])});
    llvm::sort(taken);
    int64_t at = 0;
    for (auto [begin, end] : taken) {
      if (at + size <= begin)
        break;
      at = std::max(at, end);
    }
    offset[s] = at;
    placed.push_back(s);
    a.layout.rowBytes = std::max(a.layout.rowBytes, at + size);
  }
  // Every slot that is written where its bytes are (roots and in-place
  // outputs) gets a placement.
  for (size_t s = 0; s < numSlots; ++s) {
    Slot root = a.storageOf[s];
    if (offset[root] < 0 || !fresh[s])
      continue;
    a.layout.placements.push_back(
        {(Slot)s, offset[root], roundUp(a.rowBytes[root])});
    a.tensorRowBytes += a.rowBytes[s];
  }
  return a;
}

/// The batch the report counts bytes at: the first argument's static
/// dimension 0, else 1.
static int64_t reportBatch(const ExecutionPlan &plan) {
  const std::vector<ArgSpec> &args = plan.arguments();
  return !args.empty() && !args[0].shape.empty() && args[0].shape[0] > 0
             ? args[0].shape[0]
             : 1;
}

std::string qopt::arenaSummary(const ExecutionPlan &plan,
                               const ArenaPlan &arena) {
  int64_t batch = reportBatch(plan);
  int64_t arenaBytes = arena.layout.rowBytes * batch;
  int64_t tensorBytes = arena.tensorRowBytes * batch;
  // Intermediate tensors left to the buffer pool (not weights or inputs).
  size_t results = 0, others = 0;
  for (size_t s = 0; s < arena.whyNot.size(); ++s) {
    const std::string &why = arena.whyNot[s];
    if (arena.storageOf[s] != (Slot)s || why.empty() || why == "weight" ||
        why == "input")
      continue;
    ++(why == "result" ? results : others);
  }
  std::string line;
  llvm::raw_string_ostream os(line);
  os << "arena " << arenaBytes << " bytes for "
     << arena.layout.placements.size() << " tensors of " << tensorBytes
     << " bytes at batch " << batch;
  if (tensorBytes > 0)
    os << " (" << llvm::format("%.1f", 100.0 * arenaBytes / tensorBytes)
       << "%)";
  os << "; in the buffer pool: " << results << " results, " << others
     << " others";
  return line;
}

void qopt::printArenaPlan(const ExecutionPlan &plan, const ArenaPlan &arena,
                          ArrayRef<std::string> slotNames,
                          llvm::raw_ostream &os) {
  std::vector<const qrt::exec::ArenaLayout::Placement *> placement(
      plan.numSlots(), nullptr);
  for (const auto &p : arena.layout.placements)
    placement[p.slot] = &p;
  os << "arena: " << arena.layout.rowBytes << " bytes per batch row\n";
  for (size_t s = 0; s < plan.numSlots(); ++s) {
    if (plan.constant(s).defined())
      continue;
    Slot root = arena.storageOf[s];
    os << "  " << slotNames[s] << " (slot " << s << "): ";
    if (const auto *p = placement[s]) {
      os << "[" << p->offset << ", " << p->offset + p->size << ") live "
         << arena.live[root].first << ".." << arena.live[root].second;
      if (root != (Slot)s)
        os << ", in place of " << slotNames[root];
    } else if (root != (Slot)s) {
      os << "view of " << slotNames[root];
    } else {
      os << "not placed: "
         << (arena.whyNot[s].empty() ? "not written" : arena.whyNot[s]);
    }
    os << "\n";
  }
  os << arenaSummary(plan, arena) << "\n";
}
