//===- AutodiffRules.cpp - one backward rule per differentiable op --------===//
//
// Each rule reads the forward op and the gradient of its result and emits
// the backward ops for the operands that need one. A rule is small and
// separate; lookupBackwardRule() is the table that maps ops to rules.
// Adding an op to autodiff is one function and one table entry.
//
//===----------------------------------------------------------------------===//

#include "passes/Autodiff.h"

#include "dialect/QnnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

Operation *BackwardContext::create(StringRef name, ValueRange operands,
                                   TypeRange types,
                                   ArrayRef<StringRef> attrNames) {
  OperationState state(loc(), name);
  state.addOperands(operands);
  state.addTypes(types);
  for (StringRef attr : attrNames)
    if (Attribute value = op->getAttr(attr))
      state.addAttribute(attr, value);
  return builder.create(state);
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static bool isSplatOne(Value v) {
  auto constant = v.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return false;
  auto attr = dyn_cast<DenseFPElementsAttr>(constant.getValue());
  return attr && attr.isSplat() &&
         attr.getSplatValue<APFloat>().convertToDouble() == 1.0;
}

static Value scalarConstant(OpBuilder &b, Location loc, float value) {
  auto type = RankedTensorType::get({}, b.getF32Type());
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, value));
}

/// `grad * scale` for a scalar `scale` (the gradient of a loss); skipped
/// when the scale is the seed 1.
static Value scaleBy(OpBuilder &b, Location loc, Value grad, Value scale) {
  if (isSplatOne(scale))
    return grad;
  return MulOp::create(b, loc, grad.getType(), grad, scale);
}

static Value negate(OpBuilder &b, Location loc, Value v) {
  return MulOp::create(b, loc, v.getType(), v, scalarConstant(b, loc, -1.0f));
}

/// The gradient of a broadcast operand: `grad` summed back to `type`.
static Value reduceTo(OpBuilder &b, Location loc, Value grad, Type type) {
  if (grad.getType() == type)
    return grad;
  return ReduceToOp::create(b, loc, type, grad);
}

