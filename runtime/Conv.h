//===- Conv.h - fp32 convolution, linear and matmul -------------*- C++ -*-===//
//
// Convolution and inner product run on oneDNN. A plan is created once per
// layer with the input shape and the weights: it builds the primitive with
// the weights in oneDNN's preferred ("any") layout and reorders them once, so
// run() never touches the weight layout again. Plans are cheap to copy (the
// state is shared) but one plan must not run concurrently from two threads:
// it owns staging buffers for layout reorders.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CONV_H
#define QRT_CONV_H

#include "runtime/Tensor.h"

#include <memory>
#include <string>

namespace qrt {

/// ONNX Conv attributes. Dilation 1 is a dense kernel (ONNX convention, not
/// oneDNN's 0-based one). Pads are [top, left, bottom, right].
struct Conv2dParams {
  int64_t strideH = 1, strideW = 1;
  int64_t dilationH = 1, dilationW = 1;
  int64_t padTop = 0, padLeft = 0, padBottom = 0, padRight = 0;
  int64_t groups = 1;
  /// Fused ReLU on the output (fp32 plans only; int8 plans fuse it in the
  /// requantization instead).
  bool fuseRelu = false;
  /// Fused residual add (fp32 ConvPlan only): run() computes
  /// y = relu?(conv(x) + y), so y must be preallocated and hold the addend
  /// (oneDNN sum post-op; the ReLU, if any, applies after the sum).
  bool fuseSum = false;
  /// Fused clip min(max(y, clipMin), clipMax) on the output, after the sum
  /// (fp32 plans; MobileNet's ReLU6). Not together with fuseRelu.
  bool fuseClip = false;
  float clipMin = 0.f, clipMax = 0.f;
  /// Channels-last activations (fp32 ConvPlan only): the input / output
  /// tensor is NHWC, i.e. a plain qrt tensor of shape [N, H, W, C] holding
  /// the NCHW activation transposed. Used between consecutive convs so that
  /// oneDNN's NHWC kernels need no layout reorders.
  bool srcChannelsLast = false, dstChannelsLast = false;
};

/// [N, C, H, W] -> [N, H, W, C] and back (shapes only).
Shape toChannelsLast(const Shape &nchw);
Shape fromChannelsLast(const Shape &nhwc);

/// Output shape of a convolution of `input` [N, C, H, W] by `weight`
/// [OC, C/groups, KH, KW], with all argument checks.
Expected<Shape> conv2dOutputShape(const Shape &input, const Shape &weight,
                                  const Conv2dParams &params);

class ConvPlan {
public:
  /// `bias` may be undefined. The weights are copied (reordered) into the
  /// plan; the caller's tensors need not outlive it. `inputShape` is the
  /// shape of the input tensor as stored ([N, H, W, C] with
  /// params.srcChannelsLast); inputShape() / outputShape() are likewise the
  /// stored shapes of x and y.
  static Expected<ConvPlan> create(const Shape &inputShape,
                                   const Tensor &weight, const Tensor &bias,
                                   const Conv2dParams &params);
  /// y = conv(x); x must have the plan's input shape. y may be undefined
  /// (allocated) or preallocated with outputShape().
  Status run(const Tensor &x, Tensor &y) const;
  /// Replaces the weights (and bias) by new values of the same shapes: only
  /// the weight reorder runs, the primitive is kept. For layers whose
  /// weights change every call (training).
  Status updateWeights(const Tensor &weight, const Tensor &bias);
  const Shape &inputShape() const;
  const Shape &outputShape() const;
  /// oneDNN's implementation name, e.g. "brgconv:avx512_core".
  std::string implName() const;

  struct Impl;

private:
  std::shared_ptr<Impl> impl_;
};

/// y = x W^T + b for x [N, K], W [M, K], b [M] (ONNX Gemm with transB=1, the
/// PyTorch Linear layout).
class LinearPlan {
public:
  static Expected<LinearPlan> create(const Shape &inputShape,
                                     const Tensor &weight, const Tensor &bias,
                                     bool fuseRelu = false);
  Status run(const Tensor &x, Tensor &y) const;
  /// As ConvPlan::updateWeights.
  Status updateWeights(const Tensor &weight, const Tensor &bias);
  const Shape &outputShape() const;
  std::string implName() const;

  struct Impl;

private:
  std::shared_ptr<Impl> impl_;
};

/// numpy matmul of rank >= 2 tensors with broadcast batch dims (f32), via
/// oneDNN's matmul (its primitive cache makes repeated shapes cheap). Rank-1
/// operands are promoted as numpy does.
Status matmul(const Tensor &a, const Tensor &b, Tensor &out);

} // namespace qrt

#endif // QRT_CONV_H
