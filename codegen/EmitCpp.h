//===- EmitCpp.h - execution plans as standalone C++ programs ---*- C++ -*-===//
//
// qemit's library. An ExecutionPlan whose steps are all kernel calls
// (runtime/Kernels.def) becomes
//   - an EmitC module: one `emitc.call_opaque "qrt::exec::<kernel>"` per
//     step in `void NAME_forward(qrt::exec::Context &)`, its parameters and
//     operand slots as `static const` globals named after the model's
//     layers; printed to C++ by mlir::emitc::translateToCpp (NAME.cpp);
//   - the program's spec and C API (NAME_program.cpp, NAME.h), a main
//     (main.cpp, qrt::programMain), a CMakeLists.txt that finds an installed
//     qrt, and the weights (NAME.weights, runtime/Checkpoint's format).
// docs/codegen.md describes the programs.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CODEGEN_EMITCPP_H
#define QOPT_CODEGEN_EMITCPP_H

#include "codegen/ExecutionPlan.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <optional>
#include <string>
#include <vector>

namespace qopt {

/// "cpu" / "cuda"; parseTarget is its inverse.
const char *targetName(Target t);
std::optional<Target> parseTarget(llvm::StringRef s);

/// C identifiers of a plan's slots (after the layers that produce them) and
/// of its steps.
struct ProgramNames {
  std::vector<std::string> slots; // by slot
  std::vector<std::string> steps; // by step
};

/// Names the slots and steps of `plan`, compiled from `func`.
ProgramNames nameProgram(const ExecutionPlan &plan, mlir::func::FuncOp func);

/// Checks that `plan` can be emitted for `target`: only dimension 0 (the
/// batch) of the function's arguments is dynamic, and for the CUDA target
/// every step's kernel has a CUDA implementation (runtime/cuda/Kernels.def).
/// Reports each problem at its op / argument and fails.
mlir::LogicalResult checkEmittable(const ExecutionPlan &plan,
                                   mlir::func::FuncOp func,
                                   Target target = Target::Cpu);

/// A function of a program: its plan, its names, and its role, which
/// names its C++ function NAME_<role> and the namespace of its step data:
/// "forward" (inference, or a training program's test-mode evaluation) or
/// "train_step".
struct ProgramFunction {
  const ExecutionPlan *plan;
  mutable mlir::func::FuncOp func; // (mlir op handles are not const-correct)
  std::string role;
  ProgramNames names;
  ProgramFunction(const ExecutionPlan &plan, mlir::func::FuncOp func,
                  std::string role)
      : plan(&plan), func(func), role(std::move(role)),
        names(nameProgram(plan, func)) {}
};

/// The EmitC module of the functions: `void NAME_<role>(Context &)` each.
mlir::OwningOpRef<mlir::ModuleOp>
buildEmitCModule(mlir::MLIRContext *context,
                 llvm::ArrayRef<ProgramFunction> functions,
                 llvm::StringRef name, Target target = Target::Cpu);

/// Writes the program directory `dir` (created if missing): an inference
/// program of one "forward" function, or a training program of a
/// "train_step" and its "forward" evaluation over the same globals.
mlir::LogicalResult writeProgram(llvm::ArrayRef<ProgramFunction> functions,
                                 llvm::StringRef name, llvm::StringRef dir,
                                 Target target = Target::Cpu);

/// `s` as a C identifier (alphanumerics and '_', not starting with a digit).
std::string cIdentifier(llvm::StringRef s);

} // namespace qopt

#endif // QOPT_CODEGEN_EMITCPP_H
