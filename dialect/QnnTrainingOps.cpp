//===- QnnTrainingOps.cpp - backward, loss and optimizer ops --------------===//
//
// Verifiers and type inference of the ops qnn-autodiff and
// qnn-wrap-mode{mode=qat} emit. A backward op whose result type cannot be
// inferred (several forward inputs give the same output size) is checked by
// running the forward's shape rule on its result.
//
//===----------------------------------------------------------------------===//

#include "dialect/QnnOps.h"
#include "dialect/VerifyUtils.h"

#include "mlir/Dialect/Traits.h"

#include <cmath>

using namespace mlir;
using namespace qopt::qnn;

static RankedTensorType f32Tensor(MLIRContext *ctx, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, Float32Type::get(ctx));
}

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// True when two static sizes are known to differ.
static bool conflict(int64_t a, int64_t b) {
  return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
}

static bool compatible(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip(a, b))
    if (conflict(x, y))
      return false;
  return true;
}

/// Formats a shape as a tensor type would print it: "?x16x8x8".
static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(
      shape, os,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << "?";
        else
          os << d;
      },
      "x");
  return s;
}

/// The forward output shape of a window op over `input`, checked against the
/// gradient the backward op received.
static LogicalResult verifyWindowGrad(Operation *op, ArrayRef<int64_t> input,
                                      int64_t channels, const Window2d &window,
                                      ArrayRef<int64_t> outputGrad) {
  int64_t outH, outW;
  StringRef name = op->getName().getStringRef();
  if (failed(inferWindowOutput(op->getLoc(), name, input, window, outH, outW)))
    return failure();
  SmallVector<int64_t> expected = {input[0], channels, outH, outW};
  if (!compatible(expected, outputGrad))
    return op->emitOpError("output_grad has shape ")
           << shapeString(outputGrad) << ", but the forward op maps an input "
           << "of shape " << shapeString(input) << " to "
           << shapeString(expected);
  return success();
}

//===----------------------------------------------------------------------===//
// conv2d
//===----------------------------------------------------------------------===//

/// The checks of Conv2dOp's verifier, for the backward ops that see the same
/// input and weight shapes.
static LogicalResult verifyConvShapes(Operation *op, ArrayRef<int64_t> in,
                                      ArrayRef<int64_t> w, int64_t groups,
                                      ArrayRef<int64_t> strides,
                                      ArrayRef<int64_t> pads,
                                      ArrayRef<int64_t> dilations,
                                      ArrayRef<int64_t> outputGrad) {
  if (w.size() != 4)
    return op->emitOpError("expects an OIHW weight of rank 4, got rank ")
           << w.size();
  if (in.size() != 4)
    return op->emitOpError("expects an NCHW input of rank 4, got rank ")
           << in.size();
  if (groups < 1)
    return op->emitOpError("groups must be positive, got ") << groups;
  if (!ShapedType::isDynamic(in[1]) && in[1] % groups != 0)
    return op->emitOpError("input channels (")
           << in[1] << ") are not divisible by groups (" << groups << ")";
  if (!ShapedType::isDynamic(in[1]) && conflict(in[1] / groups, w[1]))
    return op->emitOpError("weight expects ")
           << w[1] << " input channels per group, but the input has " << in[1]
           << " channels in " << groups << " group(s)";
  return verifyWindowGrad(
      op, in, w[0], {w.slice(2, 2), strides, pads, dilations}, outputGrad);
}

LogicalResult Conv2dGradInputOp::verify() {
  return verifyConvShapes(*this, shapeOf(getInputGrad()), shapeOf(getWeight()),
                          getGroups(), getStrides(), getPads(), getDilations(),
                          shapeOf(getOutputGrad()));
}

LogicalResult Conv2dGradWeightOp::verify() {
  return verifyConvShapes(*this, shapeOf(getInput()), shapeOf(getWeightGrad()),
                          getGroups(), getStrides(), getPads(), getDilations(),
                          shapeOf(getOutputGrad()));
}