static Type typeOf(BackwardContext &c, unsigned operand) {
  return c.op->getOperand(operand).getType();
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

static LogicalResult conv2dRule(BackwardContext &c) {
  auto conv = cast<Conv2dOp>(c.op);
  Value dy = c.resultGrad(0);
  StringRef attrs[] = {"strides", "pads", "dilations", "groups"};
  if (c.wants(0))
    c.setGrad(0, c.create(Conv2dGradInputOp::getOperationName(),
                          {dy, conv.getWeight()}, typeOf(c, 0), attrs)
                     ->getResult(0));
  if (c.wants(1))
    c.setGrad(1, c.create(Conv2dGradWeightOp::getOperationName(),
                          {dy, conv.getInput()}, typeOf(c, 1), attrs)
                     ->getResult(0));
  if (conv.getBias() && c.wants(2))
    c.setGrad(2, BiasGradOp::create(c.builder, c.loc(), typeOf(c, 2), dy));
  return success();
}

static LogicalResult linearRule(BackwardContext &c) {
  auto linear = cast<LinearOp>(c.op);
  Value dy = c.resultGrad(0);
  if (c.wants(0))
    c.setGrad(0, LinearGradInputOp::create(c.builder, c.loc(), typeOf(c, 0), dy,
                                           linear.getWeight()));
  if (c.wants(1))
    c.setGrad(1, LinearGradWeightOp::create(c.builder, c.loc(), typeOf(c, 1),
                                            dy, linear.getInput()));
  if (linear.getBias() && c.wants(2)) {
    // Features are the last axis: bias_grad's axis 1 for rank 2, a
    // broadcast reduction otherwise.
    if (cast<RankedTensorType>(dy.getType()).getRank() == 2)
      c.setGrad(2, BiasGradOp::create(c.builder, c.loc(), typeOf(c, 2), dy));
    else
      c.setGrad(2, reduceTo(c.builder, c.loc(), dy, typeOf(c, 2)));
  }
  return success();
}

static Value transpose2d(OpBuilder &b, Location loc, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  auto t = RankedTensorType::get({type.getDimSize(1), type.getDimSize(0)},
                                 type.getElementType());
  return TransposeOp::create(b, loc, t, v, b.getDenseI64ArrayAttr({1, 0}));
}

static LogicalResult matmulRule(BackwardContext &c) {
  auto matmul = cast<MatmulOp>(c.op);
  Value a = matmul.getLhs(), b = matmul.getRhs(), dy = c.resultGrad(0);
  if (cast<RankedTensorType>(a.getType()).getRank() != 2 ||
      cast<RankedTensorType>(b.getType()).getRank() != 2)
    return c.op->emitError("qnn-autodiff: the backward of qnn.matmul is "
                           "implemented for rank-2 operands only");
  if (c.wants(0))
    c.setGrad(0, MatmulOp::create(c.builder, c.loc(), a.getType(), dy,
                                  transpose2d(c.builder, c.loc(), b)));
  if (c.wants(1))
    c.setGrad(1, MatmulOp::create(c.builder, c.loc(), b.getType(),
                                  transpose2d(c.builder, c.loc(), a), dy));
  return success();
}

static LogicalResult batchNormTrainRule(BackwardContext &c) {
  auto bn = cast<BatchNormTrainOp>(c.op);
  for (unsigned i = 1; i < bn->getNumResults(); ++i)
    if (c.resultGrad(i))
      return c.op->emitError("qnn-autodiff: the loss depends on a batch "
                             "statistic of qnn.batch_norm_train (result ")
             << i << "); only its output is differentiated";
  auto grad = BatchNormGradOp::create(
      c.builder, c.loc(), bn.getInput().getType(), bn.getScale().getType(),
      bn.getScale().getType(), c.resultGrad(0), bn.getInput(), bn.getScale(),
      bn.getSavedMean(), bn.getSavedInvstd(), bn.getEpsilonAttr(),
      bn.getSyncAttr());
  if (c.wants(0))
    c.setGrad(0, grad.getInputGrad());
  if (c.wants(1))
    c.setGrad(1, grad.getScaleGrad());
  if (c.wants(2))
    c.setGrad(2, grad.getBiasGrad());
  return success();
}

/// qnn.group_norm: one qnn.group_norm_grad gives the input's, the scale's
/// and the bias's gradients (its statistics are recomputed from the input).
static LogicalResult groupNormRule(BackwardContext &c) {
  auto gn = cast<GroupNormOp>(c.op);
  auto grad = GroupNormGradOp::create(
      c.builder, c.loc(), gn.getInput().getType(), gn.getScale().getType(),
      gn.getScale().getType(), c.resultGrad(0), gn.getInput(), gn.getScale(),
      gn.getNumGroupsAttr(), gn.getEpsilonAttr());
  if (c.wants(0))
    c.setGrad(0, grad.getInputGrad());
  if (c.wants(1))
    c.setGrad(1, grad.getScaleGrad());
  if (c.wants(2))
    c.setGrad(2, grad.getBiasGrad());
  return success();
}

/// The inference form, y = (x - mean) s + beta with s = gamma / sqrt(var +
/// eps) per channel (axis 1), its statistics fixed: dx = dy s. What a loss
/// through a frozen batch norm needs (reconstruction through a detector's
/// unfolded Head-BN); its parameters get no gradient in this form (training
/// differentiates qnn.batch_norm_train, which qnn-wrap-mode{mode=qat}
/// writes).
static LogicalResult batchNormRule(BackwardContext &c) {
  auto bn = cast<BatchNormOp>(c.op);
  for (unsigned i = 1; i < 5; ++i)
    if (c.wants(i))
      return c.op->emitError("qnn-autodiff: qnn.batch_norm is the inference "
                             "form, whose scale, bias and statistics get no "
                             "gradient; training differentiates "
                             "qnn.batch_norm_train (qnn-wrap-mode{mode=qat} "
                             "rewrites it)");
  if (!c.wants(0))
    return success();
  OpBuilder &b = c.builder;
  Location loc = c.loc();
  auto channels = cast<RankedTensorType>(bn.getScale().getType());
  auto input = cast<RankedTensorType>(bn.getInput().getType());
  if (channels.getRank() != 1 || input.getRank() < 2)
    return c.op->emitError("qnn-autodiff: qnn.batch_norm's backward needs "
                           "one scale per channel of an N x C x ... input");
  Value var = AddOp::create(
      b, loc, channels, bn.getVariance(),
      scalarConstant(b, loc,
                     static_cast<float>(bn.getEpsilon().convertToDouble())));
  Value sd = SqrtOp::create(b, loc, channels, var);
  Value s = DivOp::create(b, loc, channels, bn.getScale(), sd);
  SmallVector<int64_t> shape = {channels.getDimSize(0)};
  shape.append(input.getRank() - 2, 1);
  Value perChannel = ReshapeOp::create(
      b, loc, RankedTensorType::get(shape, channels.getElementType()), s);
  c.setGrad(0, MulOp::create(b, loc, typeOf(c, 0), c.resultGrad(0), perChannel));
  return success();
}

//===----------------------------------------------------------------------===//
// Activations and pooling
//===----------------------------------------------------------------------===//

static LogicalResult reluRule(BackwardContext &c) {
  if (c.wants(0))
    c.setGrad(0, ReluGradOp::create(c.builder, c.loc(), typeOf(c, 0),
                                    c.resultGrad(0), c.op->getResult(0)));
  return success();
}

/// y = x >= 0 ? x : a x, `a` one slope per channel (axis 1) or one for all:
/// dx = dy where x > 0 and a dy elsewhere; da = dy min(x, 0) summed over
/// every axis but the channels.
static LogicalResult preluRule(BackwardContext &c) {
  auto prelu = cast<PreluOp>(c.op);
  OpBuilder &b = c.builder;
  Location loc = c.loc();
  Value x = prelu.getInput(), a = prelu.getSlope(), dy = c.resultGrad(0);
  auto xType = cast<RankedTensorType>(x.getType());
  auto aType = cast<RankedTensorType>(a.getType());
  // The slope shaped to broadcast along axis 1: [1, C, 1, ...].
  SmallVector<int64_t> shape(std::max<int64_t>(xType.getRank(), 1), 1);
  if (aType.getNumElements() > 1)
    shape[xType.getRank() >= 2 ? 1 : 0] = aType.getNumElements();
  auto slopeType = RankedTensorType::get(shape, aType.getElementType());
  Value pos = ReluOp::create(b, loc, xType, x);
  if (c.wants(0)) {
    Value dyPos = ReluGradOp::create(b, loc, dy.getType(), dy, pos);
    Value slope = ReshapeOp::create(b, loc, slopeType, a);
    Value dyNeg = SubOp::create(b, loc, dy.getType(), dy, dyPos);
    Value scaled = MulOp::create(b, loc, dy.getType(), dyNeg, slope);
    c.setGrad(0, AddOp::create(b, loc, dy.getType(), dyPos, scaled));
  }
  if (c.wants(1)) {
    Value neg = SubOp::create(b, loc, xType, x, pos); // min(x, 0)
    Value g = MulOp::create(b, loc, dy.getType(), dy, neg);
    Value sum = ReduceToOp::create(b, loc, slopeType, g);
    c.setGrad(1, ReshapeOp::create(b, loc, aType, sum));
  }
  return success();
}

static LogicalResult clipRule(BackwardContext &c) {
  if (c.wants(0))
    c.setGrad(0, c.create(ClipGradOp::getOperationName(),
                          {c.resultGrad(0), c.op->getOperand(0)}, typeOf(c, 0),
                          {"min", "max"})
                     ->getResult(0));
  return success();
}

static LogicalResult maxPoolRule(BackwardContext &c) {
  if (c.wants(0))
    c.setGrad(0,
              c.create(MaxPoolGradOp::getOperationName(),
                       {c.resultGrad(0), c.op->getOperand(0)}, typeOf(c, 0),
                       {"kernel", "strides", "pads", "dilations", "ceil_mode"})
                  ->getResult(0));
  return success();
}

static LogicalResult avgPoolRule(BackwardContext &c) {
  if (c.wants(0))
    c.setGrad(0, c.create(AvgPoolGradOp::getOperationName(), {c.resultGrad(0)},
                          typeOf(c, 0),
                          {"kernel", "strides", "pads", "ceil_mode",
                           "count_include_pad"})
                     ->getResult(0));
  return success();
}

static LogicalResult globalAvgPoolRule(BackwardContext &c) {
  if (c.wants(0))
    c.setGrad(0, GlobalAvgPoolGradOp::create(c.builder, c.loc(), typeOf(c, 0),
                                             c.resultGrad(0)));
  return success();
}

/// Nearest upsampling by integer factors (s_h, s_w) that maps output o to
/// input floor(o / s) (ONNX asymmetric + floor: PyTorch's
/// interpolate(scale_factor=s, mode="nearest"), an FPN's top-down path):
/// every input element is copied to an s_h x s_w window, so its gradient is
/// the window's sum, s_h s_w avg_pool(dy) with kernel = stride = s.
static LogicalResult resizeRule(BackwardContext &c) {
  auto resize = cast<ResizeOp>(c.op);
  if (!c.wants(0))
    return success();
  ArrayRef<int64_t> in = cast<ShapedType>(resize.getInput().getType()).getShape();
  ArrayRef<int64_t> out =
      cast<ShapedType>(resize.getOutput().getType()).getShape();
  if (resize.getMode() != ResizeMode::Nearest ||
      resize.getCoordinateMode() != CoordinateMode::Asymmetric ||
      resize.getNearestMode() != NearestMode::Floor)
    return c.op->emitError("qnn-autodiff: qnn.resize is differentiated as a "
                           "nearest, asymmetric, floor upsampling by whole "
                           "factors (PyTorch's interpolate nearest); this one "
                           "is ")
           << stringifyResizeMode(resize.getMode()) << " "
           << stringifyCoordinateMode(resize.getCoordinateMode()) << " "
           << stringifyNearestMode(resize.getNearestMode());
  int64_t factor[2] = {0, 0};
  for (int d = 0; d < 2; ++d) {
    int64_t i = in.size() == 4 ? in[2 + d] : ShapedType::kDynamic;
    int64_t o = out.size() == 4 ? out[2 + d] : ShapedType::kDynamic;
    if (ShapedType::isDynamic(i) || ShapedType::isDynamic(o) || i <= 0 ||
        o % i != 0)
      return c.op->emitError("qnn-autodiff: qnn.resize is differentiated "
                             "as an upsampling by whole factors of known "
                             "spatial sizes, got ")
             << resize.getInput().getType() << " -> "
             << resize.getOutput().getType();
    factor[d] = o / i;
  }
  Value g = c.resultGrad(0);
  if (factor[0] != 1 || factor[1] != 1) {
    g = AvgPoolOp::create(c.builder, c.loc(), typeOf(c, 0), g,
                          c.builder.getDenseI64ArrayAttr(factor),
                          c.builder.getDenseI64ArrayAttr(factor),
                          c.builder.getDenseI64ArrayAttr({0, 0, 0, 0}),
                          /*ceil_mode=*/false, /*count_include_pad=*/false);
    g = scaleBy(c.builder, c.loc(), g,
                scalarConstant(c.builder, c.loc(),
                               static_cast<float>(factor[0] * factor[1])));
  }
  c.setGrad(0, g);
  return success();
}

/// Observers pass their input through.
static LogicalResult identityRule(BackwardContext &c) {
  if (c.wants(0))
    c.setGrad(0, c.resultGrad(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops (numpy broadcasting)
//===----------------------------------------------------------------------===//

static LogicalResult addRule(BackwardContext &c) {
  for (unsigned i : {0u, 1u})
    if (c.wants(i))
      c.setGrad(i, reduceTo(c.builder, c.loc(), c.resultGrad(0), typeOf(c, i)));
  return success();
}

static LogicalResult subRule(BackwardContext &c) {
  Value dy = c.resultGrad(0);
  if (c.wants(0))
    c.setGrad(0, reduceTo(c.builder, c.loc(), dy, typeOf(c, 0)));
  if (c.wants(1))
    c.setGrad(1, reduceTo(c.builder, c.loc(), negate(c.builder, c.loc(), dy),
                          typeOf(c, 1)));
  return success();
}

static LogicalResult mulRule(BackwardContext &c) {
  Value dy = c.resultGrad(0);
  for (unsigned i : {0u, 1u}) {
    if (!c.wants(i))
      continue;
    Value other = c.op->getOperand(1 - i);
    Value g = MulOp::create(c.builder, c.loc(), dy.getType(), dy, other);
    c.setGrad(i, reduceTo(c.builder, c.loc(), g, typeOf(c, i)));
  }
  return success();
}

static LogicalResult divRule(BackwardContext &c) {
  Value dy = c.resultGrad(0), rhs = c.op->getOperand(1);
  Type type = dy.getType();
  if (c.wants(0))
    c.setGrad(0, reduceTo(c.builder, c.loc(),
                          DivOp::create(c.builder, c.loc(), type, dy, rhs),
                          typeOf(c, 0)));
  if (c.wants(1)) {
    // d(l / r)/dr = -(l / r) / r = -out / r.
    Value g = MulOp::create(c.builder, c.loc(), type, dy, c.op->getResult(0));
    g = DivOp::create(c.builder, c.loc(), type, g, rhs);
    c.setGrad(1, reduceTo(c.builder, c.loc(), negate(c.builder, c.loc(), g),
                          typeOf(c, 1)));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

static LogicalResult concatRule(BackwardContext &c) {
  auto concat = cast<ConcatOp>(c.op);
  int64_t rank = cast<RankedTensorType>(concat.getType()).getRank();
  int64_t axis =
      concat.getAxis() < 0 ? concat.getAxis() + rank : concat.getAxis();
  int64_t start = 0;
  for (auto [i, input] : llvm::enumerate(concat.getInputs())) {
    int64_t size = cast<RankedTensorType>(input.getType()).getDimSize(axis);
    if (c.wants(i)) {
      if (ShapedType::isDynamic(start))
        return c.op->emitError("qnn-autodiff: the backward of qnn.concat "
                               "needs static sizes along the concatenated "
                               "axis before input ")
               << i;
      c.setGrad(i, SliceOp::create(c.builder, c.loc(), input.getType(),
                                   c.resultGrad(0), axis, start));
    }
    start = ShapedType::isDynamic(size) || ShapedType::isDynamic(start)
                ? ShapedType::kDynamic
                : start + size;
  }
  return success();
}

static LogicalResult sliceRule(BackwardContext &c) {
  auto slice = cast<SliceOp>(c.op);
  auto in = cast<RankedTensorType>(slice.getInput().getType());
  auto out = cast<RankedTensorType>(slice.getType());
  int64_t axis = slice.getAxis(), rank = in.getRank();
  if (in.isDynamicDim(axis) || out.isDynamicDim(axis))
    return c.op->emitError("qnn-autodiff: the backward of qnn.slice needs "
                           "static sizes along its axis");
  SmallVector<int64_t> pads(2 * rank, 0);
  pads[axis] = slice.getStart();
  pads[rank + axis] =
      in.getDimSize(axis) - slice.getStart() - out.getDimSize(axis);
  if (c.wants(0))
    c.setGrad(0, PadOp::create(c.builder, c.loc(), in, c.resultGrad(0),
                               c.builder.getDenseI64ArrayAttr(pads),
                               c.builder.getF64FloatAttr(0.0)));
  return success();
}

static LogicalResult padRule(BackwardContext &c) {
  if (c.wants(0))
    c.setGrad(0, c.create(PadGradOp::getOperationName(), {c.resultGrad(0)},
                          typeOf(c, 0), {"pads"})
                     ->getResult(0));
  return success();
}

/// reshape and flatten: the gradient is reshaped back.
static LogicalResult reshapeRule(BackwardContext &c) {
  if (c.wants(0))
    c.setGrad(0, ReshapeOp::create(c.builder, c.loc(), typeOf(c, 0),
                                   c.resultGrad(0)));
  return success();
}

static LogicalResult transposeRule(BackwardContext &c) {
  auto transpose = cast<TransposeOp>(c.op);
  ArrayRef<int64_t> perm = transpose.getPerm();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  if (c.wants(0))
    c.setGrad(0, TransposeOp::create(c.builder, c.loc(), typeOf(c, 0),
                                     c.resultGrad(0),
                                     c.builder.getDenseI64ArrayAttr(inverse)));
  return success();
}

//===----------------------------------------------------------------------===//
// Quantizers and losses
//===----------------------------------------------------------------------===//

static LogicalResult fakeQuantRule(BackwardContext &c) {
  auto fq = cast<FakeQuantOp>(c.op);
  Value params[kNumQuantParams] = {fq.getScale(), fq.getZeroPoint(),
                                   fq.getClip(), fq.getBasis(), fq.getOffset()};
  SmallVector<Type> types = {fq.getType()};
  SmallVector<unsigned> learnedOperands;
  for (unsigned i = 0; i < kNumQuantParams; ++i) {
    if (!params[i] || !isLearnedParam(fq.getMethod(), QuantParam(i)))
      continue;
    types.push_back(params[i].getType());
    // ODS operand group i + 1 (after the input) holds parameter i.
    learnedOperands.push_back(fq.getODSOperandIndexAndLength(i + 1).first);
  }
  auto grad = FakeQuantGradOp::create(
      c.builder, c.loc(), types, c.resultGrad(0), fq.getInput(), fq.getScale(),
      fq.getZeroPoint(), fq.getClip(), fq.getBasis(), fq.getOffset(),
      fq.getMethodAttr(), fq.getRoleAttr(), fq.getBitsAttr(),
      fq.getHalfRangeAttr(), fq.getNarrowAttr(), fq.getAxisAttr(),
      fq.getGroupsAttr(), fq.getGradAttr(), fq.getGradScaleAttr(),
      fq.getAdaptiveAttr());
  if (c.wants(0))
    c.setGrad(0, grad.getInputGrad());
  for (auto [operand, g] : llvm::zip(learnedOperands, grad.getParamGrads()))
    if (c.wants(operand))
      c.setGrad(operand, g);
  return success();
}

/// Loss ops return their own gradient as result 1; a loss that depends on
/// it would need second derivatives.
static LogicalResult rejectSecondDerivative(BackwardContext &c,
                                            StringRef what) {
  if (!c.resultGrad(1))
    return success();
  return c.op->emitError("qnn-autodiff: the loss depends on the ")
         << what << " of " << c.op->getName()
         << "; second derivatives are not supported";
}

static LogicalResult softmaxCrossEntropyRule(BackwardContext &c) {
  auto loss = cast<SoftmaxCrossEntropyOp>(c.op);
  if (failed(rejectSecondDerivative(c, "logits gradient")))
    return failure();
  if (c.wants(0))
    c.setGrad(
        0, scaleBy(c.builder, c.loc(), loss.getLogitsGrad(), c.resultGrad(0)));
  return success();
}

static LogicalResult mseLossRule(BackwardContext &c) {
  auto loss = cast<MseLossOp>(c.op);
  if (failed(rejectSecondDerivative(c, "gradient result")))
    return failure();
  Value g = scaleBy(c.builder, c.loc(), loss.getLhsGrad(), c.resultGrad(0));
  if (c.wants(0))
    c.setGrad(0, g);
  if (c.wants(1))
    c.setGrad(1, negate(c.builder, c.loc(), g));
  return success();
}

static LogicalResult adaroundRegularizerRule(BackwardContext &c) {
  auto reg = cast<AdaroundRegularizerOp>(c.op);
  if (failed(rejectSecondDerivative(c, "gradient result")))
    return failure();
  if (c.wants(1) || c.wants(2))
    return c.op->emitError("qnn-autodiff: beta and lambda of "
                           "qnn.adaround_regularizer are schedules, not "
                           "parameters; they have no gradient");
  if (c.wants(0))
    c.setGrad(0, scaleBy(c.builder, c.loc(), reg.getOffsetGrad(),
                         c.resultGrad(0)));
  return success();
}

/// The detection losses: operand 0 gets the op's own gradient; the targets,
/// weights and norm are data of the step, without a gradient.
static LogicalResult detectionLossRule(BackwardContext &c) {
  if (failed(rejectSecondDerivative(c, "gradient result")))
    return failure();
  for (unsigned i = 1; i < c.op->getNumOperands(); ++i)
    if (c.wants(i))
      return c.op->emitError("qnn-autodiff: operand ")
             << i << " of " << c.op->getName()
             << " is a target of the loss (data of the step); it has no "
                "gradient";
  if (c.wants(0))
    c.setGrad(0, scaleBy(c.builder, c.loc(), c.op->getResult(1),
                         c.resultGrad(0)));
  return success();
}

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

template <typename... Ops>
static void add(llvm::DenseMap<TypeID, BackwardRule> &table,
                BackwardRule rule) {
  (table.try_emplace(TypeID::get<Ops>(), rule), ...);
}

BackwardRule qopt::lookupBackwardRule(Operation *op) {
  static const llvm::DenseMap<TypeID, BackwardRule> table = [] {
    llvm::DenseMap<TypeID, BackwardRule> t;
    add<Conv2dOp>(t, conv2dRule);
    add<LinearOp>(t, linearRule);
    add<MatmulOp>(t, matmulRule);
    add<BatchNormTrainOp>(t, batchNormTrainRule);
    add<BatchNormOp>(t, batchNormRule);
    add<GroupNormOp>(t, groupNormRule);
    add<ReluOp>(t, reluRule);
    add<PreluOp>(t, preluRule);
    add<ClipOp>(t, clipRule);
    add<MaxPoolOp>(t, maxPoolRule);
    add<AvgPoolOp>(t, avgPoolRule);
    add<GlobalAvgPoolOp>(t, globalAvgPoolRule);
    add<ResizeOp>(t, resizeRule);
    add<ObserveOp>(t, identityRule);
    add<AddOp>(t, addRule);
    add<SubOp>(t, subRule);
    add<MulOp>(t, mulRule);
    add<DivOp>(t, divRule);
    add<ConcatOp>(t, concatRule);
    add<SliceOp>(t, sliceRule);
    add<PadOp>(t, padRule);
    add<ReshapeOp, FlattenOp>(t, reshapeRule);
    add<TransposeOp>(t, transposeRule);
    add<FakeQuantOp>(t, fakeQuantRule);
    add<SoftmaxCrossEntropyOp>(t, softmaxCrossEntropyRule);
    add<MseLossOp>(t, mseLossRule);
    add<AdaroundRegularizerOp>(t, adaroundRegularizerRule);
    add<SigmoidFocalLossOp, GiouLossOp, BceWithLogitsLossOp>(
        t, detectionLossRule);
    return t;
  }();
  std::optional<RegisteredOperationName> name = op->getRegisteredInfo();
  if (!name)
    return nullptr;
  return table.lookup(name->getTypeID());
}
