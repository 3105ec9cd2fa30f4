//===- Reduce.cpp - ReduceMean --------------------------------------------===//

#include "frontend/onnx/OpUtils.h"

using namespace mlir;

namespace qopt::onnx_import {

/// ReduceMean: `axes` is an attribute before opset 18 and input 1 from it;
/// no axes means all of them, unless opset 18's `noop_with_empty_axes`
/// makes it the identity. The mean over H and W of an NCHW tensor (how
/// MobileNet v3, EfficientNet, RegNet and ShuffleNet pool) becomes
/// qnn.global_avg_pool.
static LogicalResult importReduceMean(Importer &im) {
  FailureOr<Value> x = im.floatInput(0);
  if (failed(x))
    return failure();
  int64_t rank = shapeOf(*x).size();
  std::vector<int64_t> axes;
  if (im.opset() < 18) {
    if (std::optional<std::vector<int64_t>> a = im.getInts("axes"))
      axes = *a;
  } else if (im.hasInput(1)) {
    const ConstTensor *c = im.requireInts(1, "axes");
    if (!c)
      return failure();
    axes = c->ints;
  }
  if (axes.empty()) {
    if (im.opset() >= 18 && im.getInt("noop_with_empty_axes", 0) != 0)
      return im.bindResult(*x);
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  for (int64_t &a : axes)
    if (failed(normalizeAxis(im, a, rank)))
      return failure();
  int64_t keepDims = im.getInt("keepdims", 1);
  if (keepDims != 0 && keepDims != 1)
    return im.error() << "keepdims must be 0 or 1, got " << keepDims;
  return im.bindResult(frontend::buildMean(im, *x, axes, keepDims != 0));
}

void registerReduceOps(OpTable &table) {
  table["ReduceMean"] = importReduceMean;
}

} // namespace qopt::onnx_import