LogicalResult BiasGradOp::inferReturnTypes(MLIRContext *ctx,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  ArrayRef<int64_t> dy = shapeOf(adaptor.getOutputGrad());
  if (dy.size() < 2)
    return emitShapeError(loc, "qnn.bias_grad",
                          "expects an output_grad of rank >= 2 with channels "
                          "on axis 1, got rank " +
                              Twine(dy.size()));
  inferred.push_back(f32Tensor(ctx, {dy[1]}));
  return success();
}

//===----------------------------------------------------------------------===//
// linear
//===----------------------------------------------------------------------===//

LogicalResult LinearGradInputOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  StringRef name = "qnn.linear_grad_input";
  ArrayRef<int64_t> dy = shapeOf(adaptor.getOutputGrad());
  ArrayRef<int64_t> w = shapeOf(adaptor.getWeight());
  if (dy.empty())
    return emitShapeError(loc, name, "expects an output_grad of rank >= 1");
  if (w.size() != 2)
    return emitShapeError(loc, name,
                          "expects an N x K weight of rank 2, got rank " +
                              Twine(w.size()));
  if (conflict(dy.back(), w[0]))
    return emitShapeError(loc, name,
                          "output_grad has " + Twine(dy.back()) +
                              " features but the weight has " + Twine(w[0]) +
                              " outputs");
  SmallVector<int64_t> out(dy);
  out.back() = w[1];
  inferred.push_back(f32Tensor(ctx, out));
  return success();
}

LogicalResult LinearGradWeightOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  StringRef name = "qnn.linear_grad_weight";
  ArrayRef<int64_t> dy = shapeOf(adaptor.getOutputGrad());
  ArrayRef<int64_t> x = shapeOf(adaptor.getInput());
  if (dy.empty() || dy.size() != x.size())
    return emitShapeError(loc, name,
                          "output_grad and input must have the same rank >= "
                          "1, got " +
                              Twine(dy.size()) + " and " + Twine(x.size()));
  if (!compatible(dy.drop_back(), x.drop_back()))
    return emitShapeError(loc, name,
                          "output_grad (" + shapeString(dy) + ") and input (" +
                              shapeString(x) +
                              ") differ in their leading dimensions");
  inferred.push_back(f32Tensor(ctx, {dy.back(), x.back()}));
  return success();
}

//===----------------------------------------------------------------------===//
// batch norm
//===----------------------------------------------------------------------===//

static LogicalResult verifyPerChannel(Operation *op, ArrayRef<int64_t> in,
                                      Value param, StringRef what) {
  if (in.size() < 2)
    return op->emitOpError("expects an input of rank >= 2 with channels on "
                           "axis 1, got rank ")
           << in.size();
  ArrayRef<int64_t> p = shapeOf(param);
  if (p.size() != 1 || conflict(p[0], in[1]))
    return op->emitOpError(what)
           << " must be vectors of " << in[1]
           << " elements (one per channel), got " << param.getType();
  return success();
}

LogicalResult
BatchNormTrainOp::inferReturnTypes(MLIRContext *ctx,
                                   std::optional<Location> loc, Adaptor adaptor,
                                   SmallVectorImpl<Type> &inferred) {
  Type param = adaptor.getScale().getType();
  inferred.append({adaptor.getInput().getType(), param, param, param, param});
  return success();
}

LogicalResult BatchNormTrainOp::verify() {
  if (failed(verifyPerChannel(*this, shapeOf(getInput()), getScale(),
                              "scale, bias, running_mean and running_var")))
    return failure();
  if (getEpsilon().convertToDouble() <= 0.0)
    return emitOpError("epsilon must be positive, got ")
           << formatNumber(getEpsilon().convertToDouble());
  double m = getMomentum().convertToDouble();
  if (m < 0.0 || m > 1.0)
    return emitOpError("momentum must be in [0, 1], got ") << formatNumber(m);
  return success();
}

LogicalResult
BatchNormGradOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &inferred) {
  Type param = adaptor.getScale().getType();
  inferred.append({adaptor.getInput().getType(), param, param});
  return success();
}

