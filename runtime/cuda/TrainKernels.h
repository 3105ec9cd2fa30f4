//===- TrainKernels.h - qrt's CUDA kernels: the rest of a program -*- C++ -*-===//
//
// The CUDA entry points that the float, fake-quantized, integer, calibration
// and training programs need besides the convolutions / GEMMs and the first
// slice (CudaKernels.h): elementwise ops and their gradients, data
// movement, storage quantization, pooling, training batch norm, losses,
// optimizer steps and the fake-quant backward passes (issue #14;
// docs/codegen.md, "CUDA"). Each mirrors a CPU kernel of qrt, named in its
// comment. Conventions as CudaKernels.h: plain C++, device pointers, a
// `Stream`, a Status for bad arguments and launch errors, no allocation
// (scratch in the caller's `workspace`, sized by the `...WorkspaceBytes`
// function next to the call).
//
// Exactness. Elements are computed by the QRT_HD functions the CPU kernels
// call (TrainMath.h, PoolMath.h, ElementMath.h, QuantMath.h), compiled
// with --fmad=false and IEEE division / square root: every elementwise,
// data-movement, pooling and optimizer result equals the CPU's bit for bit,
// and so do the sums the CPU makes in a fixed sequential order (pool
// windows, global average pool, the max / avg pool gradients, MSE's loss).
// Reductions the CPU splits by thread or lane (batch-norm statistics,
// reduce_to / bias_grad, the quantizers' parameter gradients) are summed
// here in double in a fixed two-stage tree: deterministic, and within 1e-5
// relative of the CPU's (in practice the same float after rounding). exp,
// log, tanh and pow come from the device's libm (softmax cross-entropy,
// DoReFa weights, AdaRound, Adam's bias corrections): within a few ulps.
// Outputs may alias an operand of the same shape where a comment says so.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_TRAINKERNELS_H
#define QRT_CUDA_TRAINKERNELS_H

#include "runtime/Optimizer.h"
#include "runtime/Pool.h"
#include "runtime/cuda/CudaKernels.h"

#include <functional>
#include <vector>

