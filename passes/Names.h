//===- Names.h - the user-facing names of layers and quantizers -*- C++ -*-===//
//
// Layers are named by the importers' NameLoc (the ONNX node / TorchScript
// module name), which fold-batch-norm keeps inside a FusedLoc. Policies,
// reports and training state all refer to layers by this name.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_PASSES_NAMES_H
#define QOPT_PASSES_NAMES_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"

#include <string>

namespace qopt {

/// The first name in `loc` (looking into fused and call-site locations), or
/// "" when there is none.
inline std::string nameInLoc(mlir::Location loc) {
  if (auto name = llvm::dyn_cast<mlir::NameLoc>(loc))
    return name.getName().str();
  if (auto fused = llvm::dyn_cast<mlir::FusedLoc>(loc))
    for (mlir::Location l : fused.getLocations())
      if (std::string n = nameInLoc(l); !n.empty())
        return n;
  if (auto call = llvm::dyn_cast<mlir::CallSiteLoc>(loc))
    return nameInLoc(call.getCallee());
  return "";
}

} // namespace qopt

#endif // QOPT_PASSES_NAMES_H
