//===- Calibration.cpp - naming quantizers, writing results back ----------===//

#include "passes/Calibration.h"
#include "passes/WeightQuantizers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

#include <cmath>

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

std::string qopt::quantizerName(FakeQuantOp op, unsigned index) {
  if (auto name = op->getAttrOfType<StringAttr>("qnn.name"))
    return name.str();
  return "fq" + std::to_string(index);
}

bool qopt::isCalibrated(QuantMethod method) {
  switch (method) {
  case QuantMethod::Uniform:
  case QuantMethod::Lsq:
  case QuantMethod::LsqPlus:
  case QuantMethod::Adaround:
  // PACT's clip α starts at the observed range (the seeds initialize it
  // from max|x|; an MSE observer picks the clip minimizing the error).
  case QuantMethod::Pact:
    return true;
  default:
    return false;
  }
}

ObserverKind qopt::observerFor(FakeQuantOp op, ObserverKind requested) {
  bool perTensorOnly = requested == ObserverKind::Entropy ||
                       requested == ObserverKind::Percentile;
  if (!perTensorOnly)
    return requested;
  // The model input (an image) under entropy: its |x| histogram has a point
  // mass at the normalized background (0.81 on Fashion-MNIST) and KL clips
  // there, saturating every brighter pixel (82% top-1 instead of 91%). It
  // keeps min-max, as onnxruntime's calibrators do in effect.
  Value in = op.getInput();
  if (auto pad = in.getDefiningOp<PadOp>())
    in = pad->getOperand(0);
  bool graphInput = isa<BlockArgument>(in);
  if (op.getAxis() || (graphInput && requested == ObserverKind::Entropy))
    return ObserverKind::MinMax;
  return requested;
}

bool qopt::isCalibrated(FakeQuantOp op) {
  // DoReFa's clip (when the policy gave it one) starts at the observed
  // range, as PACT's α; without one the activation clamps to [0, 1].
  // LQ-Nets' basis starts as the observed uniform grid.
  return isCalibrated(op.getMethod()) ||
         op.getMethod() == QuantMethod::Lqnet ||
         (op.getMethod() == QuantMethod::Dorefa &&
          op.getRole() == QuantRole::Activation && op.getClip());
}

/// A constant of `like`'s type holding `values`.
static FailureOr<Value> constantLike(OpBuilder &b, FakeQuantOp op, Value like,
                                     ArrayRef<float> values, StringRef what) {
  auto type = cast<RankedTensorType>(like.getType());
  if (type.getNumElements() != (int64_t)values.size())
    return op.emitError("calibration gives ")
           << values.size() << " " << what << " value(s) but the quantizer's "
           << what << " has type " << type;
  return arith::ConstantOp::create(b, op.getLoc(),
                                   DenseElementsAttr::get(type, values))
      .getResult();
}

LogicalResult qopt::applyCalibration(
    func::FuncOp func, const std::map<std::string, CalibratedParams> &params) {
  unsigned index = 0;
  bool ok = true;
  func.walk([&](FakeQuantOp op) {
    std::string name = quantizerName(op, index++);
    auto it = params.find(name);
    if (it == params.end())
      return;
    OpBuilder b(op);
    // PACT, DoReFa: α = s · (2^b - 1), the top of the observed unsigned
    // grid.
    if (Value clip = op.getClip();
        clip && (op.getMethod() == QuantMethod::Pact ||
                 op.getMethod() == QuantMethod::Dorefa)) {
      float qmax = static_cast<float>((int64_t(1) << op.getBits()) - 1);
      std::vector<float> alpha = it->second.scale;
      for (float &a : alpha)
        a *= qmax;
      FailureOr<Value> v = constantLike(b, op, clip, alpha, "clip");
      if (failed(v)) {
        ok = false;
        return;
      }
      op.getClipMutable().assign(*v);
    }
    // LQ-Nets: the uniform grid of step s is the basis v_i = c·2^i, with
    // c = s for {0, 1} codes (levels 0, s, ..., (2^K - 1)s) and c = s/2 for
    // {-1, 1} codes (levels ±s/2, ±3s/2, ...); training refits it (QEM).
    if (Value basis = op.getBasis();
        basis && op.getMethod() == QuantMethod::Lqnet) {
      int64_t k = op.getBits();
      bool signedCodes = !op.getHalfRange();
      std::vector<float> rows;
      for (float s : it->second.scale)
        for (int64_t i = 0; i < k; ++i)
          rows.push_back((signedCodes ? s / 2 : s) * std::ldexp(1.f, i));
      FailureOr<Value> v = constantLike(b, op, basis, rows, "basis");
      if (failed(v)) {
        ok = false;
        return;
      }
      op.getBasisMutable().assign(*v);
    }
    if (Value scale = op.getScale()) {
      FailureOr<Value> v = constantLike(b, op, scale, it->second.scale, "scale");
      if (failed(v)) {
        ok = false;
        return;
      }
      op.getScaleMutable().assign(*v);
    }
    // LSQ+'s zero_point is the learned offset beta, in float units; uniform
    // and AdaRound's is the integer zero point.
    if (Value zp = op.getZeroPoint()) {
      std::vector<float> values = it->second.zeroPoint;
      if (op.getMethod() == QuantMethod::LsqPlus)
        for (size_t i = 0; i < values.size(); ++i)
          values[i] = -values[i] * it->second.scale[i];
      FailureOr<Value> v = constantLike(b, op, zp, values, "zero_point");
      if (failed(v)) {
        ok = false;
        return;
      }
      op.getZeroPointMutable().assign(*v);
    }
    // AdaRound's V starts at the fractional parts under the new step size.
    if (op.getMethod() == QuantMethod::Adaround && op.getOffset() &&
        failed(resetAdaroundOffset(op)))
      ok = false;
  });
  return success(ok);
}
