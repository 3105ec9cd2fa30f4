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

qrt::Conv2dParams qopt::convParams(ArrayRef<int64_t> strides,
                                   ArrayRef<int64_t> dilations,
                                   ArrayRef<int64_t> pads, int64_t groups) {
  qrt::Conv2dParams p;
  p.strideH = strides[0];
  p.strideW = strides[1];
  p.dilationH = dilations[0];
  p.dilationW = dilations[1];
  p.padTop = pads[0];
  p.padLeft = pads[1];
  p.padBottom = pads[2];
  p.padRight = pads[3];
  p.groups = groups;
  return p;
}
