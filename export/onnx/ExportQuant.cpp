//===- ExportQuant.cpp - fake_quant, quantize, dequantize to ONNX QDQ -----===//
//
// `qnn.fake_quant uniform` is x̂ = (clamp(round(x/s) + z, qmin, qmax) - z)·s
// (docs/semantics.md), which is QuantizeLinear + DequantizeLinear when z is
// an integer and [qmin, qmax] is the int8 / uint8 range. The zero point is
// rounded (half to even) to the 8-bit storage type. A narrower range
// (`narrow`, fewer than 8 bits) is made exact by a Clip after the
// DequantizeLinear (per tensor), or, for per-channel constants, by
// quantizing the weight at export time to an 8-bit initializer read by
// DequantizeLinear alone — ONNX's Clip takes scalar bounds only.
//
//===----------------------------------------------------------------------===//

#include "export/onnx/ExportContext.h"

#include "dialect/QnnOps.h"
#include "runtime/QuantMath.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace qopt::qnn;

namespace qopt::onnx_export {
namespace {

/// Scale and 8-bit zero point initializers of a QDQ pair.
struct QdqParams {
  std::string scale, zeroPoint;
  std::optional<int64_t> axis;
};

/// scale / zero point initializers from per-tensor or per-axis values; a
/// per-tensor pair is a scalar.
QdqParams addParams(ExportContext &ctx, StringRef hint, ArrayRef<float> scales,
                    ArrayRef<int64_t> zeroPoints, ElemType storage,
                    std::optional<int64_t> axis) {
  QdqParams p;
  p.axis = axis;
  std::vector<int64_t> dims;
  if (axis)
    dims.push_back((int64_t)scales.size());
  p.scale = ctx.addFloats((hint + "_scale").str(), dims, scales);
  if (storage == ElemType::Int32) {
    std::vector<int32_t> z(zeroPoints.begin(), zeroPoints.end());
    p.zeroPoint = ctx.addInitializer((hint + "_zero_point").str(), storage,
                                     dims, z.data(), z.size() * 4);
  } else {
    std::vector<int8_t> z;
    for (int64_t v : zeroPoints)
      z.push_back(storage == ElemType::UInt8 ? (int8_t)(uint8_t)v
                                             : (int8_t)v);
    p.zeroPoint = ctx.addInitializer((hint + "_zero_point").str(), storage,
                                     dims, z.data(), z.size());
  }
  return p;
}

OnnxNode &addQdqNode(ExportContext &ctx, StringRef opType,
                     const std::string &input, const std::string &output,
                     const QdqParams &p, Operation *at) {
  OnnxNode &n = ctx.addNode(opType, {input, p.scale, p.zeroPoint}, {output},
                            at);
  if (p.axis)
    n.attributes["axis"] = intAttr(*p.axis);
  return n;
}

/// Expands `values` (one per parameter set) to one per channel when the op
/// has `groups` contiguous channel groups.
std::vector<float> perChannel(ArrayRef<float> values, int64_t channels) {
  std::vector<float> out;
  int64_t per = channels / (int64_t)values.size();
  for (float v : values)
    out.insert(out.end(), per, v);
  return out;
}

LogicalResult exportFakeQuant(ExportContext &ctx, FakeQuantOp op) {
  // LSQ, round(clamp(x/s, -Qn, Qp))·s, is the uniform quantizer with zero
  // point 0: clamping to integer bounds commutes with rounding.
  if (op.getMethod() != QuantMethod::Uniform &&
      op.getMethod() != QuantMethod::Lsq)
    return op.emitError("fake_quant method '")
           << stringifyQuantMethod(op.getMethod())
           << "' has no ONNX QDQ form (only 'uniform' and 'lsq')";
  int64_t bits = op.getBits();
  if (bits > 8)
    return op.emitError("fake_quant with ")
           << bits << " bits has no opset-13 QDQ form (int8 / uint8 only)";
  bool isSigned = !op.getHalfRange();
  float qmin, qmax;
  qrt::qmath::intRange(bits, isSigned, op.getNarrow(), &qmin, &qmax);
  ElemType storage = isSigned ? ElemType::Int8 : ElemType::UInt8;
  float smin = isSigned ? -128.f : 0.f, smax = isSigned ? 127.f : 255.f;

  std::optional<std::vector<float>> scales =
      ExportContext::floatValues(op.getScale());
  std::optional<std::vector<float>> zps =
      op.getZeroPoint() ? ExportContext::floatValues(op.getZeroPoint())
                        : std::optional<std::vector<float>>(
                              std::vector<float>(scales ? scales->size() : 1,
                                                 0.f));
  if (!scales || !zps)
    return op.emitError("fake_quant scale and zero_point must be "
                        "constants (calibrate or train first)");
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  std::optional<int64_t> axis;
  if (op.getAxis()) {
    axis = (int64_t)*op.getAxis();
    int64_t channels = inType.getDimSize(*axis);
    if (ShapedType::isDynamic(channels))
      return op.emitError("per-channel fake_quant needs a static "
                          "axis dimension");
    if ((int64_t)scales->size() != channels) {
      *scales = perChannel(*scales, channels);
      *zps = perChannel(*zps, channels);
    }
  }
  std::vector<int64_t> zeroPoints;
  for (float z : *zps) {
    float r = qrt::qmath::roundHalfEven(z);
    if (r < smin || r > smax)
      return op.emitError("zero point ")
             << z << " does not fit the " << (isSigned ? "int8" : "uint8")
             << " storage of QuantizeLinear";
    zeroPoints.push_back((int64_t)r);
  }

  FailureOr<std::string> in = ctx.name(op.getInput());
  if (failed(in))
    return failure();
  std::string out = ctx.define(op.getResult());
  std::string hint = out;
  QdqParams p = addParams(ctx, hint, *scales, zeroPoints, storage, axis);
  bool restricted = qmin != smin || qmax != smax;

  if (restricted && axis) {
    // Per channel: ONNX's Clip cannot hold per-channel bounds, so a constant
    // is quantized here (as qrt does) and only dequantized in the graph.
    std::optional<std::vector<float>> w =
        ExportContext::floatValues(op.getInput());
    if (!w)
      return op.emitError("a per-channel fake_quant with a range "
                          "narrower than 8 bits is exported only on "
                          "constants");
    ArrayRef<int64_t> shape = inType.getShape();
    int64_t inner = 1;
    for (int64_t d = *axis + 1; d < (int64_t)shape.size(); ++d)
      inner *= shape[d];
    int64_t channels = shape[*axis];
    std::vector<int8_t> q(w->size());
    for (size_t i = 0; i < w->size(); ++i) {
      int64_t c = (i / inner) % channels;
      float v = qrt::qmath::quantizeAffine((*w)[i], (*scales)[c],
                                    (float)zeroPoints[c], qmin, qmax);
      q[i] = isSigned ? (int8_t)v : (int8_t)(uint8_t)v;
    }
    std::string qname = ctx.addInitializer(
        hint + "_quantized", storage, std::vector<int64_t>(shape), q.data(),
        q.size());
    addQdqNode(ctx, "DequantizeLinear", qname, out, p, op);
    return success();
  }

  std::string q = ctx.fresh(hint + "_q");
  addQdqNode(ctx, "QuantizeLinear", *in, q, p, op);
  if (!restricted) {
    addQdqNode(ctx, "DequantizeLinear", q, out, p, op);
    return success();
  }
  // DequantizeLinear computes (q - z) * s in float: the same float bounds.
  std::string dq = ctx.fresh(hint + "_dq");
  addQdqNode(ctx, "DequantizeLinear", q, dq, p, op);
  float s = (*scales)[0], z = (float)zeroPoints[0];
  std::string lo = ctx.addFloats(hint + "_min", {}, {(qmin - z) * s});
  std::string hi = ctx.addFloats(hint + "_max", {}, {(qmax - z) * s});
  ctx.addNode("Clip", {dq, lo, hi}, {out}, op);
  return success();
}

/// The scales / zero points of a !quant.uniform type as QDQ initializers.
FailureOr<QdqParams> typeParams(ExportContext &ctx, Operation *op, Type type,
                                StringRef hint, bool forQuantize) {
  auto q = dyn_cast<quant::QuantizedType>(getElementTypeOrSelf(type));
  if (!q)
    return op->emitError("expected a quantized tensor type");
  unsigned width = q.getStorageTypeIntegralWidth();
  ElemType storage;
  if (width == 8)
    storage = q.isSigned() ? ElemType::Int8 : ElemType::UInt8;
  else if (width == 32 && q.isSigned() && !forQuantize)
    storage = ElemType::Int32;
  else
    return op->emitError("storage type ")
           << q.getStorageType() << " has no opset-13 "
           << (forQuantize ? "QuantizeLinear" : "DequantizeLinear") << " form";
  int64_t full = width == 8 ? (q.isSigned() ? -128 : 0) : INT32_MIN;
  int64_t fullMax = width == 8 ? (q.isSigned() ? 127 : 255) : INT32_MAX;
  if (forQuantize &&
      (q.getStorageTypeMin() != full || q.getStorageTypeMax() != fullMax))
    return op->emitError("a narrowed storage range [")
           << q.getStorageTypeMin() << ", " << q.getStorageTypeMax()
           << "] has no QuantizeLinear form";
  if (auto u = dyn_cast<quant::UniformQuantizedType>(q)) {
    float scale = (float)u.getScale();
    int64_t zp = u.getZeroPoint();
    return addParams(ctx, hint, ArrayRef<float>(scale), ArrayRef<int64_t>(zp),
                     storage, std::nullopt);
  }
  auto a = cast<quant::UniformQuantizedPerAxisType>(q);
  std::vector<float> scales(a.getScales().begin(), a.getScales().end());
  return addParams(ctx, hint, scales, a.getZeroPoints(), storage,
                   a.getQuantizedDimension());
}

template <typename OpT>
LogicalResult exportQdq(ExportContext &ctx, OpT op, StringRef opType,
                        Type quantType, bool forQuantize) {
  FailureOr<std::string> in = ctx.name(op.getInput());
  if (failed(in))
    return failure();
  std::string out = ctx.define(op.getResult());
  FailureOr<QdqParams> p = typeParams(ctx, op, quantType, out, forQuantize);
  if (failed(p))
    return failure();
  addQdqNode(ctx, opType, *in, out, *p, op);
  return success();
}

} // namespace

LogicalResult exportQuantOp(ExportContext &ctx, Operation *op, bool &handled) {
  handled = true;
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](FakeQuantOp o) { return exportFakeQuant(ctx, o); })
      .Case([&](QuantizeOp o) {
        return exportQdq(ctx, o, "QuantizeLinear", o.getResult().getType(),
                         true);
      })
      .Case([&](DequantizeOp o) {
        return exportQdq(ctx, o, "DequantizeLinear", o.getInput().getType(),
                         false);
      })
      .Default([&](Operation *) {
        handled = false;
        return success();
      });
}

} // namespace qopt::onnx_export
