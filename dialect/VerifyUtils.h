//===- VerifyUtils.h - helpers shared by qnn verifiers ----------*- C++ -*-===//
//
// Output-size arithmetic for windowed ops, kept in one place so conv2d,
// qconv2d and the pools agree (and agree with ONNX and PyTorch), and number
// formatting for diagnostics.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_VERIFYUTILS_H
#define QOPT_DIALECT_VERIFYUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/ArrayRef.h"
#include <optional>
#include <string>

namespace qopt::qnn {

/// Attributes of a 2-D sliding window (convolution or pooling).
struct Window2d {
  llvm::ArrayRef<int64_t> kernel;    // [kh, kw]
  llvm::ArrayRef<int64_t> strides;   // [sh, sw]
  llvm::ArrayRef<int64_t> pads;      // [top, left, bottom, right]
  llvm::ArrayRef<int64_t> dilations; // [dh, dw]; empty means 1
  bool ceilMode = false;
};

/// Checks the window attributes and computes the two spatial output sizes of
/// an NCHW input (dynamic in, dynamic out). Emits an error at `loc` and
/// returns failure when the attributes are malformed or the window does not
/// fit.
mlir::LogicalResult inferWindowOutput(std::optional<mlir::Location> loc,
                                      llvm::StringRef opName,
                                      llvm::ArrayRef<int64_t> inputShape,
                                      const Window2d &window,
                                      int64_t &outH, int64_t &outW);

/// Emits "'<op>' <message>" at `loc` if present; always returns failure.
mlir::LogicalResult emitShapeError(std::optional<mlir::Location> loc,
                                   llvm::StringRef opName,
                                   const llvm::Twine &message);

/// Formats a number for a diagnostic the way a user wrote it: "6", "0.9",
/// "1e-05", not "6.000000e+00".
std::string formatNumber(double value);

} // namespace qopt::qnn

#endif // QOPT_DIALECT_VERIFYUTILS_H
