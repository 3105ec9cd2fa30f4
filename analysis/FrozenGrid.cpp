//===- FrozenGrid.cpp - a quantizer frozen on an integer grid -------------===//

#include "analysis/FrozenGrid.h"
#include "dialect/Constants.h"

#include "runtime/QuantMath.h"

#include <cmath>

using namespace mlir;
using namespace mlir::quant;
using namespace qopt;
using namespace qopt::qnn;

std::pair<int64_t, int64_t> qopt::integerRange(int64_t bits, bool isSigned,
                                               bool narrow) {
  float lo = 0.f, hi = 0.f;
  qrt::qmath::intRange(static_cast<int>(bits), isSigned, narrow, &lo, &hi);
  return {static_cast<int64_t>(lo), static_cast<int64_t>(hi)};
}

/// A frozen non-uniform quantizer's outputs are integers with no scale:
/// 0..n for n ramps on a half range, -1 / 0 / 1 for the ternary form. So
/// they lie on the grid {scale 1, zero point 0, [0, n] or [-1, 1]}, which
/// re-quantizes them exactly.
static FailureOr<FrozenGrid> nonUniformOutputGrid(FakeQuantOp op,
                                                  std::string &why) {
  std::optional<SmallVector<float>> slopes = readF32Constant(op.getClip());
  if (!slopes) {
    why = "its slopes are not constants (train, then run "
          "qnn-wrap-mode{mode=test})";
    return failure();
  }
  FrozenGrid g;
  g.isSigned = !op.getHalfRange();
  g.qmin = g.isSigned ? -1 : 0;
  g.qmax = g.isSigned ? 1 : (int64_t)slopes->size();
  if (g.qmax > 255) {
    why = "more than 255 ramps do not fit u8 storage";
    return failure();
  }
  g.scales = {1.0f};
  g.zeroPoints = {0.0f};
  return g;
}

FailureOr<FrozenGrid> FrozenGrid::of(FakeQuantOp op, std::string &why,
                                     bool ofOutput) {
  QuantMethod m = op.getMethod();
  if (m == QuantMethod::NonUniform && ofOutput)
    return nonUniformOutputGrid(op, why);
  if (m != QuantMethod::Uniform && m != QuantMethod::Lsq) {
    why = stringifyQuantMethod(m).str() + " has no integer lowering yet";
    return failure();
  }
  if (op.getBits() > 8) {
    why = "more than 8 bits needs wider storage than i8";
    return failure();
  }
  if (op.getGroups()) {
    why = "grouped quantizers (quant_group) have no integer type";
    return failure();
  }
  if (op.getAdaptive() != Adaptive::None && !ofOutput) {
    why = "adaptive normalization changes the weights before quantizing";
    return failure();
  }
  FrozenGrid g;
  g.isSigned = !op.getHalfRange();
  std::tie(g.qmin, g.qmax) =
      integerRange(op.getBits(), g.isSigned, op.getNarrow());
  g.axis = op.getAxis();
  std::optional<SmallVector<float>> s = readF32Constant(op.getScale());
  if (!s) {
    why = "its scale is not a constant (calibrate or train, then run "
          "qnn-wrap-mode{mode=test})";
    return failure();
  }
  g.scales = std::move(*s);
  if (op.getZeroPoint()) {
    std::optional<SmallVector<float>> z = readF32Constant(op.getZeroPoint());
    if (!z) {
      why = "its zero point is not a constant";
      return failure();
    }
    g.zeroPoints = std::move(*z);
    for (float v : g.zeroPoints)
      if (v != std::nearbyint(v)) {
        why = "its zero point " + std::to_string(v) + " is not an integer";
        return failure();
      }
  } else {
    g.zeroPoints.assign(g.scales.size(), 0.0f);
  }
  return g;
}

FailureOr<FrozenGrid> FrozenGrid::of(QuantizedType type, std::string &why) {
  FrozenGrid g;
  g.storageBits = type.getStorageTypeIntegralWidth();
  g.isSigned = type.isSigned();
  if (g.storageBits != 8 && !(g.storageBits == 32 && g.isSigned)) {
    llvm::raw_string_ostream os(why);
    os << "storage type '" << type.getStorageType()
       << "' is not supported (i8, u8, i32)";
    return failure();
  }
  g.qmin = type.getStorageTypeMin();
  g.qmax = type.getStorageTypeMax();
  if (auto t = dyn_cast<UniformQuantizedType>(type)) {
    g.scales = {(float)t.getScale()};
    g.zeroPoints = {(float)t.getZeroPoint()};
    return g;
  }
  auto a = dyn_cast<UniformQuantizedPerAxisType>(type);
  if (!a) {
    why = "only uniform quantized types are supported";
    return failure();
  }
  for (double s : a.getScales())
    g.scales.push_back(s);
  for (int64_t z : a.getZeroPoints())
    g.zeroPoints.push_back(z);
  g.axis = a.getQuantizedDimension();
  return g;
}

QuantizedType FrozenGrid::toQuantizedType(MLIRContext *ctx) const {
  Type storage = IntegerType::get(ctx, 8);
  Type f32 = Float32Type::get(ctx);
  unsigned flags = isSigned ? QuantizationFlags::Signed : 0;
  if (axis) {
    SmallVector<double> s(scales.begin(), scales.end());
    SmallVector<int64_t> zps;
    for (float z : zeroPoints)
      zps.push_back((int64_t)z);
    return UniformQuantizedPerAxisType::get(flags, storage, f32, s, zps, *axis,
                                            qmin, qmax);
  }
  return UniformQuantizedType::get(flags, storage, f32, scales[0],
                                   (int64_t)zeroPoints[0], qmin, qmax);
}
