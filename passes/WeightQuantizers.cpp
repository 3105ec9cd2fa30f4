//===- WeightQuantizers.cpp - frozen weight quantizers, rewritten ---------===//

#include "passes/WeightQuantizers.h"
#include "dialect/Constants.h"

#include "runtime/FakeQuant.h"
#include "runtime/QuantMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

namespace {
/// The constant operands of a weight quantizer and the parameter set of
/// each weight element.
struct WeightConstants {
  SmallVector<float> w, scale, zeroPoint, offset;
  int64_t inner = 1, channels = 1, perSet = 1;
  float qmin = 0, qmax = 0;

  int64_t setOf(int64_t i) const { return (i / inner) % channels / perSet; }
};
} // namespace

/// Reads the weight, scale, zero point (0 when absent) and, if asked, the
/// offset of `op`; on failure `why` names the operand that is not constant.
static FailureOr<WeightConstants>
readConstants(FakeQuantOp op, bool needOffset, std::string &why) {
  WeightConstants c;
  auto fail = [&](StringRef what) {
    why = ("its " + what + " is not a constant").str();
    return failure();
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
    why = "a per-tensor scale has " + std::to_string(c.scale.size()) +
          " values";
    return failure();
  }
  qrt::qmath::intRange(op.getBits(), !op.getHalfRange(), op.getNarrow(),
                       &c.qmin, &c.qmax);
  return c;
}

/// Replaces `op` by a `uniform` quantizer (same scale, granularity, role,
/// name) of the constant `rounded`, on the grid `bits` / `halfRange` /
/// `narrow` with zero point `zeroPoint` (zeros when null).
static FakeQuantOp replaceWithUniform(FakeQuantOp op,
                                      ArrayRef<float> rounded,
                                      Value zeroPoint, int64_t bits,
                                      bool halfRange, bool narrow) {
  OpBuilder b(op);
  auto type = cast<RankedTensorType>(op.getType());
  Value weight = arith::ConstantOp::create(
      b, op.getLoc(), DenseElementsAttr::get(type, rounded));
  if (!zeroPoint)
    zeroPoint = arith::ConstantOp::create(
        b, op.getLoc(),
        DenseElementsAttr::get(cast<ShapedType>(op.getScale().getType()),
                               0.0f));
  auto uniform = FakeQuantOp::create(
      b, op.getLoc(), type, weight, op.getScale(), zeroPoint, Value(),
      Value(), Value(), QuantMethod::Uniform, op.getRole(), bits, halfRange,
      narrow, op.getAxisAttr(), op.getGroupsAttr(), op.getGrad(),
      op.getGradScale(), op.getAdaptive());
  // Keep the quantizer's name and observer choice.
  uniform->setDiscardableAttrs(op->getDiscardableAttrDictionary());
  op.replaceAllUsesWith(uniform.getResult());
  op.erase();
  return uniform;
}

LogicalResult qopt::resetAdaroundOffset(FakeQuantOp op) {
  std::string why;
  FailureOr<WeightConstants> c = readConstants(op, /*needOffset=*/false, why);
  if (failed(c))
    return op.emitError("AdaRound quantizer: ") << why;
  if (!op.getOffset())
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
  std::string why;
  FailureOr<WeightConstants> c = readConstants(op, /*needOffset=*/true, why);
  if (failed(c))
    return op.emitError("AdaRound quantizer: ") << why;
  SmallVector<float> rounded(c->w.size());
  for (size_t i = 0; i < rounded.size(); ++i) {
    int64_t k = c->setOf(i);
    rounded[i] = qrt::qmath::adaroundForward(c->w[i], c->scale[k],
                                             c->zeroPoint[k], c->offset[i],
                                             c->qmin, c->qmax,
                                             /*hardened=*/true);
  }
  // A uniform quantizer always has a zero point (AdaRound's is optional).
  return replaceWithUniform(op, rounded, op.getZeroPoint(), op.getBits(),
                            op.getHalfRange(), op.getNarrow());
}

LogicalResult qopt::signUnsignedWeightGrid(FakeQuantOp op) {
  if (op.getMethod() != QuantMethod::Uniform || !op.getHalfRange() ||
      op.getRole() != QuantRole::Weight || op.getBits() > 7 ||
      op.getAdaptive() != Adaptive::None || !op.getZeroPoint())
    return success();
  std::string why;
  FailureOr<WeightConstants> c = readConstants(op, /*needOffset=*/false, why);
  if (failed(c) || c->zeroPoint.size() != c->scale.size())
    return success(); // not frozen: test mode reports it
  SmallVector<float> rounded(c->w.size());
  for (size_t i = 0; i < rounded.size(); ++i) {
    int64_t k = c->setOf(i);
    // The value the unsigned quantizer produces: s (q - z).
    rounded[i] = qrt::qmath::fakeQuantAffine(c->w[i], c->scale[k],
                                             c->zeroPoint[k], c->qmin, c->qmax);
  }
  replaceWithUniform(op, rounded, Value(), op.getBits() + 1,
                     /*halfRange=*/false, /*narrow=*/true);
  return success();
}

LogicalResult qopt::foldAdaptiveNormalization(FakeQuantOp op) {
  if (op.getAdaptive() == Adaptive::None)
    return success();
  auto type = dyn_cast<RankedTensorType>(op.getInput().getType());
  std::optional<SmallVector<float>> w = readF32Constant(op.getInput());
  if (!type || !type.hasStaticShape() || !w)
    return failure();
  qrt::Tensor x = qrt::Tensor::fromVector(
      qrt::Shape(type.getShape().begin(), type.getShape().end()),
      std::vector<float>(w->begin(), w->end()));
  std::optional<int64_t> axis = op.getAxis();
  qrt::Granularity g =
      axis ? qrt::Granularity{*axis, op.getGroups()
                                         ? (int64_t)*op.getGroups()
                                         : type.getDimSize(*axis)}
           : qrt::Granularity::perTensor();
  qrt::WeightNorm kind = op.getAdaptive() == Adaptive::Mean
                             ? qrt::WeightNorm::Mean
                             : qrt::WeightNorm::VarMean;
  qrt::Tensor y;
  if (!qrt::weightNormalize(x, kind, g, y).isOk())
    return failure();
  OpBuilder b(op);
  Value normalized = arith::ConstantOp::create(
      b, op.getLoc(),
      DenseElementsAttr::get(type, ArrayRef<float>(y.data<float>(),
                                                   (size_t)y.numel())));
  Operation *raw = op.getInput().getDefiningOp();
  op.getInputMutable().assign(normalized);
  op.setAdaptive(Adaptive::None);
  if (raw && raw->use_empty())
    raw->erase();
  return success();
}
