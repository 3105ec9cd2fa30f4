//===- GlobalState.h - the values of a module's ml_program globals -*- C++ -*-===//
//
// Training state (weights, BN statistics, quantizer parameters, optimizer
// buffers) lives in mutable `ml_program.global`s (docs/training.md). A
// GlobalState reads them from a module into qrt's Globals table (the state
// that global_load / global_store kernels read and rebind), shared by every
// plan compiled from the module: `@train_step` stores new values, `@main`
// (test mode) loads them. It writes trained values back into the module.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CODEGEN_GLOBALSTATE_H
#define QOPT_CODEGEN_GLOBALSTATE_H

#include "runtime/Exec.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringMap.h"

#include <memory>
#include <string>
#include <vector>

namespace qopt {

class GlobalState {
public:
  /// Reads every `ml_program.global` of `module` (tensor-typed, with a dense
  /// or dense-resource initial value). Errors name the global.
  static mlir::FailureOr<std::shared_ptr<GlobalState>>
  fromModule(mlir::ModuleOp module);

  bool contains(llvm::StringRef name) const { return index(name) >= 0; }
  /// The global's index in table(), or -1.
  int32_t index(llvm::StringRef name) const {
    return table_->index(name.str());
  }
  const qrt::Tensor &get(llvm::StringRef name) const;
  void set(llvm::StringRef name, qrt::Tensor value);
  /// Names in module order.
  const std::vector<std::string> &names() const { return table_->names(); }
  /// The values, as the kernels of every plan of the module see them.
  const std::shared_ptr<qrt::exec::Globals> &table() const { return table_; }
  /// The global's discardable `qnn.kind` attribute ("" if none).
  llvm::StringRef kind(llvm::StringRef name) const;

  /// Makes the current values the globals' initial values in `module` (as
  /// dense resources), e.g. before freezing a trained model.
  mlir::LogicalResult writeBack(mlir::ModuleOp module) const;

private:
  std::shared_ptr<qrt::exec::Globals> table_ =
      std::make_shared<qrt::exec::Globals>();
  llvm::StringMap<std::string> kinds;
};

/// A qrt tensor holding a dense / dense-resource attribute of type `type`;
/// errors are emitted at `loc`.
mlir::FailureOr<qrt::Tensor> tensorFromAttribute(mlir::Location loc,
                                                 mlir::Type type,
                                                 mlir::Attribute value);

} // namespace qopt

#endif // QOPT_CODEGEN_GLOBALSTATE_H
