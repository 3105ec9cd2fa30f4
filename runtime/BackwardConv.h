//===- BackwardConv.h - conv2d and linear backward (oneDNN) -----*- C++ -*-===//
//
// Gradients of ConvPlan / LinearPlan for training. A plan is created once per
// layer (shapes and attributes fixed) and run per batch: the oneDNN
// backward-data and backward-weights primitives, their forward hint and the
// reorders between qrt's plain layouts (NCHW activations, [OC, C/g, KH, KW]
// weights) and the layouts oneDNN prefers are all built in create(). Unlike
// the forward plans the weights are not baked in: they change every step, so
// backwardData() takes them per call (one cached reorder if the primitive
// wants a blocked layout).
//
// Like the forward plans, a plan copy shares state and one plan must not run
// concurrently from two threads (staging buffers).
//
//===----------------------------------------------------------------------===//

#ifndef QRT_BACKWARDCONV_H
#define QRT_BACKWARDCONV_H

#include "runtime/Conv.h"

namespace qrt {

class ConvBackwardPlan {
public:
  /// `inputShape` [N, C, H, W] and `weightShape` [OC, C/groups, KH, KW] of
  /// the forward convolution (NCHW only: params.src/dstChannelsLast, fuseSum
  /// and fuseRelu must be off; a fused ReLU's mask is reluBackward's job).
  /// `withBias`: backwardWeights() also produces the bias gradient.
  static Expected<ConvBackwardPlan> create(const Shape &inputShape,
                                           const Shape &weightShape,
                                           bool withBias,
                                           const Conv2dParams &params);
  /// dx = conv_transpose(dy, W): the gradient of the input.
  Status backwardData(const Tensor &dy, const Tensor &weight, Tensor &dx) const;
  /// dW (plain [OC, C/g, KH, KW]) and, with withBias, dbias [OC] = Σ_{N,H,W}
  /// dy. `dbias` is ignored for a plan without bias.
  Status backwardWeights(const Tensor &x, const Tensor &dy, Tensor &dweight,
                         Tensor &dbias) const;
  const Shape &inputShape() const;
  const Shape &outputShape() const;
  const Shape &weightShape() const;
  /// oneDNN implementation names "data: ..., weights: ...".
  std::string implName() const;

  struct Impl;

private:
  std::shared_ptr<Impl> impl_;
};

/// Backward of y = x Wᵀ + b, x [N, K], W [M, K]: dx = dy W, dW = dyᵀ x,
/// db = Σ_N dy (oneDNN inner_product backward primitives).
class LinearBackwardPlan {
public:
  static Expected<LinearBackwardPlan>
  create(const Shape &inputShape, const Shape &weightShape, bool withBias);
  Status backwardData(const Tensor &dy, const Tensor &weight, Tensor &dx) const;
  Status backwardWeights(const Tensor &x, const Tensor &dy, Tensor &dweight,
                         Tensor &dbias) const;

  struct Impl;

private:
  std::shared_ptr<Impl> impl_;
};

} // namespace qrt

#endif // QRT_BACKWARDCONV_H
