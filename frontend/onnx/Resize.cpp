//===- Resize.cpp - Pad, Resize, Upsample ---------------------------------===//

#include "frontend/onnx/OpUtils.h"

#include "llvm/Support/Format.h"

#include <cmath>

using namespace mlir;

namespace qopt::onnx_import {

static LogicalResult importPad(Importer &im) {
  std::string mode = im.getString("mode", "constant");
  if (mode != "constant")
    return im.error() << "mode '" << mode
                      << "' is not supported (only 'constant')";
  FailureOr<Value> x = im.floatInput(0);
  if (failed(x))
    return failure();
  const ConstTensor *pads = im.requireInts(1, "pads");
  if (!pads)
    return failure();
  if (im.hasInput(3))
    return im.error() << "the 'axes' input is not supported";
  for (int64_t p : pads->ints)
    if (p < 0)
      return im.error() << "negative pads (cropping) are not supported";
  double value = 0.0;
  if (im.hasInput(2)) {
    const ConstTensor *v = im.requireConstant(2, "constant_value");
    if (!v)
      return failure();
    if (v->numElements() != 1)
      return im.error() << "constant_value must be a scalar";
    value = v->exact(0);
  }
  OpBuilder &b = im.builder();
  FailureOr<Value> y = im.create<qnn::PadOp>(
      *x, b.getDenseI64ArrayAttr(pads->ints), b.getF64FloatAttr(value));
  return im.bindResult(y);
}

static std::string formatG(double v) {
  std::string s;
  llvm::raw_string_ostream(s) << llvm::format("%g", v);
  return s;
}

/// Output shape from constant `scales` or `sizes`; N and C must not change.
static LogicalResult resizedShape(Importer &im, ArrayRef<int64_t> in,
                                  const ConstTensor *scales,
                                  const ConstTensor *sizes,
                                  SmallVectorImpl<int64_t> &out) {
  if (in.size() != 4)
    return im.error() << "only NCHW (rank 4) inputs are supported";
  out.assign(in.begin(), in.end());
  if (sizes && sizes->numElements() > 0) {
    if (sizes->numElements() != 4 || sizes->isFloat())
      return im.error() << "sizes must hold 4 integers";
    // N and C may be known only at run time (torchvision's FPN resizes to
    // cat(x.shape[:2], size) with a dynamic batch): then they must be the
    // input's own dimensions, which the folded Shape tells.
    for (int d = 0; d < 2; ++d) {
      int64_t v = sizes->ints[d];
      if (isUnknown(v) && (v == kUnknown || v != im.dimValue(0, d)))
        return im.error() << "sizes[" << d << "] is known only at run time "
                          << "and is not dimension " << d << " of the input";
      if (!isUnknown(v) && !ShapedType::isDynamic(in[d]) && v != in[d])
        return im.error() << "only the spatial dimensions may be resized";
    }
    for (int d = 2; d < 4; ++d) {
      if (isUnknown(sizes->ints[d]))
        return im.error() << "sizes[" << d << "] (a spatial size) must be "
                          << "known at import time";
      out[d] = sizes->ints[d];
    }
  } else if (scales && scales->numElements() > 0) {
    if (scales->numElements() != 4 || !scales->isFloat())
      return im.error() << "scales must hold 4 float values";
    for (int d = 2; d < 4; ++d) {
      if (ShapedType::isDynamic(in[d]))
        return im.error() << "scales need static spatial dimensions";
      double size = in[d] * (double)scales->floats[d];
      out[d] = (int64_t)std::floor(size);
      // ONNX maps coordinates with the given scale (and, for align_corners,
      // the unrounded in * scale); qnn.resize derives both from the sizes,
      // so the two agree only when in * scale is a whole number.
      if ((double)out[d] != size)
        return im.error() << "scale "
                          << formatG(widen(scales->floats[d]))
                          << " on a spatial dimension of " << in[d]
                          << " gives the non-integral size "
                          << formatG(size)
                          << ", which is not supported (qnn.resize takes "
                             "its scale from whole sizes)";
    }
    if (scales->floats[0] != 1.0f || scales->floats[1] != 1.0f)
      return im.error() << "only the spatial dimensions may be scaled";
  } else {
    return im.error() << "needs constant 'scales' or 'sizes'";
  }
  for (int d = 0; d < 2; ++d)
    if (!ShapedType::isDynamic(in[d]) && out[d] != in[d])
      return im.error() << "only the spatial dimensions may be resized";
  return success();
}

static LogicalResult buildResize(Importer &im, Value x, ArrayRef<int64_t> shape,
                                 qnn::ResizeMode mode,
                                 qnn::CoordinateMode coord,
                                 qnn::NearestMode nearest) {
  Value y = qnn::ResizeOp::create(im.builder(), im.loc(), im.f32Type(shape), x,
                                  mode, coord, nearest);
  im.setResult(0, y);
  return success();
}

static LogicalResult readMode(Importer &im, qnn::ResizeMode &mode) {
  std::string m = im.getString("mode", "nearest");
  if (m == "nearest")
    mode = qnn::ResizeMode::Nearest;
  else if (m == "linear" || m == "bilinear")
    mode = qnn::ResizeMode::Linear;
  else
    return im.error() << "mode '" << m << "' is not supported";
  return success();
}

static LogicalResult importResize(Importer &im) {
  FailureOr<Value> x = im.floatInput(0);
  qnn::ResizeMode mode;
  if (failed(x) || failed(readMode(im, mode)))
    return failure();
  std::string c = im.getString("coordinate_transformation_mode", "half_pixel");
  std::optional<qnn::CoordinateMode> coord =
      llvm::StringSwitch<std::optional<qnn::CoordinateMode>>(c)
          .Case("half_pixel", qnn::CoordinateMode::HalfPixel)
          .Case("pytorch_half_pixel", qnn::CoordinateMode::PytorchHalfPixel)
          .Case("align_corners", qnn::CoordinateMode::AlignCorners)
          .Case("asymmetric", qnn::CoordinateMode::Asymmetric)
          .Default(std::nullopt);
  if (!coord)
    return im.error() << "coordinate_transformation_mode '" << c
                      << "' is not supported";
  std::string n = im.getString("nearest_mode", "round_prefer_floor");
  std::optional<qnn::NearestMode> nearest = qnn::symbolizeNearestMode(n);
  if (!nearest)
    return im.error() << "nearest_mode '" << n << "' is not supported";
  if (im.getInt("exclude_outside", 0) != 0)
    return im.error() << "exclude_outside=1 is not supported";
  SmallVector<int64_t> shape;
  if (failed(
          resizedShape(im, shapeOf(*x), im.constant(2), im.constant(3), shape)))
    return failure();
  return buildResize(im, *x, shape, mode, *coord, *nearest);
}

/// Upsample (deprecated since opset 10): asymmetric coordinates, floor.
static LogicalResult importUpsample(Importer &im) {
  FailureOr<Value> x = im.floatInput(0);
  qnn::ResizeMode mode;
  if (failed(x) || failed(readMode(im, mode)))
    return failure();
  const ConstTensor *scales = im.requireConstant(1, "scales");
  SmallVector<int64_t> shape;
  if (!scales || failed(resizedShape(im, shapeOf(*x), scales, nullptr, shape)))
    return failure();
  return buildResize(im, *x, shape, mode, qnn::CoordinateMode::Asymmetric,
                     qnn::NearestMode::Floor);
}

void registerResizeOps(OpTable &table) {
  table["Pad"] = importPad;
  table["Resize"] = importResize;
  table["Upsample"] = importUpsample;
}

} // namespace qopt::onnx_import
