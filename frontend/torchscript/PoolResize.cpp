//===- PoolResize.cpp - pooling, spatial mean, upsampling -----------------===//

#include "frontend/torchscript/OpUtils.h"

#include <cmath>

using namespace mlir;

namespace qopt::torch_import {

static FailureOr<Value> nchwInput(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  if (failed(x))
    return failure();
  if (shapeOf(*x).size() != 4)
    return im.error() << "only NCHW (rank 4) inputs are supported, got rank "
                      << shapeOf(*x).size();
  return x;
}

/// Input `i`, the stride of a pooling op; stride=None (an empty list)
/// defaults to the kernel.
static FailureOr<SmallVector<int64_t>> poolStride(Importer &im, unsigned i,
                                                  ArrayRef<int64_t> kernel) {
  FailureOr<SmallVector<int64_t>> s = im.getInts(i, "stride");
  if (succeeded(s) && s->empty())
    return SmallVector<int64_t>(kernel);
  if (succeeded(s))
    return pair(im, i, "stride");
  return s;
}

// aten::max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)
static LogicalResult importMaxPool(Importer &im) {
  FailureOr<Value> x = nchwInput(im);
  FailureOr<SmallVector<int64_t>> k = pair(im, 1, "kernel_size");
  if (failed(x) || failed(k))
    return failure();
  FailureOr<SmallVector<int64_t>> s = poolStride(im, 2, *k);
  FailureOr<SmallVector<int64_t>> p = pair(im, 3, "padding"),
                                  d = pair(im, 4, "dilation");
  FailureOr<bool> ceil = im.getBool(5, "ceil_mode");
  if (failed(s) || failed(p) || failed(d) || failed(ceil))
    return failure();
  OpBuilder &b = im.builder();
  SmallVector<int64_t> pads{(*p)[0], (*p)[1], (*p)[0], (*p)[1]};
  return im.bindResult(im.create<qnn::MaxPoolOp>(
      *x, b.getDenseI64ArrayAttr(*k), b.getDenseI64ArrayAttr(*s),
      b.getDenseI64ArrayAttr(pads), b.getDenseI64ArrayAttr(*d),
      *ceil ? b.getUnitAttr() : UnitAttr()));
}

static LogicalResult buildAvgPool(Importer &im, Value x, ArrayRef<int64_t> k,
                                  ArrayRef<int64_t> s, ArrayRef<int64_t> p,
                                  bool ceil, bool countPad) {
  OpBuilder &b = im.builder();
  SmallVector<int64_t> pads{p[0], p[1], p[0], p[1]};
  return im.bindResult(im.create<qnn::AvgPoolOp>(
      x, b.getDenseI64ArrayAttr(k), b.getDenseI64ArrayAttr(s),
      b.getDenseI64ArrayAttr(pads), ceil ? b.getUnitAttr() : UnitAttr(),
      countPad ? b.getUnitAttr() : UnitAttr()));
}

// aten::avg_pool2d(input, kernel_size, stride, padding, ceil_mode,
//                  count_include_pad, divisor_override)
static LogicalResult importAvgPool(Importer &im) {
  FailureOr<Value> x = nchwInput(im);
  FailureOr<SmallVector<int64_t>> k = pair(im, 1, "kernel_size");
  if (failed(x) || failed(k))
    return failure();
  FailureOr<SmallVector<int64_t>> s = poolStride(im, 2, *k);
  FailureOr<SmallVector<int64_t>> p = pair(im, 3, "padding");
  FailureOr<bool> ceil = im.getBool(4, "ceil_mode"),
                  countPad = im.getBool(5, "count_include_pad");
  if (failed(s) || failed(p) || failed(ceil) || failed(countPad))
    return failure();
  if (!im.isNone(6))
    return im.error() << "divisor_override is not supported";
  return buildAvgPool(im, *x, *k, *s, *p, *ceil, *countPad);
}

// aten::adaptive_avg_pool2d(input, output_size): global pooling for 1x1, a
// plain average pool when the input divides evenly, else a diagnostic.
static LogicalResult importAdaptiveAvgPool(Importer &im) {
  FailureOr<Value> x = nchwInput(im);
  FailureOr<SmallVector<int64_t>> out = pair(im, 1, "output_size");
  if (failed(x) || failed(out))
    return failure();
  if ((*out)[0] == 1 && (*out)[1] == 1)
    return im.bindResult(im.create<qnn::GlobalAvgPoolOp>(*x));
  ArrayRef<int64_t> in = shapeOf(*x);
  SmallVector<int64_t> k(2);
  for (int d = 0; d < 2; ++d) {
    int64_t size = in[2 + d];
    if (ShapedType::isDynamic(size) || (*out)[d] <= 0 ||
        size % (*out)[d] != 0)
      return im.error() << "adaptive_avg_pool2d to " << (*out)[0] << "x"
                        << (*out)[1] << " is only supported when the output "
                        << "is 1x1 or divides the static input size ("
                        << in[2] << "x" << in[3] << ")";
    k[d] = size / (*out)[d];
  }
  return buildAvgPool(im, *x, k, k, {0, 0}, false, false);
}

// aten::mean(input, dtype) over every dimension, or aten::mean.dim(input,
// dims, keepdim, dtype): qnn.global_avg_pool over H and W of an NCHW tensor,
// else qnn.reduce_mean.
static LogicalResult importMean(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  if (failed(x))
    return failure();
  int64_t rank = shapeOf(*x).size();
  bool all = im.numInputs() <= 2 || im.isNone(1);
  unsigned dtype = im.numInputs() <= 2 ? 1 : 3;
  if (im.numInputs() > dtype && !im.isNone(dtype))
    return im.error() << "mean with a dtype is not supported";
  SmallVector<int64_t> axes;
  bool keep = false;
  if (!all) {
    FailureOr<SmallVector<int64_t>> dims = im.getInts(1, "dim");
    FailureOr<bool> keepdim = im.getBool(2, "keepdim");
    if (failed(dims) || failed(keepdim))
      return failure();
    axes = *dims;
    keep = *keepdim;
  }
  if (axes.empty())
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  for (int64_t &a : axes)
    if (failed(frontend::normalizeAxis(im, a, rank, "dim")))
      return failure();
  return im.bindResult(frontend::buildMean(im, *x, axes, keep));
}

/// Output H, W of an upsample from output_size or scale factors.
static FailureOr<SmallVector<int64_t>>
upsampleSize(Importer &im, Value x, unsigned sizeIndex,
             std::optional<unsigned> scalesIndex) {
  ArrayRef<int64_t> in = shapeOf(x);
  if (!im.isNone(sizeIndex))
    return pair(im, sizeIndex, "output_size");
  if (!scalesIndex || im.isNone(*scalesIndex))
    return im.error() << "needs an output size or scale factors";
  const Folded *scales = im.folded(*scalesIndex);
  if (!scales || scales->kind != Folded::Kind::List ||
      scales->items.size() != 2)
    return im.error() << "scale factors must be 2 numbers known at import time";
  SmallVector<int64_t> out;
  for (int d = 0; d < 2; ++d) {
    if (ShapedType::isDynamic(in[2 + d]))
      return im.error() << "scale factors need static spatial dimensions";
    out.push_back(
        (int64_t)std::floor((double)in[2 + d] * scales->items[d].number()));
  }
  return out;
}

static LogicalResult buildResize(Importer &im, Value x, ArrayRef<int64_t> hw,
                                 qnn::ResizeMode mode,
                                 qnn::CoordinateMode coord) {
  ArrayRef<int64_t> in = shapeOf(x);
  SmallVector<int64_t> shape{in[0], in[1], hw[0], hw[1]};
  im.setResult(0, qnn::ResizeOp::create(im.builder(), im.loc(),
                                        im.f32Type(shape), x, mode, coord,
                                        qnn::NearestMode::Floor));
  return success();
}

// aten::upsample_nearest2d(input, output_size, scale_factors) (.vec) or
// (input, output_size, scales_h, scales_w). PyTorch's nearest is ONNX's
// asymmetric + floor.
static LogicalResult importUpsampleNearest(Importer &im) {
  FailureOr<Value> x = nchwInput(im);
  if (failed(x))
    return failure();
  bool vec = im.numInputs() == 3;
  FailureOr<SmallVector<int64_t>> hw =
      upsampleSize(im, *x, 1, vec ? std::optional<unsigned>(2) : std::nullopt);
  if (failed(hw))
    return failure();
  return buildResize(im, *x, *hw, qnn::ResizeMode::Nearest,
                     qnn::CoordinateMode::Asymmetric);
}

// aten::upsample_bilinear2d(input, output_size, align_corners, scale_factors)
// (.vec) or (input, output_size, align_corners, scales_h, scales_w).
static LogicalResult importUpsampleBilinear(Importer &im) {
  FailureOr<Value> x = nchwInput(im);
  FailureOr<bool> align = im.getBool(2, "align_corners");
  if (failed(x) || failed(align))
    return failure();
  bool vec = im.numInputs() == 4;
  FailureOr<SmallVector<int64_t>> hw =
      upsampleSize(im, *x, 1, vec ? std::optional<unsigned>(3) : std::nullopt);
  if (failed(hw))
    return failure();
  return buildResize(im, *x, *hw, qnn::ResizeMode::Linear,
                     *align ? qnn::CoordinateMode::AlignCorners
                            : qnn::CoordinateMode::PytorchHalfPixel);
}

void registerPoolResizeOps(OpTable &table) {
  table["aten::max_pool2d"] = importMaxPool;
  table["aten::avg_pool2d"] = importAvgPool;
  table["aten::adaptive_avg_pool2d"] = importAdaptiveAvgPool;
  table["aten::mean"] = importMean;
  table["aten::upsample_nearest2d"] = importUpsampleNearest;
  table["aten::upsample_bilinear2d"] = importUpsampleBilinear;
}

} // namespace qopt::torch_import
