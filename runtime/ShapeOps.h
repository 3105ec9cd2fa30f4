//===- ShapeOps.h - data movement: concat, pad, transpose, resize -*- C++
//-*-===//
//
// Concat, pad, transpose, reshape and flatten work on every dtype (they move
// bytes); resize is f32. Reshape and flatten return views (no copy).
//
//===----------------------------------------------------------------------===//

#ifndef QRT_SHAPEOPS_H
#define QRT_SHAPEOPS_H

#include "runtime/Tensor.h"

#include <vector>

namespace qrt {

/// Concatenates same-dtype tensors along `axis` (negative counts from end).
Status concat(const std::vector<Tensor> &inputs, int64_t axis, Tensor &y);

/// ONNX Pad, mode "constant": pads = [b_0, ..., b_{r-1}, e_0, ..., e_{r-1}]
/// (non-negative). `value` is converted to the tensor's dtype.
Status padConstant(const Tensor &x, const std::vector<int64_t> &pads,
                   double value, Tensor &y);

/// y = x with each axis in `axes` (size 1 in x) repeated to size[axis];
/// the other entries of `size` are ignored.
Status expand(const Tensor &x, const Shape &size,
              const std::vector<int64_t> &axes, Tensor &y);
/// expand()'s result shape, or why there is none.
Expected<Shape> expandShape(const Shape &x, const Shape &size,
                            const std::vector<int64_t> &axes);

/// y = x permuted by `perm` (y.shape[i] = x.shape[perm[i]]).
Status transpose(const Tensor &x, const std::vector<int64_t> &perm, Tensor &y);

/// View with a new shape (ONNX Reshape without the 0-copies-dim rule: the
/// caller resolves 0s). One -1 is inferred.
Expected<Tensor> reshape(const Tensor &x, const Shape &shape);
/// View as 2-D [prod(shape[:axis]), prod(shape[axis:])] (ONNX Flatten).
Expected<Tensor> flatten(const Tensor &x, int64_t axis);
/// The shape flatten gives (the device kernels' shape rule).
Expected<Shape> flattenedShape(const Shape &shape, int64_t axis);

enum class ResizeMode { Nearest, Linear };
/// ONNX coordinate_transformation_mode (pytorch_half_pixel is half_pixel
/// except that a length-1 output maps to 0).
enum class CoordinateMode {
  HalfPixel,
  PytorchHalfPixel,
  Asymmetric,
  AlignCorners
};
/// ONNX nearest_mode. PyTorch's "nearest" is Asymmetric + Floor.
enum class NearestMode { RoundPreferFloor, RoundPreferCeil, Floor, Ceil };

struct ResizeParams {
  ResizeMode mode = ResizeMode::Nearest;
  CoordinateMode coordinateMode = CoordinateMode::HalfPixel;
  NearestMode nearestMode = NearestMode::RoundPreferFloor;
  /// Scales per spatial dim (out / in). When <= 0 they are derived from
  /// the output size as out / in (what ONNX does when `sizes` is given).
  float scaleH = 0.f, scaleW = 0.f;
};

/// Resizes the two spatial dims of x [N, C, H, W] to [outH, outW] (f32).
Status resize2d(const Tensor &x, int64_t outH, int64_t outW,
                const ResizeParams &p, Tensor &y);

} // namespace qrt

#endif // QRT_SHAPEOPS_H