LogicalResult BatchNormGradOp::verify() {
  if (failed(verifyPerChannel(*this, shapeOf(getInput()), getScale(),
                              "scale, saved_mean and saved_invstd")))
    return failure();
  if (getEpsilon().convertToDouble() <= 0.0)
    return emitOpError("epsilon must be positive, got ")
           << formatNumber(getEpsilon().convertToDouble());
  return success();
}

LogicalResult
GroupNormGradOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &inferred) {
  Type param = adaptor.getScale().getType();
  inferred.append({adaptor.getInput().getType(), param, param});
  return success();
}

// The forward's invariants (GroupNormOp::verify), on the same operands.
LogicalResult GroupNormGradOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (failed(verifyPerChannel(*this, in, getScale(), "scale")))
    return failure();
  int64_t groups = getNumGroups();
  if (groups < 1)
    return emitOpError("num_groups must be positive, got ") << groups;
  ArrayRef<int64_t> p = shapeOf(getScale());
  if (ShapedType::isDynamic(p[0]))
    return emitOpError("scale must be a static vector (one element per "
                       "channel), got ")
           << getScale().getType();
  if (p[0] % groups != 0)
    return emitOpError("num_groups must divide the ")
           << p[0] << " channels, got " << groups;
  if (getEpsilon().convertToDouble() < 0.0)
    return emitOpError("epsilon must be non-negative, got ")
           << formatNumber(getEpsilon().convertToDouble());
  return success();
}

//===----------------------------------------------------------------------===//
// Activations and pooling
//===----------------------------------------------------------------------===//

LogicalResult ClipGradOp::verify() {
  if (getMin().convertToDouble() > getMax().convertToDouble())
    return emitOpError("min (")
           << formatNumber(getMin().convertToDouble())
           << ") must not exceed max ("
           << formatNumber(getMax().convertToDouble()) << ")";
  return success();
}

LogicalResult MaxPoolGradOp::inferReturnTypes(MLIRContext *ctx,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult MaxPoolGradOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (in.size() != 4)
    return emitOpError("expects an NCHW input of rank 4, got rank ")
           << in.size();
  return verifyWindowGrad(
      *this, in, in[1],
      {getKernel(), getStrides(), getPads(), getDilations(), getCeilMode()},
      shapeOf(getOutputGrad()));
}

LogicalResult AvgPoolGradOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInputGrad());
  if (in.size() != 4)
    return emitOpError("expects an NCHW result of rank 4, got rank ")
           << in.size();
  return verifyWindowGrad(
      *this, in, in[1],
      {getKernel(), getStrides(), getPads(), {}, getCeilMode()},
      shapeOf(getOutputGrad()));
}

LogicalResult GlobalAvgPoolGradOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInputGrad());
  ArrayRef<int64_t> dy = shapeOf(getOutputGrad());
  if (in.size() != 4)
    return emitOpError("expects an NCHW result of rank 4, got rank ")
           << in.size();
  SmallVector<int64_t> expected = {in[0], in[1], 1, 1};
  if (!compatible(expected, dy))
    return emitOpError("output_grad must have shape ")
           << shapeString(expected) << " (global_avg_pool's result), got "
           << shapeString(dy);
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement and broadcasting
//===----------------------------------------------------------------------===//

LogicalResult PadGradOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  StringRef name = "qnn.pad_grad";
  ArrayRef<int64_t> dy = shapeOf(adaptor.getOutputGrad());
  ArrayRef<int64_t> pads = adaptor.getPads();
  if (pads.size() != 2 * dy.size())
    return emitShapeError(loc, name,
                          "pads must have 2 * rank = " + Twine(2 * dy.size()) +
                              " values, got " + Twine(pads.size()));
  SmallVector<int64_t> out(dy);
  for (auto [d, size] : llvm::enumerate(dy)) {
    int64_t lo = pads[d], hi = pads[d + dy.size()];
    if (lo < 0 || hi < 0)
      return emitShapeError(loc, name,
                            "pads must be non-negative, got " +
                                Twine(std::min(lo, hi)));
    if (ShapedType::isDynamic(size))
      continue;
    if (size < lo + hi)
      return emitShapeError(loc, name,
                            "dimension " + Twine(d) + " of size " +
                                Twine(size) + " is smaller than its pads (" +
                                Twine(lo + hi) + ")");
    out[d] = size - lo - hi;
  }
  inferred.push_back(f32Tensor(ctx, out));
  return success();
}

