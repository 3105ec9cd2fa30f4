//===- QnnIntegerOps.cpp - integer deployment op verifiers ----------------===//

#include "dialect/QnnOps.h"
#include "dialect/VerifyUtils.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::quant;
using namespace qopt::qnn;

static RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Checks an operand's quantized element type: f32 expressed type, and for
/// per-axis types an in-range axis with one scale per slice. `perAxis` says
/// whether the operand may be per axis at all, and along which axis
/// (kAnyAxis: any).
static constexpr int32_t kAnyAxis = -1;

static LogicalResult verifyQuantizedTensor(Operation *op, Value v,
                                           StringRef what,
                                           std::optional<int32_t> perAxis) {
  auto type = tensorType(v);
  auto qtype = cast<QuantizedType>(type.getElementType());
  if (!qtype.getExpressedType().isF32())
    return op->emitOpError(what) << " must express f32 values, got "
                                 << qtype.getExpressedType();
  auto axisType = dyn_cast<UniformQuantizedPerAxisType>(qtype);
  if (!axisType)
    return success();
  if (!perAxis)
    return op->emitOpError(what)
           << " must be quantized per tensor, got a per-axis type " << qtype;
  int32_t axis = axisType.getQuantizedDimension();
  if (*perAxis != kAnyAxis && axis != *perAxis)
    return op->emitOpError(what) << " may only be quantized along axis "
                                 << *perAxis << ", got axis " << axis;
  if (axis >= type.getRank())
    return op->emitOpError(what) << " is quantized along axis " << axis
                                 << ", beyond its rank " << type.getRank();
  int64_t dim = type.getDimSize(axis);
  int64_t n = axisType.getScales().size();
  if (!ShapedType::isDynamic(dim) && dim != n)
    return op->emitOpError(what)
           << " has " << n << " scales but " << dim
           << " elements along its quantized axis " << axis;
  return success();
}

/// Symmetric weights: oneDNN's s8 weights and the requantization math assume
/// a zero point of 0 and signed storage.
static LogicalResult verifyWeight(Operation *op, Value w) {
  if (failed(verifyQuantizedTensor(op, w, "weight", /*perAxis=*/0)))
    return failure();
  auto qtype = cast<QuantizedType>(tensorType(w).getElementType());
  if (!qtype.isSigned())
    return op->emitOpError("weight storage must be signed, got ") << qtype;
  bool zero = true;
  if (auto t = dyn_cast<UniformQuantizedType>(qtype))
    zero = t.getZeroPoint() == 0;
  else
    zero = llvm::all_of(cast<UniformQuantizedPerAxisType>(qtype).getZeroPoints(),
                        [](int64_t z) { return z == 0; });
  if (!zero)
    return op->emitOpError("weight must be symmetric (zero point 0), got ")
           << qtype;
  return success();
}

static LogicalResult verifyBias(Operation *op, Value bias, int64_t channels) {
  if (!bias)
    return success();
  ArrayRef<int64_t> b = tensorType(bias).getShape();
  if (b.size() != 1 ||
      (!ShapedType::isDynamic(channels) && b[0] != channels))
    return op->emitOpError("bias must be a vector of ")
           << channels << " values, got " << bias.getType();
  return success();
}

static LogicalResult verifySameShape(Operation *op, Value a, Value b,
                                     StringRef what) {
  if (failed(verifyCompatibleShape(tensorType(a).getShape(),
                                   tensorType(b).getShape())))
    return op->emitOpError(what) << " shapes differ: " << a.getType()
                                 << " vs " << b.getType();
  return success();
}

/// An i32 accumulator result: i32 storage, per tensor or per channel along
/// axis 1 (scale s_in * s_w[c]), read back by a dequantize.
static bool isAccumulator(Value v) {
  auto q = dyn_cast<QuantizedType>(tensorType(v).getElementType());
  return q && q.getStorageTypeIntegralWidth() == 32 && q.isSigned();
}

static LogicalResult verifyLayerResult(Operation *op, Value result) {
  if (isAccumulator(result))
    return verifyQuantizedTensor(op, result, "accumulator result", /*axis=*/1);
  return verifyQuantizedTensor(op, result, "result", std::nullopt);
}

LogicalResult QuantizeOp::verify() {
  if (failed(verifyQuantizedTensor(*this, getOutput(), "result", kAnyAxis)))
    return failure();
  return verifySameShape(*this, getInput(), getOutput(), "input and result");
}

LogicalResult DequantizeOp::verify() {
  if (failed(verifyQuantizedTensor(*this, getInput(), "input", kAnyAxis)))
    return failure();
  return verifySameShape(*this, getInput(), getOutput(), "input and result");
}

