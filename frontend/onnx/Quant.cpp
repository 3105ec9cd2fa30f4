//===- Quant.cpp - QuantizeLinear and DequantizeLinear --------------------===//
//
// Scale and zero point go into a !quant.uniform element type, so they must be
// constants. Quantized constants (QDQ weights) become an integer
// arith.constant, a quant.scast to the quantized type, and qnn.dequantize.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/OpUtils.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"

using namespace mlir;

namespace qopt::onnx_import {

/// The quantized element type described by inputs 1 (scale) and 2 (zero
/// point) for a tensor of `shape`; `storage` is the zero point's ONNX type.
static FailureOr<quant::QuantizedType>
quantizedType(Importer &im, ArrayRef<int64_t> shape, ElemType storage) {
  const ConstTensor *scale = im.requireConstant(1, "scale");
  if (!scale)
    return failure();
  const ConstTensor *zp = nullptr;
  if (im.hasInput(2) && !(zp = im.requireConstant(2, "zero point")))
    return failure();
  if (zp)
    storage = zp->type;
  int64_t lo, hi;
  unsigned width, flags = 0;
  switch (storage) {
  case ElemType::UInt8:
    width = 8, lo = 0, hi = 255;
    break;
  case ElemType::Int8:
    width = 8, lo = -128, hi = 127, flags = quant::QuantizationFlags::Signed;
    break;
  case ElemType::Int32:
    width = 32, lo = INT32_MIN, hi = INT32_MAX;
    flags = quant::QuantizationFlags::Signed;
    break;
  default:
    return im.error() << "quantized type " << elemTypeName(storage)
                      << " is not supported (uint8, int8, int32)";
  }
  MLIRContext *ctx = im.context();
  Type storageType = IntegerType::get(ctx, width);
  Type f32 = Float32Type::get(ctx);
  int64_t n = scale->numElements();
  if (zp && zp->numElements() != n)
    return im.error() << "scale and zero point differ in size";
  auto zeroAt = [&](int64_t i) { return zp ? zp->ints[i] : 0; };
  if (scale->dims.empty() || n == 1) {
    if (n != 1)
      return im.error() << "scale must have one element per tensor";
    return cast<quant::QuantizedType>(quant::UniformQuantizedType::get(
        flags, storageType, f32, scale->exact(0), zeroAt(0), lo, hi));
  }
  int64_t axis = im.getInt("axis", 1);
  if (scale->dims.size() != 1 || failed(normalizeAxis(im, axis, shape.size())))
    return im.error() << "a per-axis scale must be a vector";
  if (!ShapedType::isDynamic(shape[axis]) && shape[axis] != n)
    return im.error() << "per-axis scale has " << n << " values but axis "
                      << axis << " has size " << shape[axis];
  SmallVector<double> scales;
  SmallVector<int64_t> zeros;
  for (int64_t i = 0; i < n; ++i) {
    scales.push_back(scale->exact(i));
    zeros.push_back(zeroAt(i));
  }
  return cast<quant::QuantizedType>(quant::UniformQuantizedPerAxisType::get(
      flags, storageType, f32, scales, zeros, axis, lo, hi));
}

static LogicalResult importQuantize(Importer &im) {
  FailureOr<Value> x = im.floatInput(0);
  if (failed(x))
    return failure();
  FailureOr<quant::QuantizedType> qtype =
      quantizedType(im, shapeOf(*x), ElemType::UInt8);
  if (failed(qtype))
    return failure();
  if (qtype->getStorageTypeIntegralWidth() != 8)
    return im.error() << "QuantizeLinear must produce 8-bit integers";
  auto type = RankedTensorType::get(shapeOf(*x), *qtype);
  im.setResult(0, qnn::QuantizeOp::create(im.builder(), im.loc(), type, *x));
  return success();
}

static LogicalResult importDequantize(Importer &im) {
  FailureOr<Value> x = im.anyInput(0);
  if (failed(x))
    return failure();
  auto xType = cast<RankedTensorType>(x->getType());
  ElemType storage = ElemType::UInt8;
  if (const ConstTensor *c = im.constant(0))
    storage = c->type;
  else if (auto i = dyn_cast<IntegerType>(xType.getElementType()))
    storage = i.getWidth() == 32 ? ElemType::Int32 : ElemType::UInt8;
  FailureOr<quant::QuantizedType> qtype =
      quantizedType(im, xType.getShape(), storage);
  if (failed(qtype))
    return failure();
  auto qTensor = RankedTensorType::get(xType.getShape(), *qtype);
  Value q = *x;
  if (isa<IntegerType>(xType.getElementType())) {
    // Raw integers (constants, integer graph inputs): reinterpret as the
    // quantized type.
    q = quant::StorageCastOp::create(im.builder(), im.loc(), qTensor, *x);
  } else if (xType != qTensor) {
    return im.error() << "input is " << xType
                      << " but scale and zero point describe " << qTensor;
  }
  im.setResult(0, qnn::DequantizeOp::create(im.builder(), im.loc(),
                                            im.f32Type(xType.getShape()), q));
  return success();
}

void registerQuantOps(OpTable &table) {
  table["QuantizeLinear"] = importQuantize;
  table["DequantizeLinear"] = importDequantize;
}

} // namespace qopt::onnx_import
