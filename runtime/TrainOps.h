//===- TrainOps.h - backward kernels, training BN, losses -------*- C++ -*-===//
//
// The fp32 kernels a training step needs besides convolution / linear
// (ConvBackward.h) and the quantizer gradients (FakeQuant.h): backward of
// relu, pooling, pad and broadcast add; batch norm in training mode; the
// losses; the non-finite check. NCHW, contiguous, qrt's own threaded loops.
// Formulas: docs/training-math.md.
//
// Outputs follow the qrt convention: an undefined tensor is allocated, a
// defined one must already have the right shape.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_TRAINOPS_H
#define QRT_TRAINOPS_H

#include "runtime/Pool.h"
#include "runtime/Collective.h"
#include "runtime/Tensor.h"

#include <vector>

namespace qrt {

/// dx = dy * 1{y > 0}, with y the forward output (PyTorch's
/// threshold_backward on the result). dx may alias dy.
Status reluBackward(const Tensor &y, const Tensor &dy, Tensor &dx);

/// Max pool backward: dy is routed to the first maximum of each window in
/// row-major scan order (PyTorch's CPU rule; with NaNs, the last NaN),
/// recomputed from the forward input x. Same parameters as maxPool2d
/// (dilation, ceil_mode).
/// Clip (ReLU6, hardtanh) backward: dx = dy where lo < x < hi, else 0
/// (PyTorch's hardtanh_backward; x is the clip's input).
Status clipBackward(const Tensor &x, float lo, float hi, const Tensor &dy,
                    Tensor &dx);
Status maxPool2dBackward(const Tensor &x, const Pool2dParams &p,
                         const Tensor &dy, Tensor &dx);
/// Average pool backward: dy / count spread over each window's real input
/// elements (count as in avgPool2d, count_include_pad honoured).
Status avgPool2dBackward(const Shape &xShape, const Pool2dParams &p,
                         const Tensor &dy, Tensor &dx);
/// [N, C, 1, 1] -> [N, C, H, W]: dx = dy / (H W).
Status globalAvgPoolBackward(const Shape &xShape, const Tensor &dy, Tensor &dx);

/// Backward of padConstant with ONNX pads [b_0.., e_0..] (negative pads
/// crop): dx is the slice of dy at the input's position (zero where the
/// forward cropped).
Status padBackward(const Shape &xShape, const std::vector<int64_t> &pads,
                   const Tensor &dy, Tensor &dx);
/// padBackward fused with what follows it in a ResNet backward: the
/// gradient of a residual add (`addend`, may be null; x's shape) and of the
/// ReLU whose output is `reluY` (x's shape): dx = reluY > 0 ? addend + pad_
/// backward(dy) : 0, in one pass; the same values as the three kernels.
Status padBackwardAddReluBackward(const Shape &xShape,
                                  const std::vector<int64_t> &pads,
                                  const Tensor &dy, const Tensor *addend,
                                  const Tensor &reluY, Tensor &dx);

/// Sum of dy over the broadcast dimensions, so that the result has `shape`
/// (numpy broadcasting: `shape` right-aligned to dy's). The gradient of an
/// operand of a broadcasting add/sub.
Status reduceSumToShape(const Tensor &dy, const Shape &shape, Tensor &out);
/// y = a + b with broadcasting: da = reduce(dy), db = reduce(dy).
Status addBackward(const Tensor &dy, const Shape &aShape, const Shape &bShape,
                   Tensor &da, Tensor &db);

/// Batch norm in training mode over axis 1 of x [N, C, ...]: normalizes with
/// the batch statistics (biased variance), returns y, saveMean [C] and
/// saveInvstd [C] = 1/sqrt(var + eps), and updates runningMean / runningVar
/// in place the PyTorch way: r = (1 - momentum) r + momentum * stat, the
/// variance stat being unbiased (n / (n - 1)). gamma / beta may be undefined
/// (affine = false). Statistics are accumulated in double. With `sync` (a
/// collective of more than one rank: synchronized batch norm), the sums and
/// the count are every rank's: the statistics of the global batch.
Status batchNormTrainForward(const Tensor &x, const Tensor &gamma,
                             const Tensor &beta, Tensor &runningMean,
                             Tensor &runningVar, float momentum, float eps,
                             Tensor &y, Tensor &saveMean, Tensor &saveInvstd,
                             Collective *sync = nullptr);
/// dx = gamma invstd / n (n dy - Σdy - x̂ Σ(dy x̂)), dgamma = Σ dy x̂,
/// dbeta = Σ dy (sums over N and the spatial dims). dgamma / dbeta are
/// skipped when gamma is undefined. With `sync`, the backward of the
/// synchronized forward: each rank's dy is its own shard's loss gradient,
/// weighed by gradientWeight() (its share of the global batch) into the
/// global sums, and dx comes back in the rank's own scale; dgamma / dbeta
/// are the global batch's (docs/training.md, "Data-parallel training").
Status batchNormTrainBackward(const Tensor &x, const Tensor &gamma,
                              const Tensor &saveMean, const Tensor &saveInvstd,
                              const Tensor &dy, Tensor &dx, Tensor &dgamma,
                              Tensor &dbeta, Collective *sync = nullptr);

/// Backward of qnn.group_norm (Elementwise.h's groupNorm) over `groups`
/// groups of x [N, C, ...]'s channels: each sample and group's mean and
/// invstd recomputed from x as the forward computes them; with
/// g = dy gamma[c], dx = invstd (g - mean(g) - x̂ mean(g x̂)) (means over
/// the sample's group), dgamma = Σ dy x̂, dbeta = Σ dy (per channel, over
/// N and the spatial dims). Sums in double (docs/training-math.md).
Status groupNormBackward(const Tensor &x, const Tensor &gamma, const Tensor &dy,
                         int64_t groups, float eps, Tensor &dx, Tensor &dgamma,
                         Tensor &dbeta);

/// Softmax cross-entropy of logits [N, C] with integer labels [N] (i64 or
/// i32, in [0, C)): loss = mean_n(-log softmax(logits_n)[label_n]) and
/// dlogits = (softmax - onehot) / N, in one pass.
Status softmaxCrossEntropy(const Tensor &logits, const Tensor &labels,
                           float &loss, Tensor &dlogits);
/// loss = mean((pred - target)^2), dpred = 2 (pred - target) / numel.
Status mseLoss(const Tensor &pred, const Tensor &target, float &loss,
               Tensor &dpred);

/// The detection losses (qnn.sigmoid_focal_loss, qnn.giou_loss,
/// qnn.bce_with_logits_loss; docs/training-math.md): loss = (sum over the
/// elements) / norm and the gradient of the first operand, in one pass.
/// `norm` must be positive and finite. Focal: logits f32 [N, C, d...],
/// classes i32 [N, d...] in [-1, C) (-1: background).
Status sigmoidFocalLoss(const Tensor &logits, const Tensor &classes,
                        float norm, double alpha, double gamma, float &loss,
                        Tensor &dlogits);
/// pred, target f32 [N, 4, d...] (l, t, r, b); weight f32 [N, 1, d...];
/// positions of weight 0 are skipped.
Status giouLoss(const Tensor &pred, const Tensor &target, const Tensor &weight,
                float norm, float &loss, Tensor &dpred);
/// logits, target, weight f32 of one shape.
Status bceWithLogitsLoss(const Tensor &logits, const Tensor &target,
                         const Tensor &weight, float norm, float &loss,
                         Tensor &dlogits);

/// Index of the first NaN / ±Inf element of an f32 tensor, -1 if none.
int64_t firstNonFinite(const Tensor &t);
/// Ok, or InvalidArgument "non-finite value nan at index 17 of <what>
/// [shape]" so that training stops naming the op (`what`, e.g.
/// "conv2d_3 dW").
Status checkFinite(const Tensor &t, const char *what);

} // namespace qrt

#endif // QRT_TRAINOPS_H