LogicalResult RequantizeOp::verify() {
  if (failed(verifyQuantizedTensor(*this, getInput(), "input", std::nullopt)) ||
      failed(verifyQuantizedTensor(*this, getOutput(), "result", std::nullopt)))
    return failure();
  return verifySameShape(*this, getInput(), getOutput(), "input and result");
}

LogicalResult QConv2dOp::verify() {
  if (failed(verifyQuantizedTensor(*this, getInput(), "input", std::nullopt)) ||
      failed(verifyWeight(*this, getWeight())) ||
      failed(verifyLayerResult(*this, getOutput())))
    return failure();
  if (isAccumulator(getOutput()) && getBias() &&
      !tensorType(getBias()).getElementType().isInteger(32))
    return emitOpError("an f32 bias needs a requantized result (it is added "
                       "in the requantization epilogue); an i32 accumulator "
                       "takes an i32 bias");
  if (isAccumulator(getOutput()) && (getRelu() || getResidual()))
    return emitOpError("an i32 accumulator result cannot fuse relu or a "
                       "residual; those need a requantized result");
  ArrayRef<int64_t> in = tensorType(getInput()).getShape();
  ArrayRef<int64_t> w = tensorType(getWeight()).getShape();
  if (w.size() != 4)
    return emitOpError("expects an OIHW weight of rank 4, got rank ")
           << w.size();
  int64_t groups = getGroups();
  if (groups < 1)
    return emitOpError("groups must be positive, got ") << groups;
  int64_t outH, outW;
  if (failed(inferWindowOutput(getLoc(), getOperationName(), in,
                               {w.slice(2, 2), getStrides(), getPads(),
                                getDilations()},
                               outH, outW)))
    return failure();
  if (!ShapedType::isDynamic(in[1]) && in[1] % groups != 0)
    return emitOpError("input channels (") << in[1]
           << ") are not divisible by groups (" << groups << ")";
  if (!ShapedType::isDynamic(in[1]) && in[1] / groups != w[1])
    return emitOpError("weight expects ")
           << w[1] << " input channels per group, but the input has "
           << in[1] << " channels in " << groups << " group(s)";
  if (failed(verifyBias(*this, getBias(), w[0])))
    return failure();
  SmallVector<int64_t> expected = {in[0], w[0], outH, outW};
  if (failed(verifyCompatibleShape(expected,
                                   tensorType(getOutput()).getShape())))
    return emitOpError("result shape must be compatible with [")
           << in[0] << ", " << w[0] << ", " << outH << ", " << outW
           << "], got " << getOutput().getType();
  if (Value r = getResidual()) {
    if (failed(verifyQuantizedTensor(*this, r, "residual", std::nullopt)))
      return failure();
    return verifySameShape(*this, r, getOutput(), "residual and result");
  }
  return success();
}

LogicalResult QLinearOp::verify() {
  if (failed(verifyQuantizedTensor(*this, getInput(), "input", std::nullopt)) ||
      failed(verifyWeight(*this, getWeight())))
    return failure();
  auto outType = tensorType(getOutput());
  if (isa<QuantizedType>(outType.getElementType()) &&
      failed(verifyLayerResult(*this, getOutput())))
    return failure();
  if (getRelu() && (!isa<QuantizedType>(outType.getElementType()) ||
                    isAccumulator(getOutput())))
    return emitOpError("relu needs a quantized result to clamp at its zero "
                       "point; an i32 result is the raw accumulator");
  ArrayRef<int64_t> in = tensorType(getInput()).getShape();
  ArrayRef<int64_t> w = tensorType(getWeight()).getShape();
  if (w.size() != 2)
    return emitOpError("expects an N x K weight of rank 2, got rank ")
           << w.size();
  if (!ShapedType::isDynamic(in.back()) && in.back() != w[1])
    return emitOpError("input has ") << in.back()
                                     << " features but the weight expects "
                                     << w[1];
  if (failed(verifyBias(*this, getBias(), w[0])))
    return failure();
  SmallVector<int64_t> expected(in);
  expected.back() = w[0];
  if (failed(verifyCompatibleShape(expected, outType.getShape())))
    return emitOpError("result shape must be compatible with the input's "
                       "with the last dimension ")
           << w[0] << ", got " << outType;
  return success();
}

LogicalResult QAddOp::verify() {
  if (failed(verifyQuantizedTensor(*this, getLhs(), "lhs", std::nullopt)) ||
      failed(verifyQuantizedTensor(*this, getRhs(), "rhs", std::nullopt)) ||
      failed(verifyQuantizedTensor(*this, getOutput(), "result", std::nullopt)))
    return failure();
  if (failed(verifySameShape(*this, getLhs(), getRhs(), "operand")))
    return failure();
  return verifySameShape(*this, getLhs(), getOutput(), "operand and result");
}
