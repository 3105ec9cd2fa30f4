//===- Constants.cpp - import-time tensors and their materialization ------===//

#include "frontend/onnx/ImportContext.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/APFloat.h"

#include <algorithm>
#include <cstring>

using namespace mlir;

namespace qopt::onnx_import {

template <typename T> static T load(const char *p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

ConstTensor ConstTensor::fromOnnx(const OnnxTensor &t) {
  ConstTensor c;
  c.type = t.type;
  c.dims = t.dims;
  int64_t n = t.numElements();
  const char *p = t.data.data();
  if (c.isFloat())
    c.floats.resize(n);
  else
    c.ints.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    switch (t.type) {
    case ElemType::Float:
      c.floats[i] = load<float>(p + 4 * i);
      break;
    case ElemType::Double:
      c.floats[i] = (float)load<double>(p + 8 * i);
      break;
    case ElemType::Float16:
      c.floats[i] = llvm::APFloat(llvm::APFloat::IEEEhalf(),
                                  llvm::APInt(16, load<uint16_t>(p + 2 * i)))
                        .convertToFloat();
      break;
    case ElemType::BFloat16: {
      uint32_t bits = uint32_t(load<uint16_t>(p + 2 * i)) << 16;
      c.floats[i] = load<float>(reinterpret_cast<const char *>(&bits));
      break;
    }
    case ElemType::Int8:
      c.ints[i] = load<int8_t>(p + i);
      break;
    case ElemType::UInt8:
    case ElemType::Bool:
      c.ints[i] = load<uint8_t>(p + i);
      break;
    case ElemType::Int16:
      c.ints[i] = load<int16_t>(p + 2 * i);
      break;
    case ElemType::UInt16:
      c.ints[i] = load<uint16_t>(p + 2 * i);
      break;
    case ElemType::Int32:
      c.ints[i] = load<int32_t>(p + 4 * i);
      break;
    case ElemType::UInt32:
      c.ints[i] = load<uint32_t>(p + 4 * i);
      break;
    case ElemType::Int64:
    case ElemType::UInt64:
      // The range of run-time sizes (kUnknown, the symbols) is taken from
      // the bottom of int64; a constant there is torch.onnx's "minus
      // infinity" (a reversed Slice's end, -2^63 + 1) and stays a huge
      // negative number.
      c.ints[i] = std::max(load<int64_t>(p + 8 * i), kUnknown + kMaxSymbols + 1);
      break;
    default:
      break;
    }
  }
  return c;
}

ConstTensor ConstTensor::ofInts(std::vector<int64_t> dims,
                                std::vector<int64_t> values, ElemType type) {
  ConstTensor c;
  c.type = type;
  c.dims = std::move(dims);
  c.ints = std::move(values);
  return c;
}

ConstTensor ConstTensor::ofFloats(std::vector<int64_t> dims,
                                  std::vector<float> values) {
  ConstTensor c;
  c.type = ElemType::Float;
  c.dims = std::move(dims);
  c.floats = std::move(values);
  return c;
}

bool ConstTensor::isFloat() const {
  return type == ElemType::Float || type == ElemType::Double ||
         type == ElemType::Float16 || type == ElemType::BFloat16;
}

int64_t ConstTensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

bool ConstTensor::fullyKnown() const {
  return isFloat() || llvm::none_of(ints, isUnknown);
}

double ConstTensor::exact(int64_t i) const {
  return isFloat() ? widen(floats[i]) : (double)ints[i];
}

ConstTensor ConstTensor::castTo(ElemType to) const {
  ConstTensor c;
  c.type = to;
  c.dims = dims;
  int64_t n = numElements();
  if (c.isFloat()) {
    c.floats.resize(n);
    for (int64_t i = 0; i < n; ++i)
      c.floats[i] = (float)at(i);
    return c;
  }
  c.ints.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    if (!isFloat() && isUnknown(ints[i]))
      c.ints[i] = ints[i];
    else if (to == ElemType::Bool)
      c.ints[i] = at(i) != 0;
    else
      c.ints[i] = isFloat() ? (int64_t)floats[i] : ints[i];
  }
  return c;
}

void ConstTensor::append(const ConstTensor &from, int64_t i) {
  if (isFloat())
    floats.push_back(from.floats[i]);
  else
    ints.push_back(from.ints[i]);
}

Value Importer::materialize(const ConstTensor &value, StringRef name) {
  if (value.isFloat())
    return constantF32(value.dims, value.floats, name);
  unsigned width = value.type == ElemType::Bool
                       ? 1
                       : std::max(8u, elemTypeSize(value.type) * 8);
  auto type = RankedTensorType::get(value.dims, IntegerType::get(ctx, width));
  SmallVector<APInt> ints;
  for (int64_t v : value.ints)
    ints.push_back(APInt(width, (uint64_t)v, /*isSigned=*/true,
                         /*implicitTrunc=*/true));
  return arith::ConstantOp::create(b, currentLoc,
                                   DenseElementsAttr::get(type, ints));
}

} // namespace qopt::onnx_import
