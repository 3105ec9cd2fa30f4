//===- Reduce.cpp - ReduceMean, LayerNormalization ------------------------===//

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

/// LayerNormalization (opset 17): normalized over [axis, rank), the
/// optional Mean / InvStdDev outputs (training) refused when used.
static LogicalResult importLayerNorm(Importer &im) {
  FailureOr<Value> x = im.floatInput(0), scale = im.floatInput(1);
  if (failed(x) || failed(scale))
    return failure();
  Value bias;
  if (im.hasInput(2)) {
    FailureOr<Value> b = im.floatInput(2);
    if (failed(b))
      return failure();
    bias = *b;
  }
  if (im.getInt("stash_type", 1) != 1)
    return im.error() << "stash_type other than 1 (float) is not supported";
  int64_t axis = im.getInt("axis", -1);
  if (failed(normalizeAxis(im, axis, shapeOf(*x).size())))
    return failure();
  const std::vector<std::string> &outs = im.node().outputs;
  if (llvm::any_of(llvm::drop_begin(outs),
                   [](const std::string &o) { return !o.empty(); }))
    return im.error() << "the Mean and InvStdDev outputs are not supported";
  return im.bindResult(frontend::buildLayerNorm(im, *x, *scale, bias, axis,
                                                im.getFloat("epsilon", 1e-5)));
}

void registerReduceOps(OpTable &table) {
  table["ReduceMean"] = importReduceMean;
  table["LayerNormalization"] = importLayerNorm;
}

} // namespace qopt::onnx_import
