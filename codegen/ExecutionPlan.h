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

#include "codegen/ArenaPlan.h"
#include "runtime/Exec.h"
#include "runtime/Observer.h"
#include "runtime/ProgramMain.h"
#include "runtime/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <string>
#include <vector>

namespace qopt {

class GlobalState;

/// One step of a plan: a kernel call of runtime/Kernels.def with its
/// parameters (data the interpreter dispatches and the emitter prints).
struct PlanStep {
  qrt::exec::Step call;
  /// The op's location, for diagnostics about the step.
  mlir::LocationAttr loc;
};

/// Expected shape (-1: dynamic) and dtype of a function argument or result,
/// as an emitted program's signature states it.
using ArgSpec = qrt::TensorInfo;

/// What a plan runs on: the CPU kernels of libqrt (qrt::exec) or the CUDA
/// kernels of libqrt_cuda (qrt::cuda::exec), over the same steps and
/// parameters. A plan for the CPU may use steps that have only a CPU kernel
/// (the packed binary conv); a plan for CUDA computes those ops with the
/// steps both have.
enum class Target { Cpu, Cuda };

class ExecutionPlan {
public:
  /// Compiles `func`. Unsupported ops and types are reported as errors at the
  /// op's location (all of them, not just the first). A function that loads
  /// or stores `ml_program` globals needs `globals` (GlobalState.h), which
  /// every run then reads and updates.
  static mlir::FailureOr<ExecutionPlan>
  compile(mlir::func::FuncOp func,
          std::shared_ptr<GlobalState> globals = nullptr,
          Target target = Target::Cpu);

  /// Runs the plan. Inputs are checked against the function signature.
  /// With `checkFinite`, every step's f32 values are checked after it runs
  /// and the first step that produces a NaN or Inf is reported by name (a
  /// slow diagnostic mode, e.g. to explain a non-finite training loss).
  qrt::Expected<std::vector<qrt::Tensor>>
  run(const std::vector<qrt::Tensor> &inputs, bool checkFinite = false) const;

  const std::vector<ArgSpec> &arguments() const { return args; }
  Target target() const { return target_; }
  const std::vector<ArgSpec> &results() const { return resultSpecs; }
  size_t numSteps() const { return steps.size(); }

  // Used by the op lowerings while compiling.
  unsigned slotOf(mlir::Value v);
  /// Makes `alias` share `of`'s slot (an op fused into its producer).
  void aliasSlot(mlir::Value alias, mlir::Value of);
  /// Marks an op as computed by another op's step (fusion); it gets no step.
  void absorb(mlir::Operation *op) { absorbed.insert(op); }
  /// Appends a kernel call computing `op`: `step` carries the kernel and
  /// its parameters; `in` / `out` are its operand and result values in the
  /// kernel's order (null for an absent optional operand).
  template <typename P>
  void addCall(mlir::Operation *op,
               qrt::exec::Step (*make)(qrt::exec::StepIO, P),
               llvm::ArrayRef<mlir::Value> in, llvm::ArrayRef<mlir::Value> out,
               P params) {
    appendStep(op, {make(stepIO(op, in, out), std::move(params)), {}});
  }
  /// Registers a calibration observer under `name`, in program order.
  void addObserver(const std::string &name) { context->observer(name); }
  /// The observers of a calibration graph, by name, in program order (null
  /// until their step ran). They accumulate over every run() of this plan.
  const std::vector<std::pair<std::string, std::unique_ptr<qrt::Observer>>> &
  observers() const {
    return context->observers();
  }
  const std::vector<PlanStep> &planSteps() const { return steps; }
  /// The context the runs use, for its per-step profile (qrun --profile).
  qrt::exec::Context &profileContext() const { return *context; }
  /// The slot of every value of the function, and the constant slots'
  /// tensors (weights) in slot order.
  const llvm::DenseMap<mlir::Value, unsigned> &slotMap() const { return slots; }
  const std::vector<unsigned> &argumentSlots() const { return argSlots; }
  const std::vector<unsigned> &resultSlots() const { return resultSlotList; }
  size_t numSlots() const { return context->numSlots(); }
  /// The tensor of constant slot `slot` (undefined for other slots).
  const qrt::Tensor &constant(unsigned slot) const {
    return constSlots.contains(slot) ? (*context)[(int32_t)slot] : noTensor;
  }
  bool isConstant(mlir::Value v) const {
    auto it = slots.find(v);
    return it != slots.end() && constSlots.contains(it->second);
  }
  /// Where the intermediate tensors live (codegen/ArenaPlan.h).
  const ArenaPlan &memory() const { return memoryPlan; }
  const qrt::exec::ArenaLayout &arena() const { return memoryPlan.layout; }
  /// The module's global values (null when compiled without them).
  GlobalState *globals() const { return globalState.get(); }
  /// Converts a constant's attribute into a slot holding a qrt tensor.
  mlir::LogicalResult addConstant(mlir::Value result, mlir::Attribute value);

private:
  Target target_ = Target::Cpu;
  std::vector<ArgSpec> args, resultSpecs;
  qrt::exec::StepIO stepIO(mlir::Operation *op, llvm::ArrayRef<mlir::Value> in,
                           llvm::ArrayRef<mlir::Value> out);
  void appendStep(mlir::Operation *op, PlanStep step);

  std::vector<unsigned> argSlots, resultSlotList;
  std::vector<PlanStep> steps;
  unsigned nextSlot = 0;
  /// Slots, kernel state (per-shape oneDNN plans), recycled buffers and
  /// observers; constants live in their slots for the plan's lifetime.
  /// run() is not reentrant.
  std::shared_ptr<qrt::exec::Context> context =
      std::make_shared<qrt::exec::Context>();
  llvm::DenseMap<mlir::Value, unsigned> slots;
  llvm::DenseSet<unsigned> constSlots;
  llvm::SmallPtrSet<mlir::Operation *, 8> absorbed;
  std::shared_ptr<GlobalState> globalState;
  ArenaPlan memoryPlan;
  static inline const qrt::Tensor noTensor;
};

/// Shape and dtype of a ranked tensor type; fails on unsupported element
/// types.
mlir::FailureOr<ArgSpec> argSpecOf(mlir::Type type);

} // namespace qopt

#endif // QOPT_CODEGEN_EXECUTIONPLAN_H
