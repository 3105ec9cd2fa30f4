//===- OpUtils.cpp - helpers shared by the op-family importers ------------===//

#include "frontend/onnx/OpUtils.h"

using namespace mlir;

namespace qopt::onnx_import {

LogicalResult normalizeAxis(Importer &im, int64_t &axis, int64_t rank,
                            StringRef what, bool allowEnd) {
  int64_t hi = allowEnd ? rank : rank - 1;
  if (axis < -rank || axis > hi)
    return im.error() << what << " " << axis << " is out of range for rank "
                      << rank;
  if (axis < 0)
    axis += rank;
  return success();
}

int64_t product(ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (ShapedType::isDynamic(d))
      return ShapedType::kDynamic;
    n *= d;
  }
  return n;
}

SmallVector<int64_t> toMlirShape(ArrayRef<int64_t> dims) {
  SmallVector<int64_t> shape;
  for (int64_t d : dims)
    shape.push_back(d < 0 ? ShapedType::kDynamic : d);
  return shape;
}

FailureOr<Value> reshapeTo(Importer &im, Value input, ArrayRef<int64_t> shape) {
  if (llvm::count_if(shape, ShapedType::isDynamic) > 1)
    return im.error() << "the result shape has more than one dynamic "
                         "dimension, which qnn.reshape cannot express";
  if (shapeOf(input) == shape)
    return input;
  return qnn::ReshapeOp::create(im.builder(), im.loc(), im.f32Type(shape),
                                input)
      .getResult();
}

} // namespace qopt::onnx_import