namespace qrt {
namespace cuda {

//===-- Elementwise (runtime/Elementwise.h, TrainOps.h) -------------------===//

/// qrt::add with numpy broadcasting: y has broadcastShapes(aShape, bShape)
/// (rank <= 8). y may be a or b when that operand has y's shape.
Status add(const float *a, const Shape &aShape, const float *b,
           const Shape &bShape, float *y, Stream stream = nullptr);
/// qrt::clip: min(max(x, lo), hi). y may be x.
Status clip(const float *x, float lo, float hi, int64_t numel, float *y,
            Stream stream = nullptr);
/// reluBackward (the relu_grad kernel): dx = y > 0 ? dy : 0, y the relu's
/// output. dx may be dy.
Status reluGrad(const float *y, const float *dy, int64_t numel, float *dx,
                Stream stream = nullptr);
/// clipBackward (clip_grad): dx = lo < x < hi ? dy : 0. dx may be dy.
Status clipGrad(const float *x, const float *dy, float lo, float hi,
                int64_t numel, float *dx, Stream stream = nullptr);

//===-- Data movement (ShapeOps.h, TrainOps.h) ----------------------------===//

/// padConstant: x of `xShape` (rank <= 8) and `dtype` (f32, i8, u8, i32,
/// i64), ONNX pads [b_0.., e_0..] >= 0, y of the padded shape; `value`
/// converted to the dtype as the CPU does (static_cast).
Status pad(const void *x, const Shape &xShape, DType dtype,
           const std::vector<int64_t> &pads, double value, void *y,
           Stream stream = nullptr);
/// padBackward (pad_grad; pads may be negative) of dy (the padded shape)
/// into dx of `xShape`; with `reluY` (x's shape) and optionally `addend`
/// (x's shape), padBackwardAddReluBackward (pad_grad_add_relu):
/// dx = reluY > 0 ? addend + pad_grad(dy) : 0. addend without reluY adds.
Status padGrad(const float *dy, const Shape &xShape,
               const std::vector<int64_t> &pads, const float *addend,
               const float *reluY, float *dx, Stream stream = nullptr);
/// The slice kernel: [start, start + size) of `axis` of x into y.
Status slice(const float *x, const Shape &xShape, int64_t axis, int64_t start,
             int64_t size, float *y, Stream stream = nullptr);

//===-- Sums over broadcast dimensions (TrainOps.h) -----------------------===//

/// reduceSumToShape (reduce_to): x summed down to `outShape` (right-aligned
/// numpy broadcasting, rank <= 8); in double, two stages, per output a
/// fixed tree.
size_t reduceToWorkspaceBytes(const Shape &inShape, const Shape &outShape);
Status reduceTo(const float *x, const Shape &inShape, const Shape &outShape,
                float *y, void *workspace, size_t workspaceBytes,
                Stream stream = nullptr);
/// bias_grad: Σ dy over every axis but 1 into db [C].
size_t biasGradWorkspaceBytes(const Shape &dyShape);
Status biasGrad(const float *dy, const Shape &dyShape, float *db,
                void *workspace, size_t workspaceBytes,
                Stream stream = nullptr);

//===-- Integer storage (IntKernels.h) ------------------------------------===//

/// qrt::quantize: f32 -> `dtype` (I8 / U8) within `range` (a sub-range of
/// the dtype's), scale / zeroPoint f32 [g.numGroups] on the device.
Status quantize(const float *x, const float *scale, const float *zeroPoint,
                QuantRange range, const GroupShape &g, DType dtype, void *q,
                Stream stream = nullptr);
/// qrt::dequantize: I8 / U8 / I32 -> f32, (q - z) s.
Status dequantize(const void *q, DType dtype, const float *scale,
                  const float *zeroPoint, const GroupShape &g, float *x,
                  Stream stream = nullptr);

//===-- Pooling (Pool.h, TrainOps.h, IntKernels.h) ------------------------===//

/// globalAvgPool: [N, C, H, W] -> [N, C, 1, 1]; one plane per thread, summed
/// in order as the CPU does.
Status globalAvgPool(const float *x, const Shape &xShape, float *y,
                     Stream stream = nullptr);
/// globalAvgPoolBackward: dy [N, C, 1, 1] -> dx [N, C, H, W].
Status globalAvgPoolGrad(const float *dy, const Shape &xShape, float *dx,
                         Stream stream = nullptr);
/// maxPool2d / avgPool2d on NCHW f32 (y of pool2dOutputShape).
Status maxPool2d(const float *x, const Shape &xShape, const Pool2dParams &p,
                 float *y, Stream stream = nullptr);
Status avgPool2d(const float *x, const Shape &xShape, const Pool2dParams &p,
                 float *y, Stream stream = nullptr);
/// maxPool2dBackward / avgPool2dBackward, gathered per input element: each
/// adds its windows' contributions in output order, as the CPU's scatter
/// does, so the sums are the CPU's bit for bit.
Status maxPool2dGrad(const float *x, const Shape &xShape,
                     const Pool2dParams &p, const float *dy, float *dx,
                     Stream stream = nullptr);
Status avgPool2dGrad(const Shape &xShape, const Pool2dParams &p,
                     const float *dy, float *dx, Stream stream = nullptr);
/// maxPool2dInt8 (max_pool_int8): u8 / i8, `xShape` as stored (NHWC when
/// channelsLast), y in the same layout.
Status maxPool2dInt8(const void *x, const Shape &xShape, DType dtype,
                     const Pool2dParams &p, bool channelsLast, void *y,
                     Stream stream = nullptr);

//===-- Batch norm, training (TrainOps.h) ---------------------------------===//

/// Synchronized batch norm (a data-parallel run; TrainOps.h's `sync`):
/// `allReduceSum` sums a device buffer of doubles over the ranks, in place,
/// queued on the kernel's stream (NcclCollective.h); `weight` is the rank's
/// share of the global batch (qrt::gradientWeight(), the backward's).
struct BnSync {
  std::function<Status(double *data, int64_t n)> allReduceSum;
  double weight = 1.0;
};

/// batchNormTrainForward over axis 1 of x [N, C, ...]: y, saveMean [C],
/// saveInvstd [C], and (when runMeanIn / runVarIn are given) the updated
/// running statistics into runMeanOut / runVarOut (which may be the
/// inputs). gamma / beta null: affine = false. With `sync`, the CPU's
/// synchronized passes: the per-channel sums and the count, then the
/// squared deviations from the global mean, each summed over the ranks.
size_t batchNormTrainWorkspaceBytes(const Shape &xShape);
Status batchNormTrain(const float *x, const Shape &xShape, const float *gamma,
                      const float *beta, const float *runMeanIn,
                      const float *runVarIn, float momentum, float eps,
                      float *y, float *saveMean, float *saveInvstd,
                      float *runMeanOut, float *runVarOut, void *workspace,
                      size_t workspaceBytes, Stream stream = nullptr,
                      const BnSync *sync = nullptr);
/// batchNormTrainBackward: dx, and dgamma / dbeta [C] when gamma is given.
/// With `sync`, the CPU's: the sums weighed by sync->weight and the count
/// summed over the ranks, dgamma / dbeta the global sums, dx from the
/// global sums divided by the weight.
size_t batchNormGradWorkspaceBytes(const Shape &xShape);
Status batchNormGrad(const float *x, const Shape &xShape, const float *gamma,
                     const float *saveMean, const float *saveInvstd,
                     const float *dy, float *dx, float *dgamma, float *dbeta,
                     void *workspace, size_t workspaceBytes,
                     Stream stream = nullptr, const BnSync *sync = nullptr);

//===-- Data parallelism (the all_reduce kernel) -------------------------===//

/// y = x * s (f32, the CPU all_reduce's float product); y may be x.
Status scaleByValue(const float *x, float s, int64_t numel, float *y,
                    Stream stream = nullptr);

//===-- Losses (TrainOps.h) -----------------------------------------------===//

/// softmaxCrossEntropy of logits [n, c] and labels [n] (I64 or I32 on the
/// device): loss (f32 [1], device) and dlogits [n, c]. A row per thread, the
/// rows' losses summed in row order. A label outside [0, c) (the CPU's
/// error, not checked here) makes its row's loss and gradient NaN.
size_t softmaxCrossEntropyWorkspaceBytes(int64_t n);
Status softmaxCrossEntropy(const float *logits, int64_t n, int64_t c,
                           const void *labels, DType labelDType, float *loss,
                           float *dlogits, void *workspace,
                           size_t workspaceBytes, Stream stream = nullptr);
/// mseLoss: loss (f32 [1], device) and dpred; the CPU's chunks and order,
/// so the loss is the CPU's bit for bit.
size_t mseLossWorkspaceBytes(int64_t numel);
Status mseLoss(const float *pred, const float *target, int64_t numel,
               float *loss, float *dpred, void *workspace,
               size_t workspaceBytes, Stream stream = nullptr);

//===-- Optimizers (Optimizer.h; the sgd_update / adam_update kernels) ----===//

/// sgdStep: param and the momentum buffer read from *In, written to *Out
/// (which may be the inputs). lr is f32 [1] on the device (the plan's
/// operand; options.lr is not read). `firstStep`: the buffer is initialized
/// to the gradient (torch's first step; the plan's kernel passes false, its
/// buffer starting at zero). With momentum 0 the buffers are not touched.
Status sgdUpdate(const float *paramIn, const float *grad,
                 const float *bufferIn, const float *lr, int64_t numel,
                 const SgdOptions &options, bool firstStep, float *paramOut,
                 float *bufferOut, Stream stream = nullptr);
/// adamStep with `step` the f32 [1] device operand holding this update's
/// 1-based number (as adam_update takes it) and lr f32 [1]. maxExpAvgSq
/// (amsgrad) may be null: then it is zeros, as the plan's kernel passes no
/// max buffer. Outputs may be the inputs.
Status adamUpdate(const float *paramIn, const float *grad,
                  const float *expAvgIn, const float *expAvgSqIn,
                  float *maxExpAvgSq, const float *lr, const float *step,
                  int64_t numel, const AdamOptions &options, float *paramOut,
                  float *expAvgOut, float *expAvgSqOut,
                  Stream stream = nullptr);

//===-- Fake-quant backward (FakeQuant.h; the fake_quant_grad kernel) -----===//
//
// x and dy f32 [g.numel]; dx f32 [g.numel] (may be dy); parameters and
// their gradients f32 [g.numGroups] on the device. Parameter gradients are
// reduced per group in double in two stages (workspace:
// paramGradWorkspaceBytes(g, number of parameter gradients)) and scaled as
// the CPU does. LSQ's gradScale is decided at plan time (exec's
// lsqGradScale over qmath::gradScaleFactor).

size_t paramGradWorkspaceBytes(const GroupShape &g, int numParams);

/// fakeQuantAffineBackward (STE inside the grid).
Status fakeQuantAffineGrad(const float *x, const float *scale,
                           const float *zeroPoint, QuantRange range,
                           const GroupShape &g, const float *dy, float *dx,
                           Stream stream = nullptr);
/// lsqBackward: dx and dscale (1 parameter).
Status lsqGrad(const float *x, const float *scale, float qn, float qp,
               const GroupShape &g, float gradScale, const float *dy,
               float *dx, float *dscale, void *workspace,
               size_t workspaceBytes, Stream stream = nullptr);
/// lsqPlusBackward: dx, dscale and dbeta (2 parameters).
Status lsqPlusGrad(const float *x, const float *scale, const float *beta,
                   float qn, float qp, const GroupShape &g, float gradScale,
                   const float *dy, float *dx, float *dscale, float *dbeta,
                   void *workspace, size_t workspaceBytes,
                   Stream stream = nullptr);
/// pactBackward: dx and dalpha (1 parameter).
Status pactGrad(const float *x, const float *alpha, const GroupShape &g,
                const float *dy, float *dx, float *dalpha, void *workspace,
                size_t workspaceBytes, Stream stream = nullptr);
/// dorefaActivationBackward (host scalar clip > 0, per tensor).
Status dorefaActivationGrad(const float *x, float clip, int64_t numel,
                            const float *dy, float *dx,
                            Stream stream = nullptr);
/// dorefaWeightBackward, bits > 1 or 1; the per-group max |tanh w| and,
/// unless maxAsConstant, the gradient through it (to each group's first
/// argmax) are computed here (workspace: dorefaWeightGradWorkspaceBytes).
/// tanh is the device's: within a few ulps of the CPU.
size_t dorefaWeightGradWorkspaceBytes(const GroupShape &g);
Status dorefaWeightGrad(const float *w, int bits, const GroupShape &g,
                        bool maxAsConstant, const float *dy, float *dx,
                        void *workspace, size_t workspaceBytes,
                        Stream stream = nullptr);
/// xnorWeightBackward: dx = dy (mean|w| of the group, scaleByAlpha) sign'(w)
/// (workspace: paramGradWorkspaceBytes(g, 1) + numGroups floats, see
/// xnorWeightGradWorkspaceBytes).
size_t xnorWeightGradWorkspaceBytes(const GroupShape &g);
Status xnorWeightGrad(const float *w, const GroupShape &g, GradType type,
                      bool scaleByAlpha, const float *dy, float *dx,
                      void *workspace, size_t workspaceBytes,
                      Stream stream = nullptr);
/// xnorWeightScaledBackward (XNOR++): dx and dscale (1 parameter).
Status xnorWeightScaledGrad(const float *w, const float *scale,
                            const GroupShape &g, GradType type,
                            const float *dy, float *dx, float *dscale,
                            void *workspace, size_t workspaceBytes,
                            Stream stream = nullptr);
/// signActivationBackward.
Status signActivationGrad(const float *x, GradType type, int64_t numel,
                          const float *dy, float *dx, Stream stream = nullptr);
/// lqnetBackward (weights, STE): dx = dy * 1.
Status lqnetGrad(const float *dy, int64_t numel, float *dx,
                 Stream stream = nullptr);
/// lqnetActivationBackward: basis [g.numGroups, k] (device), k in [1, 8];
/// workspace: lqnetWorkspaceBytes(g.numGroups, k).
Status lqnetActivationGrad(const float *x, const float *basis, int k,
                           bool signedCodes, const GroupShape &g,
                           const float *dy, float *dx, void *workspace,
                           size_t workspaceBytes, Stream stream = nullptr);
/// nonUniformBackward (per tensor): dx and dalpha [numAlpha] (1..16 ramps,
/// each > 0: not checked on the device); workspace:
/// paramGradWorkspaceBytes(GroupShape::perTensor(numel), numAlpha).
Status nonUniformGrad(const float *x, const float *alpha, int64_t numAlpha,
                      int64_t numel, const float *dy, float *dx,
                      float *dalpha, void *workspace, size_t workspaceBytes,
                      Stream stream = nullptr);
/// adaroundBackward: dv = dy s h'(V) inside the grid; zeroPoint may be null
/// (0). expf is the device's: within a few ulps.
Status adaroundGrad(const float *w, const float *scale, const float *zeroPoint,
                    const float *v, QuantRange range, const GroupShape &g,
                    const float *dy, float *dv, Stream stream = nullptr);

} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_TRAINKERNELS_H