LogicalResult ReduceToOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> out = shapeOf(getOutput());
  SmallVector<int64_t> broadcast;
  if (out.size() > in.size() ||
      !OpTrait::util::getBroadcastedShape(in, out, broadcast) ||
      !compatible(broadcast, in))
    return emitOpError("result shape ")
           << shapeString(out) << " must broadcast to the input shape "
           << shapeString(in);
  return success();
}

LogicalResult SliceOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> out = shapeOf(getOutput());
  int64_t axis = getAxis(), start = getStart();
  if (in.size() != out.size())
    return emitOpError("result rank ")
           << out.size() << " differs from the input rank " << in.size();
  if (axis < 0 || axis >= (int64_t)in.size())
    return emitOpError("axis ")
           << axis << " is out of range for rank " << in.size();
  for (auto [d, sizes] : llvm::enumerate(llvm::zip(in, out)))
    if ((int64_t)d != axis && conflict(std::get<0>(sizes), std::get<1>(sizes)))
      return emitOpError("only dimension ")
             << axis << " may differ, but dimension " << d << " is "
             << std::get<1>(sizes) << " instead of " << std::get<0>(sizes);
  if (start < 0)
    return emitOpError("start must be non-negative, got ") << start;
  if (!ShapedType::isDynamic(in[axis]) && !ShapedType::isDynamic(out[axis]) &&
      start + out[axis] > in[axis])
    return emitOpError("range [")
           << start << ", " << start + out[axis] << ") exceeds dimension "
           << axis << " of size " << in[axis];
  return success();
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxCrossEntropyOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  StringRef name = "qnn.softmax_cross_entropy";
  ArrayRef<int64_t> logits = shapeOf(adaptor.getLogits());
  ArrayRef<int64_t> labels = shapeOf(adaptor.getLabels());
  if (logits.size() != 2)
    return emitShapeError(loc, name,
                          "expects N x C logits of rank 2, got rank " +
                              Twine(logits.size()));
  if (labels.size() != 1 || conflict(labels[0], logits[0]))
    return emitShapeError(
        loc, name,
        "labels must be a vector of " + shapeString(logits[0]) +
            " class indices (one per row), got shape " + shapeString(labels));
  inferred.append({f32Tensor(ctx, {}), adaptor.getLogits().getType()});
  return success();
}

LogicalResult MseLossOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  inferred.append({f32Tensor(ctx, {}), adaptor.getLhs().getType()});
  return success();
}

/// The detection losses: a scalar loss and the gradient of operand 0.
template <typename Adaptor>
static LogicalResult inferLossOfFirst(MLIRContext *ctx, Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  inferred.append(
      {f32Tensor(ctx, {}), adaptor.getOperands().front().getType()});
  return success();
}

LogicalResult SigmoidFocalLossOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  return inferLossOfFirst(ctx, adaptor, inferred);
}

LogicalResult SigmoidFocalLossOp::verify() {
  ArrayRef<int64_t> logits = shapeOf(getLogits());
  ArrayRef<int64_t> classes = shapeOf(getClasses());
  if (logits.size() < 2)
    return emitOpError("expects N x C x ... logits, got rank ")
           << logits.size();
  bool match = classes.size() + 1 == logits.size() &&
               !conflict(classes[0], logits[0]);
  for (size_t i = 1; match && i < classes.size(); ++i)
    match = !conflict(classes[i], logits[i + 1]);
  if (!match)
    return emitOpError("classes must be the logits' shape without the class "
                       "dimension (")
           << shapeString(logits) << " -> N x d...), got "
           << shapeString(classes);
  double alpha = getAlpha().convertToDouble();
  double gamma = getGamma().convertToDouble();
  if (!(alpha <= 1.0))
    return emitOpError("alpha must be at most 1 (negative: no weighting), "
                       "got ")
           << formatNumber(alpha);
  if (!(gamma >= 0.0) || !std::isfinite(gamma))
    return emitOpError("gamma must be finite and non-negative, got ")
           << formatNumber(gamma);
  return success();
}

