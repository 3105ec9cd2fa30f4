//===- WeightQuantizers.cpp - frozen weight quantizers, rewritten ---------===//

#include "passes/WeightQuantizers.h"
#include "dialect/Constants.h"

#include "runtime/QuantMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

namespace {
/// The constant operands of an adaround quantizer and the parameter set of
/// each weight element.
struct AdaroundConstants {
  SmallVector<float> w, scale, zeroPoint, offset;
  int64_t inner = 1, channels = 1, perSet = 1;
  float qmin = 0, qmax = 0;

  int64_t setOf(int64_t i) const { return (i / inner) % channels / perSet; }
};
} // namespace

static FailureOr<AdaroundConstants> readConstants(FakeQuantOp op,
                                                  bool needOffset) {
  AdaroundConstants c;
  auto fail = [&](StringRef what) {
    return op.emitError("AdaRound quantizer: its ")
           << what << " is not a constant";
  };
  std::optional<SmallVector<float>> w = readF32Constant(op.getInput());
  if (!w)
    return fail("weight");
  c.w = std::move(*w);
  std::optional<SmallVector<float>> s =
      op.getScale() ? readF32Constant(op.getScale()) : std::nullopt;
  if (!s)
    return fail("scale");
  c.scale = std::move(*s);
  if (op.getZeroPoint()) {
    std::optional<SmallVector<float>> z = readF32Constant(op.getZeroPoint());
    if (!z)
      return fail("zero point");
    c.zeroPoint = std::move(*z);
  } else {
    c.zeroPoint.assign(c.scale.size(), 0.0f);
  }
  if (needOffset) {
    std::optional<SmallVector<float>> v =
        op.getOffset() ? readF32Constant(op.getOffset()) : std::nullopt;
    if (!v)
      return fail("offset V");
    c.offset = std::move(*v);
  }
  auto type = cast<RankedTensorType>(op.getType());
  if (std::optional<int64_t> axis = op.getAxis()) {
    c.channels = type.getDimSize(*axis);
    for (int64_t d = *axis + 1; d < type.getRank(); ++d)
      c.inner *= type.getDimSize(d);
    c.perSet = c.channels / (int64_t)c.scale.size();
  } else if (c.scale.size() != 1) {
    return op.emitError("AdaRound quantizer: a per-tensor scale with ")
           << c.scale.size() << " values";
  }
  qrt::qmath::intRange(op.getBits(), !op.getHalfRange(), op.getNarrow(),
                       &c.qmin, &c.qmax);
  return c;
}

LogicalResult qopt::resetAdaroundOffset(FakeQuantOp op) {
  FailureOr<AdaroundConstants> c = readConstants(op, /*needOffset=*/false);
  if (failed(c) || !op.getOffset())
    return failure();
  SmallVector<float> v(c->w.size());
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = qrt::qmath::adaroundInitV(c->w[i], c->scale[c->setOf(i)]);
  OpBuilder b(op);
  auto type = cast<RankedTensorType>(op.getOffset().getType());
  op.getOffsetMutable().assign(arith::ConstantOp::create(
      b, op.getLoc(), DenseElementsAttr::get(type, ArrayRef(v))));
  return success();
}

