//===- ArenaPlan.h - static memory planning of a plan ---------*- C++ -*-===//
//
// The intermediate tensors of a plan live at fixed offsets of one arena,
// decided when the plan is built, so the interpreter and every emitted
// program place each tensor at the same bytes (docs/codegen.md, "The
// arena"). The batch is dynamic, so offsets and sizes are per batch row:
// only tensors of `batch` rows (dimension 0 of the first argument) and
// static other dimensions are placed; the rest keep the context's
// BufferPool.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CODEGEN_ARENAPLAN_H
#define QOPT_CODEGEN_ARENAPLAN_H

#include "runtime/Exec.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace qopt {

class ExecutionPlan;

/// The memory plan of an ExecutionPlan: the layout its context uses, and
/// what the planner found on the way (for the report and the check).
struct ArenaPlan {
  qrt::exec::ArenaLayout layout;
  /// Per slot: the slot whose bytes it uses (itself; the viewed slot for a
  /// view; the operand for an output placed on its dying operand).
  std::vector<qrt::exec::Slot> storageOf;
  /// Per slot: its bytes per batch row (its type's; -1 when the tensor is
  /// not proportional to the batch or its type is unknown).
  std::vector<int64_t> rowBytes;
  /// Per slot whose bytes are its own: the steps from its write to the last
  /// read of it or of a view of it (-1, -1 when no step writes it).
  std::vector<std::pair<int64_t, int64_t>> live;
  /// Per slot whose bytes are its own and that is not placed: why.
  std::vector<std::string> whyNot;
  /// The bytes per row of all placed tensors, each at its type's size.
  int64_t tensorRowBytes = 0;
};

/// Plans the arena of `plan`: liveness over the steps (following views and
/// in-place outputs), then offsets greedy by size (the largest tensor first,
/// each at the lowest offset free over its live range).
ArenaPlan planArena(const ExecutionPlan &plan);

/// One line: the arena and the sum of the placed tensors' bytes at the
/// plan's batch (1 when it is dynamic), and how many intermediate tensors
/// are not placed.
std::string arenaSummary(const ExecutionPlan &plan, const ArenaPlan &arena);

/// The plan's memory, one intermediate slot a line (its name from
/// `slotNames`): its bytes in the arena and live steps, the slot it views or
/// takes the bytes of, or why it is not placed; then the summary.
void printArenaPlan(const ExecutionPlan &plan, const ArenaPlan &arena,
                    llvm::ArrayRef<std::string> slotNames,
                    llvm::raw_ostream &os);

/// Checks `arena` against the steps and results of `plan`
/// (qrt::exec::checkArenaLayout: no two tensors live at the same step share
/// a byte, no result is placed).
qrt::Status checkArenaPlan(const ExecutionPlan &plan, const ArenaPlan &arena);

/// The StepIO of each step of `plan`, in run order.
std::vector<const qrt::exec::StepIO *> stepIOs(const ExecutionPlan &plan);

} // namespace qopt

#endif // QOPT_CODEGEN_ARENAPLAN_H
