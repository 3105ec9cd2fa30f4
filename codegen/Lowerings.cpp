//===- Lowerings.cpp - dispatch of ops to their step builders -------------===//

#include "codegen/Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace qopt;

LogicalResult qopt::lowerOp(ExecutionPlan &plan, Operation *op) {
  if (auto cst = dyn_cast<arith::ConstantOp>(op))
    return plan.addConstant(cst.getResult(), cst.getValue());
  using Family = LogicalResult (*)(ExecutionPlan &, Operation *, bool &);
  for (Family lower : {lowerNetworkOp, lowerLayoutOp, lowerQuantOp, lowerIntegerOp}) {
    bool handled = false;
    LogicalResult result = lower(plan, op, handled);
    if (handled)
      return result;
  }
  return op->emitError("qrun: '")
         << op->getName() << "' is not supported by the interpreter yet";
}