FailureOr<FakeQuantOp> qopt::hardenAdaround(FakeQuantOp op) {
  FailureOr<AdaroundConstants> c = readConstants(op, /*needOffset=*/true);
  if (failed(c))
    return failure();
  SmallVector<float> rounded(c->w.size());
  for (size_t i = 0; i < rounded.size(); ++i) {
    int64_t k = c->setOf(i);
    rounded[i] = qrt::qmath::adaroundForward(c->w[i], c->scale[k],
                                             c->zeroPoint[k], c->offset[i],
                                             c->qmin, c->qmax,
                                             /*hardened=*/true);
  }
  OpBuilder b(op);
  auto type = cast<RankedTensorType>(op.getType());
  Value weight = arith::ConstantOp::create(
      b, op.getLoc(), DenseElementsAttr::get(type, ArrayRef(rounded)));
  // A uniform quantizer always has a zero point (AdaRound's is optional).
  Value zeroPoint = op.getZeroPoint();
  if (!zeroPoint)
    zeroPoint = arith::ConstantOp::create(
        b, op.getLoc(),
        DenseElementsAttr::get(cast<ShapedType>(op.getScale().getType()),
                               0.0f));
  auto uniform = FakeQuantOp::create(
      b, op.getLoc(), type, weight, op.getScale(), zeroPoint,
      Value(), Value(), Value(), QuantMethod::Uniform, op.getRole(),
      op.getBits(), op.getHalfRange(), op.getNarrow(), op.getAxisAttr(),
      op.getGroupsAttr(), op.getGrad(), op.getGradScale(), op.getAdaptive());
  // Keep the quantizer's name and observer choice.
  for (NamedAttribute attr : op->getDiscardableAttrs())
    uniform->setAttr(attr.getName(), attr.getValue());
  op.replaceAllUsesWith(uniform.getResult());
  op.erase();
  return uniform;
}

LogicalResult qopt::signUnsignedWeightGrid(FakeQuantOp op) {
  if (op.getMethod() != QuantMethod::Uniform || !op.getHalfRange() ||
      op.getRole() != QuantRole::Weight || op.getBits() > 7 ||
      op.getAdaptive() != Adaptive::None)
    return success();
  std::optional<SmallVector<float>> w = readF32Constant(op.getInput());
  std::optional<SmallVector<float>> s =
      op.getScale() ? readF32Constant(op.getScale()) : std::nullopt;
  std::optional<SmallVector<float>> z =
      op.getZeroPoint() ? readF32Constant(op.getZeroPoint()) : std::nullopt;
  if (!w || !s || !z || s->size() != z->size())
    return success(); // not frozen: test mode reports it
  auto type = cast<RankedTensorType>(op.getType());
  int64_t inner = 1, channels = 1, perSet = 1;
  if (std::optional<int64_t> axis = op.getAxis()) {
    channels = type.getDimSize(*axis);
    for (int64_t d = *axis + 1; d < type.getRank(); ++d)
      inner *= type.getDimSize(d);
    perSet = channels / (int64_t)s->size();
  }
  float qmin, qmax;
  qrt::qmath::intRange(op.getBits(), /*isSigned=*/false, false, &qmin, &qmax);
  SmallVector<float> rounded(w->size());
  for (size_t i = 0; i < rounded.size(); ++i) {
    int64_t k = (int64_t(i) / inner) % channels / perSet;
    // The value the unsigned quantizer produces: s (q - z).
    rounded[i] = qrt::qmath::fakeQuantAffine((*w)[i], (*s)[k], (*z)[k], qmin,
                                             qmax);
  }
  OpBuilder b(op);
  Value weight = arith::ConstantOp::create(
      b, op.getLoc(), DenseElementsAttr::get(type, ArrayRef(rounded)));
  Value zero = arith::ConstantOp::create(
      b, op.getLoc(),
      DenseElementsAttr::get(cast<ShapedType>(op.getZeroPoint().getType()),
                             0.0f));
  auto sign = FakeQuantOp::create(
      b, op.getLoc(), type, weight, op.getScale(), zero, Value(), Value(),
      Value(), QuantMethod::Uniform, op.getRole(), op.getBits() + 1,
      /*half_range=*/false, /*narrow=*/true, op.getAxisAttr(),
      op.getGroupsAttr(), op.getGrad(), op.getGradScale(), op.getAdaptive());
  for (NamedAttribute attr : op->getDiscardableAttrs())
    sign->setAttr(attr.getName(), attr.getValue());
  op.replaceAllUsesWith(sign.getResult());
  op.erase();
  return success();
}
