//===- QnnOps.cpp - generated op definitions and shared shape rules -------===//
//
// The op-specific verifiers and type inference live with their families in
// QnnNetworkOps.cpp, QnnQuantOps.cpp and QnnIntegerOps.cpp.
//
//===----------------------------------------------------------------------===//

#include "dialect/QnnOps.h"
#include "dialect/VerifyUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include <cstdio>

using namespace mlir;
using namespace qopt::qnn;

LogicalResult qopt::qnn::emitShapeError(std::optional<Location> loc,
                                        StringRef opName,
                                        const Twine &message) {
  if (loc)
    mlir::emitError(*loc) << "'" << opName << "' op " << message;
  return failure();
}

std::string qopt::qnn::formatNumber(double value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", value);
  return buf;
}

LogicalResult qopt::qnn::inferWindowOutput(std::optional<Location> loc,
                                           StringRef opName,
                                           ArrayRef<int64_t> inputShape,
                                           const Window2d &w, int64_t &outH,
                                           int64_t &outW) {
  if (inputShape.size() != 4)
    return emitShapeError(loc, opName,
                          "expects an NCHW input of rank 4, got rank " +
                              Twine(inputShape.size()));
  if (w.strides.size() != 2)
    return emitShapeError(loc, opName,
                          "strides must have 2 values, got " +
                              Twine(w.strides.size()));
  if (w.pads.size() != 4)
    return emitShapeError(loc, opName,
                          "pads must have 4 values [top, left, bottom, "
                          "right], got " +
                              Twine(w.pads.size()));
  if (!w.dilations.empty() && w.dilations.size() != 2)
    return emitShapeError(loc, opName,
                          "dilations must have 2 values, got " +
                              Twine(w.dilations.size()));
  for (int i = 0; i < 2; ++i) {
    if (w.kernel[i] < 1 && w.kernel[i] != ShapedType::kDynamic)
      return emitShapeError(loc, opName,
                            "kernel sizes must be positive, got " +
                                Twine(w.kernel[i]));
    if (w.strides[i] < 1)
      return emitShapeError(loc, opName,
                            "strides must be positive, got " +
                                Twine(w.strides[i]));
    if (!w.dilations.empty() && w.dilations[i] < 1)
      return emitShapeError(loc, opName,
                            "dilations must be positive, got " +
                                Twine(w.dilations[i]));
  }
  for (int64_t p : w.pads)
    if (p < 0)
      return emitShapeError(loc, opName,
                            "pads must be non-negative, got " + Twine(p));

  int64_t out[2];
  for (int i = 0; i < 2; ++i) {
    int64_t in = inputShape[2 + i];
    int64_t k = w.kernel[i];
    if (ShapedType::isDynamic(in) || ShapedType::isDynamic(k)) {
      out[i] = ShapedType::kDynamic;
      continue;
    }
    int64_t dilation = w.dilations.empty() ? 1 : w.dilations[i];
    int64_t padBegin = w.pads[i], padEnd = w.pads[i + 2];
    int64_t extent = dilation * (k - 1) + 1;
    int64_t span = in + padBegin + padEnd - extent;
    if (span < 0)
      return emitShapeError(loc, opName,
                            "window of extent " + Twine(extent) +
                                " does not fit the padded input of size " +
                                Twine(in + padBegin + padEnd));
    int64_t stride = w.strides[i];
    int64_t n = (w.ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
    // With ceil_mode the last window must still start inside the input or
    // its leading padding (ONNX and PyTorch agree on this).
    if (w.ceilMode && (n - 1) * stride >= in + padBegin)
      --n;
    out[i] = n;
  }
  outH = out[0];
  outW = out[1];
  return success();
}

#define GET_OP_CLASSES
#include "dialect/QnnOps.cpp.inc"
