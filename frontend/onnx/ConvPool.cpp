//===- ConvPool.cpp - Conv, BatchNormalization and pooling ----------------===//

#include "frontend/onnx/OpUtils.h"

#include "llvm/Support/InterleavedRange.h"

using namespace mlir;

namespace qopt::onnx_import {

namespace {
/// A 2-D window with ONNX's auto_pad resolved into explicit pads
/// [top, left, bottom, right].
struct Window {
  SmallVector<int64_t, 2> kernel, strides{1, 1}, dilations{1, 1};
  SmallVector<int64_t, 4> pads{0, 0, 0, 0};
};
} // namespace

/// Reads strides, dilations, pads and auto_pad for an NCHW `input`.
static LogicalResult readWindow(Importer &im, Value input,
                                ArrayRef<int64_t> kernel, Window &w) {
  ArrayRef<int64_t> in = shapeOf(input);
  if (in.size() != 4)
    return im.error() << "only 2-D (NCHW, rank 4) inputs are supported, got "
                         "rank "
                      << in.size();
  w.kernel.assign(kernel.begin(), kernel.end());
  if (w.kernel.size() != 2)
    return im.error() << "kernel must have 2 spatial dimensions, got "
                      << w.kernel.size();
  auto read = [&](StringRef key, auto &out, size_t n) -> LogicalResult {
    if (std::optional<std::vector<int64_t>> v = im.getInts(key)) {
      if (v->size() != n)
        return im.error() << "'" << key << "' must have " << n
                          << " values, got " << v->size();
      out.assign(v->begin(), v->end());
    }
    return success();
  };
  if (failed(read("strides", w.strides, 2)) ||
      failed(read("dilations", w.dilations, 2)) ||
      failed(read("pads", w.pads, 4)))
    return failure();
  // Checked here, with ONNX's names, before auto_pad divides by a stride.
  auto checkAll = [&](StringRef key, ArrayRef<int64_t> values,
                      int64_t min) -> LogicalResult {
    for (int64_t v : values)
      if (v < min)
        return im.error() << "'" << key << "' must be "
                          << (min ? "positive" : "non-negative") << ", got "
                          << v;
    return success();
  };
  if (failed(checkAll("kernel_shape", w.kernel, 1)) ||
      failed(checkAll("strides", w.strides, 1)) ||
      failed(checkAll("dilations", w.dilations, 1)) ||
      failed(checkAll("pads", w.pads, 0)))
    return failure();
  std::string autoPad = im.getString("auto_pad", "NOTSET");
  if (autoPad == "NOTSET")
    return success();
  if (autoPad != "VALID" && autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return im.error() << "auto_pad '" << autoPad
                      << "' is not one of NOTSET, VALID, SAME_UPPER, "
                         "SAME_LOWER";
  if (im.hasAttr("pads"))
    return im.error() << "'pads' cannot be used together with auto_pad "
                      << autoPad;
  if (autoPad == "VALID") {
    w.pads.assign(4, 0);
    return success();
  }
  for (int d = 0; d < 2; ++d) {
    int64_t size = in[2 + d];
    if (ShapedType::isDynamic(size))
      return im.error() << "auto_pad " << autoPad
                        << " needs static spatial dimensions";
    int64_t s = w.strides[d];
    int64_t out = (size + s - 1) / s;
    int64_t total = std::max<int64_t>(
        0, (out - 1) * s + (w.kernel[d] - 1) * w.dilations[d] + 1 - size);
    int64_t small = total / 2, large = total - small;
    w.pads[d] = autoPad == "SAME_UPPER" ? small : large;
    w.pads[d + 2] = autoPad == "SAME_UPPER" ? large : small;
  }
  return success();
}

static LogicalResult importConv(Importer &im) {
  FailureOr<Value> x = im.floatInput(0), weight = im.floatInput(1);
  if (failed(x) || failed(weight))
    return failure();
  Value bias;
  if (im.hasInput(2)) {
    FailureOr<Value> b = im.floatInput(2);
    if (failed(b))
      return failure();
    bias = *b;
  }
  ArrayRef<int64_t> wShape = shapeOf(*weight);
  if (wShape.size() != 4)
    return im.error() << "only 2-D convolution is supported, the weight has "
                         "rank "
                      << wShape.size();
  if (std::optional<std::vector<int64_t>> k = im.getInts("kernel_shape"))
    if (ArrayRef<int64_t>(*k) != wShape.drop_front(2))
      return im.error() << "'kernel_shape' [" << llvm::interleaved(*k)
                        << "] disagrees with the weight's spatial dimensions ["
                        << llvm::interleaved(wShape.drop_front(2)) << "]";
  Window w;
  if (failed(readWindow(im, *x, wShape.drop_front(2), w)))
    return failure();
  OpBuilder &b = im.builder();
  FailureOr<Value> y = im.create<qnn::Conv2dOp>(
      *x, *weight, bias, b.getDenseI64ArrayAttr(w.strides),
      b.getDenseI64ArrayAttr(w.pads), b.getDenseI64ArrayAttr(w.dilations),
      b.getI64IntegerAttr(im.getInt("group", 1)));
  return im.bindResult(y);
}

static LogicalResult importBatchNorm(Importer &im) {
  if (im.getInt("training_mode", 0) != 0)
    return im.error() << "training_mode=1 is not supported (inference only)";
  SmallVector<Value, 5> operands;
  for (unsigned i = 0; i < 5; ++i) {
    FailureOr<Value> v = im.floatInput(i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  for (unsigned i = 1; i < 5; ++i)
    if (shapeOf(operands[i]).size() != 1 ||
        operands[i].getType() != operands[1].getType())
      return im.error() << "scale, B, mean and var must be vectors of one "
                           "shape, input "
                        << i << " is " << operands[i].getType();
  OpBuilder &b = im.builder();
  Value y = qnn::BatchNormOp::create(
      b, im.loc(), operands[0].getType(), operands[0], operands[1], operands[2],
      operands[3], operands[4], b.getF64FloatAttr(im.getFloat("epsilon", 1e-5)),
      b.getF64FloatAttr(im.getFloat("momentum", 0.9)));
  im.setResult(0, y);
  return success();
}

static LogicalResult importPool(Importer &im, bool isMax) {
  FailureOr<Value> x = im.floatInput(0);
  if (failed(x))
    return failure();
  std::optional<std::vector<int64_t>> kernel = im.getInts("kernel_shape");
  if (!kernel)
    return im.error() << "'kernel_shape' is required";
  Window w;
  if (failed(readWindow(im, *x, *kernel, w)))
    return failure();
  OpBuilder &b = im.builder();
  UnitAttr ceil = im.getInt("ceil_mode", 0) ? b.getUnitAttr() : UnitAttr();
  FailureOr<Value> y;
  if (isMax) {
    if (im.getInt("storage_order", 0) != 0 && im.node().outputs.size() > 1)
      return im.error() << "storage_order=1 is not supported";
    y = im.create<qnn::MaxPoolOp>(*x, b.getDenseI64ArrayAttr(w.kernel),
                                  b.getDenseI64ArrayAttr(w.strides),
                                  b.getDenseI64ArrayAttr(w.pads),
                                  b.getDenseI64ArrayAttr(w.dilations), ceil);
  } else {
    if (w.dilations[0] != 1 || w.dilations[1] != 1)
      return im.error() << "dilated average pooling is not supported";
    UnitAttr countPad =
        im.getInt("count_include_pad", 0) ? b.getUnitAttr() : UnitAttr();
    y = im.create<qnn::AvgPoolOp>(
        *x, b.getDenseI64ArrayAttr(w.kernel), b.getDenseI64ArrayAttr(w.strides),
        b.getDenseI64ArrayAttr(w.pads), ceil, countPad);
  }
  return im.bindResult(y);
}

static LogicalResult importGlobalAvgPool(Importer &im) {
  FailureOr<Value> x = im.floatInput(0);
  if (failed(x))
    return failure();
  FailureOr<Value> y = im.create<qnn::GlobalAvgPoolOp>(*x);
  return im.bindResult(y);
}

void registerConvPoolOps(OpTable &table) {
  table["Conv"] = importConv;
  table["BatchNormalization"] = importBatchNorm;
  table["MaxPool"] = [](Importer &im) { return importPool(im, true); };
  table["AveragePool"] = [](Importer &im) { return importPool(im, false); };
  table["GlobalAveragePool"] = importGlobalAvgPool;
}

} // namespace qopt::onnx_import
