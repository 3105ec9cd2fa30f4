//===- Pool.h - fp32 2-D pooling and means ----------------------*- C++ -*-===//
//
// ONNX MaxPool / AveragePool semantics on NCHW f32 (which PyTorch's match for
// symmetric pads). ceil_mode drops a last window that would start in the
// right/bottom padding, as both frameworks do.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_POOL_H
#define QRT_POOL_H

#include "runtime/Tensor.h"

namespace qrt {

struct Pool2dParams {
  int64_t kernelH = 1, kernelW = 1;
  int64_t strideH = 1, strideW = 1;
  int64_t padTop = 0, padLeft = 0, padBottom = 0, padRight = 0;
  int64_t dilationH = 1, dilationW = 1; // max pool only
  bool ceilMode = false;
  /// Average pool: divide by the window size clipped to the padded input
  /// (true) or by the number of real input elements (false).
  bool countIncludePad = false;
};

Expected<Shape> pool2dOutputShape(const Shape &input, const Pool2dParams &p);
Status maxPool2d(const Tensor &x, const Pool2dParams &p, Tensor &y);
Status avgPool2d(const Tensor &x, const Pool2dParams &p, Tensor &y);
/// [N, C, H, W] -> [N, C, 1, 1] mean.
Status globalAvgPool(const Tensor &x, Tensor &y);

/// The mean over `axes` (sorted, distinct, in [0, rank)), kept as size-1
/// dimensions with `keepDims`; each mean is accumulated in double and
/// rounded once.
Expected<Shape> reduceShape(const Shape &x, const std::vector<int64_t> &axes,
                            bool keepDims);
Status reduceMean(const Tensor &x, const std::vector<int64_t> &axes,
                  bool keepDims, Tensor &y);

} // namespace qrt

#endif // QRT_POOL_H
