//===- Lowerings.cpp - dispatch of ops to their step builders -------------===//

#include "codegen/Lowerings.h"

#include "codegen/GlobalState.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Quant/IR/Quant.h"

using namespace mlir;
using namespace qopt;

/// global_load binds the slot to the global's current tensor (no copy);
/// global_store rebinds the global to the stored tensor.
static LogicalResult lowerGlobalOp(ExecutionPlan &plan, Operation *op) {
  GlobalState *globals = plan.globals();
  auto load = dyn_cast<ml_program::GlobalLoadOp>(op);
  auto store = dyn_cast<ml_program::GlobalStoreOp>(op);
  StringRef name = load ? load.getGlobal().getLeafReference().getValue()
                        : store.getGlobal().getLeafReference().getValue();
  if (!globals || !globals->contains(name))
    return op->emitError("global @") << name << " has no value";
  qrt::exec::GlobalRef ref{globals->index(name), name.str()};
  if (load)
    plan.addCall(op, qrt::exec::step::global_load, {}, {load.getResult()},
                 ref);
  else
    plan.addCall(op, qrt::exec::step::global_store, {store.getValue()}, {},
                 ref);
  return success();
}

LogicalResult qopt::lowerOp(ExecutionPlan &plan, Operation *op) {
  if (auto cst = dyn_cast<arith::ConstantOp>(op))
    return plan.addConstant(cst.getResult(), cst.getValue());
  if (isa<ml_program::GlobalLoadOp, ml_program::GlobalStoreOp>(op))
    return lowerGlobalOp(plan, op);
  if (isa<qnn::PadOp, qnn::FakeQuantOp, qnn::DequantizeOp,
          quant::StorageCastOp>(op) &&
      plan.target() == Target::Cpu && computedByBinaryConv(op))
    return success();
  if (isa<qnn::FakeQuantOp, qnn::FlattenOp>(op) && computedByLqLayer(op))
    return success();
  using Family = LogicalResult (*)(ExecutionPlan &, Operation *, bool &);
  for (Family lower : {lowerNetworkOp, lowerLayoutOp, lowerQuantOp,
                       lowerIntegerOp, lowerTrainingOp}) {
    bool handled = false;
    LogicalResult result = lower(plan, op, handled);
    if (handled)
      return result;
  }
  return op->emitError("no kernel of runtime/Kernels.def computes '")
         << op->getName() << "' (neither qrun nor qemit can run it)";
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

qrt::Pool2dParams qopt::poolParams(ArrayRef<int64_t> kernel,
                                   ArrayRef<int64_t> strides,
                                   ArrayRef<int64_t> pads, bool ceilMode) {
  qrt::Pool2dParams p;
  p.kernelH = kernel[0];
  p.kernelW = kernel[1];
  p.strideH = strides[0];
  p.strideW = strides[1];
  p.padTop = pads[0];
  p.padLeft = pads[1];
  p.padBottom = pads[2];
  p.padRight = pads[3];
  p.ceilMode = ceilMode;
  return p;
}

qrt::DType qopt::storageDType(const FrozenGrid &g) {
  if (g.storageBits == 32)
    return qrt::DType::I32;
  return g.isSigned ? qrt::DType::I8 : qrt::DType::U8;
}

qrt::exec::QuantGrid qopt::quantGridOf(const FrozenGrid &g) {
  qrt::exec::QuantGrid q;
  q.dtype = storageDType(g);
  q.range = {(float)g.qmin, (float)g.qmax};
  q.scale = qrt::exec::f32({g.scales.begin(), g.scales.end()});
  q.zeroPoint = qrt::exec::f32({g.zeroPoints.begin(), g.zeroPoints.end()});
  q.axis = g.axis.value_or(-1);
  return q;
}
