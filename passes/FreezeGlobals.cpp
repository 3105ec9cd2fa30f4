//===- FreezeGlobals.cpp - trained globals back into constants ------------===//
//
// After QAT the model is a test-mode forward reading globals; freezing
// makes it a graph of constants again, which the post-training passes
// (fold-batch-norm, wrap-mode test, lower-to-integer) expect.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/SymbolTable.h"

namespace qopt {
#define GEN_PASS_DEF_FREEZEGLOBALSPASS
#include "passes/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {
struct FreezeGlobalsPass
    : qopt::impl::FreezeGlobalsPassBase<FreezeGlobalsPass> {
  using FreezeGlobalsPassBase::FreezeGlobalsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    if (Operation *train = symbols.lookup(trainStep))
      symbols.erase(train);

    SymbolTableCollection collection;
    bool ok = true;
    module.walk([&](ml_program::GlobalStoreOp store) {
      store.emitError("qnn-freeze-globals: a global_store outside @")
          << trainStep << " would change @"
          << store.getGlobal().getRootReference().getValue()
          << " after freezing";
      ok = false;
    });
    if (!ok)
      return signalPassFailure();

    module.walk([&](ml_program::GlobalLoadOp load) {
      ml_program::GlobalOp global = load.getGlobalOp(collection);
      auto value = global
                       ? dyn_cast_or_null<ElementsAttr>(global.getValueAttr())
                       : ElementsAttr();
      if (!value || value.getType() != load.getType()) {
        load.emitError("qnn-freeze-globals: @")
            << load.getGlobal().getRootReference().getValue()
            << " has no tensor value of type " << load.getType()
            << " to freeze";
        ok = false;
        return;
      }
      OpBuilder b(load);
      auto constant =
          arith::ConstantOp::create(b, load.getLoc(), cast<TypedAttr>(value));
      load.replaceAllUsesWith(constant.getResult());
      load.erase();
      ++numFrozen;
    });
    if (!ok)
      return signalPassFailure();

    // Globals nothing refers to any more (optimizer state, frozen weights).
    for (auto global :
         llvm::make_early_inc_range(module.getOps<ml_program::GlobalOp>()))
      if (SymbolTable::symbolKnownUseEmpty(global, module))
        global.erase();
  }
};
} // namespace
