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

#include <string>
#include <vector>

namespace qopt {

/// C identifiers of a plan's slots (after the layers that produce them) and
/// of its steps.
struct ProgramNames {
  std::vector<std::string> slots; // by slot
  std::vector<std::string> steps; // by step
};

/// Names the slots and steps of `plan`, compiled from `func`.
ProgramNames nameProgram(const ExecutionPlan &plan, mlir::func::FuncOp func);

/// Checks that `plan` can be emitted: every step is a kernel call, and only
/// dimension 0 (the batch) of the function's arguments is dynamic. Reports
/// each problem at its op / argument and fails.
mlir::LogicalResult checkEmittable(const ExecutionPlan &plan,
                                   mlir::func::FuncOp func);

/// The EmitC module of `plan`'s forward function `NAME_forward`.
mlir::OwningOpRef<mlir::ModuleOp>
buildEmitCModule(mlir::MLIRContext *context, const ExecutionPlan &plan,
                 const ProgramNames &names, llvm::StringRef name);

/// Writes the program directory `dir` (created if missing) for `plan`.
mlir::LogicalResult writeProgram(const ExecutionPlan &plan,
                                 mlir::func::FuncOp func, llvm::StringRef name,
                                 llvm::StringRef dir);

/// `s` as a C identifier (alphanumerics and '_', not starting with a digit).
std::string cIdentifier(llvm::StringRef s);

} // namespace qopt

#endif // QOPT_CODEGEN_EMITCPP_H