LogicalResult GiouLossOp::inferReturnTypes(MLIRContext *ctx,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  return inferLossOfFirst(ctx, adaptor, inferred);
}

LogicalResult GiouLossOp::verify() {
  ArrayRef<int64_t> pred = shapeOf(getPred());
  ArrayRef<int64_t> weight = shapeOf(getWeight());
  if (pred.size() < 2 || pred[1] != 4)
    return emitOpError("expects boxes N x 4 x ... (left, top, right, bottom "
                       "distances), got ")
           << shapeString(pred);
  bool match = weight.size() == pred.size() && weight[1] == 1;
  for (size_t i = 0; match && i < weight.size(); ++i)
    match = i == 1 || !conflict(weight[i], pred[i]);
  if (!match)
    return emitOpError("weight must be N x 1 x ... of the boxes' positions ")
           << shapeString(pred) << ", got " << shapeString(weight);
  return success();
}

LogicalResult BceWithLogitsLossOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  return inferLossOfFirst(ctx, adaptor, inferred);
}

LogicalResult AdaroundRegularizerOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  inferred.append({f32Tensor(ctx, {}), adaptor.getOffset().getType()});
  return success();
}

//===----------------------------------------------------------------------===//
// Optimizer updates
//===----------------------------------------------------------------------===//

static LogicalResult verifyNonNegative(Operation *op, APFloat value,
                                       StringRef what) {
  double v = value.convertToDouble();
  if (!(v >= 0.0))
    return op->emitOpError(what)
           << " must be non-negative, got " << formatNumber(v);
  return success();
}

static LogicalResult verifyUnitInterval(Operation *op, APFloat value,
                                        StringRef what) {
  double v = value.convertToDouble();
  if (!(v >= 0.0 && v < 1.0))
    return op->emitOpError(what)
           << " must be in [0, 1), got " << formatNumber(v);
  return success();
}

LogicalResult SgdUpdateOp::inferReturnTypes(MLIRContext *ctx,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  Type type = adaptor.getParam().getType();
  inferred.append({type, type});
  return success();
}

LogicalResult SgdUpdateOp::verify() {
  if (failed(verifyNonNegative(*this, getMomentum(), "momentum")) ||
      failed(verifyNonNegative(*this, getWeightDecay(), "weight_decay")))
    return failure();
  double dampening = getDampening().convertToDouble();
  if (!(dampening >= 0.0 && dampening <= 1.0))
    return emitOpError("dampening must be in [0, 1], got ")
           << formatNumber(dampening);
  if (getNesterov() &&
      (getMomentum().convertToDouble() <= 0.0 || dampening != 0.0))
    return emitOpError("nesterov needs a positive momentum and zero "
                       "dampening (as torch.optim.SGD)");
  return success();
}

LogicalResult AdamUpdateOp::inferReturnTypes(MLIRContext *ctx,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  Type type = adaptor.getParam().getType();
  inferred.append({type, type, type});
  return success();
}

LogicalResult AdamUpdateOp::verify() {
  if (failed(verifyUnitInterval(*this, getBeta1(), "beta1")) ||
      failed(verifyUnitInterval(*this, getBeta2(), "beta2")) ||
      failed(verifyNonNegative(*this, getWeightDecay(), "weight_decay")))
    return failure();
  if (!(getEpsilon().convertToDouble() > 0.0))
    return emitOpError("epsilon must be positive, got ")
           << formatNumber(getEpsilon().convertToDouble());
  return success();
}
