//===- LayoutSteps.cpp - data-movement ops to qrt calls -------------------===//

#include "codegen/Lowerings.h"
#include "dialect/QnnOps.h"

#include "runtime/ShapeOps.h"

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
  unsigned y = op->getNumResults() ? plan.slotOf(op->getResult(0)) : 0;
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](ConcatOp o) {
        std::vector<unsigned> ins;
        for (Value v : o.getInputs())
          ins.push_back(plan.slotOf(v));
        int64_t axis = o.getAxis();
        if (axis < 0)
          axis += cast<RankedTensorType>(o.getType()).getRank();
        plan.addStep(o, [=](Frame &f) {
          std::vector<qrt::Tensor> inputs;
          for (unsigned s : ins)
            inputs.push_back(f[s]);
          qrt::Tensor out;
          qrt::Status s = qrt::concat(inputs, axis, out);
          f[y] = std::move(out);
          return s;
        });
        return success();
      })
      .Case([&](PadOp o) {
        unsigned x = plan.slotOf(o.getInput());
        std::vector<int64_t> pads(o.getPads().begin(), o.getPads().end());
        double value = o.getValue().convertToDouble();
        plan.addStep(o, [=](Frame &f) {
          const qrt::Tensor &in = f[x];
          qrt::Tensor out;
          if (in.defined() && pads.size() == 2 * in.shape().size()) {
            qrt::Shape padded = in.shape();
            size_t r = padded.size();
            bool valid = true;
            for (size_t d = 0; d < r; ++d) {
              padded[d] += pads[d] + pads[d + r];
              valid &= padded[d] >= 0;
            }
            if (valid)
              out = f.output(padded, in.dtype());
          }
          qrt::Status s = qrt::padConstant(in, pads, value, out);
          f[y] = std::move(out);
          return s;
        });
        return success();
      })
      .Case([&](ReshapeOp o) {
        unsigned x = plan.slotOf(o.getInput());
        qrt::Shape shape = reshapeTarget(o.getResult());
        plan.addStep(o, [=](Frame &f) -> qrt::Status {
          qrt::Expected<qrt::Tensor> view = qrt::reshape(f[x], shape);
          if (!view)
            return view.status();
          f[y] = std::move(*view);
          return qrt::Status::ok();
        });
        return success();
      })
      .Case([&](FlattenOp o) {
        unsigned x = plan.slotOf(o.getInput());
        int64_t axis = o.getAxis();
        if (axis < 0)
          axis += cast<RankedTensorType>(o.getInput().getType()).getRank();
        plan.addStep(o, [=](Frame &f) -> qrt::Status {
          qrt::Expected<qrt::Tensor> view = qrt::flatten(f[x], axis);
          if (!view)
            return view.status();
          f[y] = std::move(*view);
          return qrt::Status::ok();
        });
        return success();
      })
      .Case([&](TransposeOp o) {
        unsigned x = plan.slotOf(o.getInput());
        std::vector<int64_t> perm(o.getPerm().begin(), o.getPerm().end());
        plan.addStep(o, [=](Frame &f) {
          qrt::Tensor out;
          qrt::Status s = qrt::transpose(f[x], perm, out);
          f[y] = std::move(out);
          return s;
        });
        return success();
      })
      .Case([&](ResizeOp o) -> LogicalResult {
        unsigned x = plan.slotOf(o.getInput());
        auto outType = cast<RankedTensorType>(o.getType());
        if (ShapedType::isDynamic(outType.getDimSize(2)) ||
            ShapedType::isDynamic(outType.getDimSize(3)))
          return o.emitError("qrun: resize needs a static output size");
        int64_t outH = outType.getDimSize(2), outW = outType.getDimSize(3);
        qrt::ResizeParams p = resizeParams(o);
        plan.addStep(o, [=](Frame &f) {
          qrt::Tensor out;
          qrt::Status s = qrt::resize2d(f[x], outH, outW, p, out);
          f[y] = std::move(out);
          return s;
        });
        return success();
      })
      .Default([&](Operation *) {
        handled = false;
        return success();
      });
}
