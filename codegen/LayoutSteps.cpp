//===- LayoutSteps.cpp - data-movement ops to qrt calls -------------------===//

#include "codegen/Lowerings.h"
#include "dialect/QnnOps.h"

#include "runtime/Exec.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

/// The result shape with its dynamic dimension as -1 (inferred by qrt).
static qrt::Shape reshapeTarget(Value result) {
  qrt::Shape shape;
  for (int64_t d : cast<RankedTensorType>(result.getType()).getShape())
    shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  return shape;
}

static qrt::ResizeParams resizeParams(ResizeOp op) {
  qrt::ResizeParams p;
  p.mode = op.getMode() == ResizeMode::Nearest ? qrt::ResizeMode::Nearest
                                               : qrt::ResizeMode::Linear;
  switch (op.getCoordinateMode()) {
  case CoordinateMode::HalfPixel:
    p.coordinateMode = qrt::CoordinateMode::HalfPixel;
    break;
  case CoordinateMode::PytorchHalfPixel:
    p.coordinateMode = qrt::CoordinateMode::PytorchHalfPixel;
    break;
  case CoordinateMode::AlignCorners:
    p.coordinateMode = qrt::CoordinateMode::AlignCorners;
    break;
  case CoordinateMode::Asymmetric:
    p.coordinateMode = qrt::CoordinateMode::Asymmetric;
    break;
  }
  switch (op.getNearestMode()) {
  case NearestMode::RoundPreferFloor:
    p.nearestMode = qrt::NearestMode::RoundPreferFloor;
    break;
  case NearestMode::RoundPreferCeil:
    p.nearestMode = qrt::NearestMode::RoundPreferCeil;
    break;
  case NearestMode::Floor:
    p.nearestMode = qrt::NearestMode::Floor;
    break;
  case NearestMode::Ceil:
    p.nearestMode = qrt::NearestMode::Ceil;
    break;
  }
  return p;
}

LogicalResult qopt::lowerLayoutOp(ExecutionPlan &plan, Operation *op,
                                  bool &handled) {
  handled = true;
  namespace step = qrt::exec::step;
  auto call = [&](auto make, auto params) {
    plan.addCall(op, make, SmallVector<Value>(op->getOperands()),
                 SmallVector<Value>(op->getResults()), params);
    return success();
  };
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](ConcatOp o) {
        int64_t axis = o.getAxis();
        if (axis < 0)
          axis += cast<RankedTensorType>(o.getType()).getRank();
        return call(step::concat, qrt::exec::AxisParams{axis});
      })
      .Case([&](PadOp o) {
        qrt::exec::PadParams p;
        p.pads.assign(o.getPads().begin(), o.getPads().end());
        p.value = o.getValue().convertToDouble();
        return call(step::pad, p);
      })
      .Case([&](ReshapeOp o) {
        return call(step::reshape,
                    qrt::exec::ReshapeParams{reshapeTarget(o.getResult())});
      })
      .Case([&](FlattenOp o) {
        int64_t axis = o.getAxis();
        if (axis < 0)
          axis += cast<RankedTensorType>(o.getInput().getType()).getRank();
        return call(step::flatten, qrt::exec::AxisParams{axis});
      })
      .Case([&](TransposeOp o) {
        qrt::exec::TransposeParams p;
        p.perm.assign(o.getPerm().begin(), o.getPerm().end());
        return call(step::transpose, p);
      })
      .Case([&](ResizeOp o) -> LogicalResult {
        auto outType = cast<RankedTensorType>(o.getType());
        if (ShapedType::isDynamic(outType.getDimSize(2)) ||
            ShapedType::isDynamic(outType.getDimSize(3)))
          return o.emitError("resize needs a static output size");
        qrt::exec::ResizeStep p;
        p.outH = outType.getDimSize(2);
        p.outW = outType.getDimSize(3);
        p.resize = resizeParams(o);
        plan.addCall(o, step::resize, {o.getInput()}, {o.getResult()}, p);
        return success();
      })
      .Default([&](Operation *) {
        handled = false;
        return success();
      });
}
