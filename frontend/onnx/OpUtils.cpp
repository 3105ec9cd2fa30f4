//===- OpUtils.cpp - helpers shared by the op-family importers ------------===//

#include "frontend/onnx/OpUtils.h"

using namespace mlir;

namespace qopt::onnx_import {

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
