//===- WeightGrid.cpp - a frozen weight quantizer as integer levels -------===//

#include "passes/WeightGrid.h"

#include "analysis/FrozenGrid.h"
#include "dialect/Constants.h"
#include "runtime/FakeQuant.h"

#include <cmath>

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

/// A constant operand as a qrt tensor of its own shape.
static std::optional<qrt::Tensor> tensorOf(Value v) {
  std::optional<SmallVector<float>> data = readF32Constant(v);
  if (!data)
    return std::nullopt;
  auto type = cast<RankedTensorType>(v.getType());
  return qrt::Tensor::fromVector(
      qrt::Shape(type.getShape().begin(), type.getShape().end()),
      std::vector<float>(data->begin(), data->end()));
}

FailureOr<WeightGrid> qopt::weightGridOf(FakeQuantOp op, std::string &why) {
  QuantMethod m = op.getMethod();
  int64_t b = op.getBits();
  if (op.getRole() != QuantRole::Weight) {
    why = "its quantizer is not a weight quantizer";
    return failure();
  }
  bool binary = m == QuantMethod::Xnor || m == QuantMethod::XnorPlusPlus ||
                (m == QuantMethod::Dorefa && b == 1);
  // model-quantization's non-uniform weights: the ternary form's values
  // -1 / 0 / 1 are the levels themselves (step 1).
  bool ternary = m == QuantMethod::NonUniform && !op.getHalfRange();
  if (m != QuantMethod::Uniform && m != QuantMethod::Lsq &&
      m != QuantMethod::Dorefa && !binary && !ternary) {
    why = stringifyQuantMethod(m).str() +
          " weights are not a uniform integer grid";
    return failure();
  }
  if ((m == QuantMethod::Uniform || m == QuantMethod::Lsq) &&
      op.getHalfRange()) {
    why = "an unsigned (half_range) weight grid cannot hold sign-flipped "
          "levels";
    return failure();
  }
  auto type = cast<RankedTensorType>(op.getType());
  if (!type.hasStaticShape() || type.getRank() < 1) {
    why = "the weight has no static shape";
    return failure();
  }
  std::optional<qrt::Tensor> w = tensorOf(op.getInput());
  if (!w) {
    why = "the quantized weight is not a constant";
    return failure();
  }
  // The quantizer's parameters, in qrt's operand order.
  std::optional<qrt::Tensor> scale, zeroPoint;
  if (op.getScale() && !(scale = tensorOf(op.getScale()))) {
    why = "its scale is not a constant (freeze the globals first)";
    return failure();
  }
  if (op.getZeroPoint() && !(zeroPoint = tensorOf(op.getZeroPoint()))) {
    why = "its zero point is not a constant";
    return failure();
  }
  std::optional<qrt::Tensor> clip;
  if (op.getClip() && !(clip = tensorOf(op.getClip()))) {
    why = "its clip (slopes) is not a constant (freeze the globals first)";
    return failure();
  }
  std::optional<int64_t> axis = op.getAxis();
  if (axis && *axis != 0 && m != QuantMethod::Dorefa) {
    why = "its parameters are per channel along axis " +
          std::to_string(*axis) + ", not the output channels (axis 0)";
    return failure();
  }
  qrt::Granularity g =
      axis ? qrt::Granularity{*axis, op.getGroups() ? (int64_t)*op.getGroups()
                                                    : type.getDimSize(*axis)}
           : qrt::Granularity::perTensor();
  // model-quantization's `adaptive`: the quantizer sees the normalized
  // weight (the interpreter's kernel, so the levels are the same).
  if (op.getAdaptive() != Adaptive::None) {
    qrt::Tensor normalized;
    if (!qrt::weightNormalize(*w,
                              op.getAdaptive() == Adaptive::Mean
                                  ? qrt::WeightNorm::Mean
                                  : qrt::WeightNorm::VarMean,
                              g, normalized)
             .isOk()) {
      why = "its adaptive normalization does not fit the weight's groups";
      return failure();
    }
    w = std::move(normalized);
  }

  // ŵ with the interpreter's own kernels: the fold must reproduce exactly
  // the weights the trained test-mode graph used.
  qrt::QuantRange range =
      qrt::QuantRange::fromBits(b, !op.getHalfRange(), op.getNarrow());
  qrt::Tensor y;
  qrt::Status s;
  switch (m) {
  case QuantMethod::Uniform:
    s = qrt::fakeQuantAffine(*w, *scale, *zeroPoint, range, g, y);
    break;
  case QuantMethod::Lsq:
    s = qrt::lsqForward(*w, *scale, -range.qmin, range.qmax, g, y);
    break;
  case QuantMethod::Dorefa:
    s = qrt::dorefaWeight(*w, b, g, y);
    break;
  case QuantMethod::Xnor:
    s = qrt::xnorWeight(*w, g, y);
    break;
  case QuantMethod::XnorPlusPlus:
    s = qrt::xnorWeightScaled(*w, *scale, g, y);
    break;
  case QuantMethod::NonUniform:
    s = qrt::nonUniformTernaryForward(*w, *clip, y);
    break;
  default:
    llvm_unreachable("filtered above");
  }
  if (!s) {
    why = "its quantizer cannot be evaluated: " + s.message();
    return failure();
  }

  WeightGrid grid;
  int64_t channels = type.getDimSize(0);
  int64_t perChannel = type.getNumElements() / channels;
  const float *q = y.data<float>();
  grid.quantized.assign(q, q + y.numel());
  grid.levels.resize(grid.quantized.size());
  grid.step.resize(channels);

  // The grid of the levels: b-bit signed for uniform / lsq; DoReFa's 2^b
  // odd levels 2i - (2^b - 1) need b + 1 bits (narrow, symmetric); binary
  // weights are {-1, +1} (0 for an all-zero filter), a 2-bit narrow grid,
  // and so are ternary ones {-1, 0, 1}.
  if (binary || ternary) {
    grid.bits = 2;
    grid.narrow = true;
  } else if (m == QuantMethod::Dorefa) {
    grid.bits = b + 1;
    grid.narrow = true;
  } else {
    grid.bits = b;
    grid.narrow = op.getNarrow();
  }
  std::tie(grid.qmin, grid.qmax) =
      integerRange(grid.bits, /*isSigned=*/true, grid.narrow);

  int64_t scaleSets = scale ? scale->numel() : 1;
  for (int64_t c = 0; c < channels; ++c) {
    const float *wq = q + c * perChannel;
    double d;
    if (m == QuantMethod::Uniform || m == QuantMethod::Lsq) {
      // Per tensor, per channel or per group of consecutive channels. A
      // learned LSQ step can turn negative in training: fq(W) = q·s is then
      // the levels -q on the step |s|.
      d = std::fabs(scale->data<float>()[scaleSets == 1
                                             ? 0
                                             : c / (channels / scaleSets)]);
    } else if (ternary) {
      d = 1.0; // the values are the levels
    } else if (m == QuantMethod::Dorefa && b > 1) {
      d = 1.0 / (std::ldexp(1.0, b) - 1.0); // ŵ = (2i - n) / n
    } else {
      d = 0.0; // binary: ±α, the channel's largest magnitude
      for (int64_t i = 0; i < perChannel; ++i)
        d = std::max(d, (double)std::fabs(wq[i]));
      if (d == 0.0)
        d = 1.0; // an all-zero filter: levels 0
    }
    if (!(d > 0.0) || !std::isfinite(d)) {
      why = "output channel " + std::to_string(c) + " has step " +
            std::to_string(d) + ", not a positive number";
      return failure();
    }
    grid.step[c] = d;
    for (int64_t i = 0; i < perChannel; ++i) {
      double v = wq[i] / d;
      double level = std::nearbyint(v);
      // ŵ is on the grid up to the float rounding of level · d; anything
      // further off (per-channel steps along another axis, a zero point
      // between levels) is not this grid.
      if (std::fabs(v - level) > 1e-3) {
        why = "output channel " + std::to_string(c) +
              " is not on one uniform grid (value " + std::to_string(wq[i]) +
              " is " + std::to_string(v) + " steps of " + std::to_string(d) +
              ")";
        return failure();
      }
      grid.levels[c * perChannel + i] = (float)level;
    }
  }
  return grid;
}
