//===- ModuleFile.h - reading a qnn module and picking a function -*- C++ -*-=//
//
// What qrun and qemit share: the dialects a qnn module may use, and the
// choice of the function to run or emit.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_TOOLS_SUPPORT_MODULEFILE_H
#define QOPT_TOOLS_SUPPORT_MODULEFILE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#include <string>

namespace qopt {

/// The registry of the dialects a qnn module may use.
mlir::DialectRegistry qnnModuleRegistry();

/// @`name`, or with an empty name @main, or the module's only function;
/// null when there is none. `why` then says what to do.
mlir::func::FuncOp findFunction(mlir::ModuleOp module, llvm::StringRef name,
                                llvm::StringRef optionName, std::string &why);

} // namespace qopt

#endif // QOPT_TOOLS_SUPPORT_MODULEFILE_H
