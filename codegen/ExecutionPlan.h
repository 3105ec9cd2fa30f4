//===- ExecutionPlan.h - a qnn function compiled to qrt calls ---*- C++ -*-===//
//
// A function is compiled once into an ExecutionPlan: an ordered list of steps,
// each a call into qrt over numbered value slots, with constants converted to
// qrt tensors and every slot's last use known (so intermediate tensors are
// released as soon as they are dead). The interpreter runs the plan per batch
// and never walks MLIR ops at run time; the plan does no math itself.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CODEGEN_EXECUTIONPLAN_H
#define QOPT_CODEGEN_EXECUTIONPLAN_H

#include "runtime/Observer.h"
#include "runtime/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <functional>
#include <string>
#include <vector>

namespace qopt {

class GlobalState;

/// Buffers of dead intermediate tensors, kept across runs of a plan so that
/// repeated runs with the same shapes reuse them instead of allocating (and
/// page-faulting) fresh outputs. Only tensors that nothing else references
/// (qrt::Tensor::uniquelyOwned) enter it; results handed to the caller never
/// do. Buffers not reused during a run are freed at its end.
class BufferPool {
public:
  /// A free buffer of exactly `shape` and `dtype`, or an undefined tensor.
  qrt::Tensor take(const qrt::Shape &shape, qrt::DType dtype);
  /// Keeps `t`'s buffer if it is uniquely owned; drops it otherwise.
  void give(qrt::Tensor t);
  /// Ends a run: frees buffers that were neither given nor taken during it.
  void endRun();
  size_t size() const { return free.size(); }

private:
  struct Entry {
    qrt::Tensor tensor;
    uint64_t run;
  };
  std::vector<Entry> free;
  uint64_t currentRun = 0;
};

/// The value slots of one execution, plus the plan's buffer pool and the
/// slots the running step is the last reader of.
struct Frame : std::vector<qrt::Tensor> {
  using std::vector<qrt::Tensor>::vector;
  BufferPool *pool = nullptr;
  const std::vector<unsigned> *releasing = nullptr;

  /// A recycled buffer for a step output of `shape`/`dtype`, or an undefined
  /// tensor (the kernel then allocates). Either way it is a valid `Tensor &`
  /// output for qrt kernels.
  qrt::Tensor output(const qrt::Shape &shape, qrt::DType dtype) {
    return pool ? pool->take(shape, dtype) : qrt::Tensor();
  }
  /// True when `slot` is dead after the running step (its last reader).
  bool diesHere(unsigned slot) const;
};

/// One kernel call. `run` reads and writes slots of the frame.
struct PlanStep {
  std::function<qrt::Status(Frame &)> run;
  /// "loc: qnn.conv2d" — prefixed to kernel errors.
  std::string what;
  /// Slots this step reads, and those whose last reader it is (cleared after
  /// it runs).
  std::vector<unsigned> reads, release;
};

/// Expected shape and dtype of a function argument, for input validation.
struct ArgSpec {
  qrt::Shape shape; // -1 for a dynamic dimension
  qrt::DType dtype;
};

class ExecutionPlan {
public:
  /// Compiles `func`. Unsupported ops and types are reported as errors at the
  /// op's location (all of them, not just the first). A function that loads
  /// or stores `ml_program` globals needs `globals` (GlobalState.h), which
  /// every run then reads and updates.
  static mlir::FailureOr<ExecutionPlan>
  compile(mlir::func::FuncOp func,
          std::shared_ptr<GlobalState> globals = nullptr);

  /// Runs the plan. Inputs are checked against the function signature.
  /// With `checkFinite`, every step's f32 values are checked after it runs
  /// and the first step that produces a NaN or Inf is reported by name (a
  /// slow diagnostic mode, e.g. to explain a non-finite training loss).
  qrt::Expected<std::vector<qrt::Tensor>>
  run(const std::vector<qrt::Tensor> &inputs, bool checkFinite = false) const;

  const std::vector<ArgSpec> &arguments() const { return args; }
  const std::vector<ArgSpec> &results() const { return resultSpecs; }
  size_t numSteps() const { return steps.size(); }

  // Used by the op lowerings while compiling.
  unsigned slotOf(mlir::Value v);
  /// Makes `alias` share `of`'s slot (an op fused into its producer).
  void aliasSlot(mlir::Value alias, mlir::Value of);
  /// Marks an op as computed by another op's step (fusion); it gets no step.
  void absorb(mlir::Operation *op) { absorbed.insert(op); }
  /// Appends a step for `op`; its operands (and `extraReads`, e.g. operands
  /// of ops fused into it) are recorded as the step's reads.
  void addStep(mlir::Operation *op, std::function<qrt::Status(Frame &)> fn,
               llvm::ArrayRef<mlir::Value> extraReads = {});
  /// Registers a named observer slot, filled by its step on first use.
  std::shared_ptr<std::unique_ptr<qrt::Observer>>
  addObserver(const std::string &name) {
    observerSlots.emplace_back(name,
                               std::make_shared<std::unique_ptr<qrt::Observer>>());
    return observerSlots.back().second;
  }
  /// The observers of a calibration graph, by name, in program order. They
  /// accumulate over every run() of this plan.
  const std::vector<
      std::pair<std::string, std::shared_ptr<std::unique_ptr<qrt::Observer>>>> &
  observers() const {
    return observerSlots;
  }
  bool isConstant(mlir::Value v) const {
    auto it = slots.find(v);
    return it != slots.end() && constSlots.contains(it->second);
  }
  /// The module's global values (null when compiled without them).
  GlobalState *globals() const { return globalState.get(); }
  /// Converts a constant's attribute into a slot holding a qrt tensor.
  mlir::LogicalResult addConstant(mlir::Value result, mlir::Attribute value);

private:
  std::vector<ArgSpec> args, resultSpecs;
  std::vector<unsigned> argSlots, resultSlots;
  std::vector<PlanStep> steps;
  /// Constants live in the initial frame, copied into each execution.
  Frame constants;
  llvm::DenseMap<mlir::Value, unsigned> slots;
  llvm::DenseSet<unsigned> constSlots;
  llvm::SmallPtrSet<mlir::Operation *, 8> absorbed;
  std::vector<
      std::pair<std::string, std::shared_ptr<std::unique_ptr<qrt::Observer>>>>
      observerSlots;
  /// Recycled intermediate buffers; run() is not reentrant (nor are the
  /// cached conv plans it calls).
  std::shared_ptr<BufferPool> pool = std::make_shared<BufferPool>();
  std::shared_ptr<GlobalState> globalState;
};

/// Shape and dtype of a ranked tensor type; fails on unsupported element
/// types.
mlir::FailureOr<ArgSpec> argSpecOf(mlir::Type type);

} // namespace qopt

#endif // QOPT_CODEGEN_EXECUTIONPLAN_H
