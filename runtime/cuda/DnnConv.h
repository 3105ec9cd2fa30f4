//===- DnnConv.h - convolutions on the GPU (cuDNN), host API ----*- C++ -*-===//
//
// The device mirrors of qrt's ConvPlan (Conv.h), Int8ConvPlan
// (IntKernels.h) and ConvBackwardPlan (BackwardConv.h), through cuDNN's
// graph (backend) API and, for int8 where cuDNN cannot be exact, cuBLASLt
// (docs/codegen.md, "CUDA"). Plain C++, no CUDA or cuDNN type: pointers are
// device pointers, `Stream` a cudaStream_t, host weights are uploaded at
// create().
//
// A plan chooses its cuDNN engine at create() (heuristics, skipping
// nondeterministic engines and, for fp32, TF32 / reduced-precision / FFT /
// Winograd ones) and finalizes the execution plan once per input shape. Like
// CudaKernels.h's calls, run() queues work and returns; no call allocates:
// scratch memory is the caller's `workspace` of workspaceBytes() (at least
// 256-byte aligned, e.g. from cudaMalloc; null when 0). Activation pointers
// must be 16-byte aligned. A plan owns its cuDNN / cuBLASLt handles (copies
// share them and the weights); one plan must not run on two streams at once.
// create() needs a device (Unsupported without); its argument errors are the
// CPU plans' and need none.
//
// ConvPlan and ConvBackwardPlan take a Precision (Precision.h): F32 by
// default; F16 keeps the same fp32 interface and computes in fp16 with fp32
// accumulation (docs/codegen.md, "fp16 plans"): x, the weights and dy are
// cast to fp16 in the workspace (runtime/HalfMath.h's rounding), cuDNN runs
// on fp16 tensors with FLOAT compute (tensor-core engines allowed, still no
// nondeterministic, reduced-precision-reduction, FFT or Winograd one) and
// writes an fp16 result, which the epilogue kernel reads back into fp32
// with the bias, sum and ReLU in fp32. HalfReference.h emulates it on the
// host.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_DNNCONV_H
#define QRT_CUDA_DNNCONV_H

#include "runtime/Conv.h"
#include "runtime/cuda/CudaBuffer.h"
#include "runtime/cuda/Precision.h"

#include <memory>
#include <string>

namespace qrt {
namespace cuda {

/// fp32 convolution, qrt::ConvPlan's semantics: groups, dilation,
/// asymmetric pads, fuseRelu, fuseSum (y holds the addend:
/// y = relu?(conv(x) + b + y)), src / dstChannelsLast (stored NHWC).
class ConvPlan {
public:
  /// `inputShape` as stored ([N, H, W, C] with params.srcChannelsLast);
  /// weight f32 [OC, C/g, KH, KW], bias f32 [OC] or undefined. F16: the
  /// plan keeps fp16 weights only (updateWeights* re-cast them).
  static Expected<ConvPlan> create(const Shape &inputShape,
                                   const Tensor &weight, const Tensor &bias,
                                   const Conv2dParams &params,
                                   Precision precision = Precision::F32);
  /// x of inputShape(), y of outputShape() (holding the addend with
  /// fuseSum).
  Status run(const float *x, float *y, void *workspace,
             Stream stream = nullptr) const;
  /// New host weights and bias of the plan's shapes; synchronous.
  Status updateWeights(const Tensor &weight, const Tensor &bias);
  /// New weights already on the device (bias null for a plan without),
  /// copied on `stream`.
  Status updateWeightsDevice(const float *weight, const float *bias,
                             Stream stream = nullptr);
  size_t workspaceBytes() const;
  const Shape &inputShape() const;
  const Shape &outputShape() const;
  /// "cudnn engine 0", the precision ("fp32" / "fp16") and how the layouts
  /// are handled.
  std::string implName() const;
  Precision precision() const;

  struct Impl;

private:
  std::shared_ptr<Impl> impl_;
};

/// How Int8ConvPlan computes its accumulators.
enum class Int8ConvPath {
  /// cuDNN's int8 convolution where it is exact for these weights (groups 1
  /// and every |accumulator| below 2^24, so that even an engine scaling in
  /// fp32 returns the exact integer) and has an engine; else Gemm.
  Auto,
  Cudnn, ///< cuDNN's int8 convolution or an error (tests).
  Gemm,  ///< im2col (our kernel) + cuBLASLt's int8 GEMM: exact always.
};

/// Int8 convolution accumulators: acc = Σ (x - zx) w + bias in int32,
/// bit-exact with qrt::Int8ConvPlan::runAccumulate. x u8 / i8 with zero
/// point zx (padding contributes nothing), weight s8 [OC, C/g, KH, KW], bias
/// i32 [OC] in accumulator units or undefined. params.srcChannelsLast /
/// dstChannelsLast make x / acc NHWC; fuseRelu / fuseSum are rejected.
///
/// Both paths convert x to s8 as x - shift (shift 128 for u8, 0 for i8) in
/// the workspace and add (shift - zx) Σ w per output channel, summed in int64
/// on the host at create (an error if it does not fit int32); the padding is
/// made zx - shift, so it contributes nothing either.
class Int8ConvPlan {
public:
  static Expected<Int8ConvPlan>
  create(const Shape &inputShape, DType inputDType, const Tensor &weight,
         const Tensor &bias, const Conv2dParams &params, int32_t inputZeroPoint,
         Int8ConvPath path = Int8ConvPath::Auto);
  /// acc i32 of outputShape().
  Status runAccumulate(const void *x, int32_t *acc, void *workspace,
                       Stream stream = nullptr) const;
  size_t workspaceBytes() const;
  const Shape &inputShape() const;
  const Shape &outputShape() const;
  /// "cudnn engine N (int8, ...)" or "im2col + cublasLt algo N (...)", with
  /// why cuDNN was not used.
  std::string implName() const;

  struct Impl;

private:
  std::shared_ptr<Impl> impl_;
};

/// Gradients of an fp32 convolution (qrt::ConvBackwardPlan): NCHW only,
/// weights passed per call. Deterministic: no nondeterministic cuDNN engine,
/// the bias gradient a fixed reduction tree.
class ConvBackwardPlan {
public:
  /// As qrt::ConvBackwardPlan::create (channels-last and fused sum / ReLU
  /// rejected). F16: x, dy and w are cast per call, dx and dw come back
  /// from fp16 (dbias is summed from the fp32 dy).
  static Expected<ConvBackwardPlan>
  create(const Shape &inputShape, const Shape &weightShape, bool withBias,
         const Conv2dParams &params, Precision precision = Precision::F32);
  /// dx [inputShape] from dy [outputShape] and w [weightShape].
  Status backwardData(const float *dy, const float *weight, float *dx,
                      void *workspace, Stream stream = nullptr) const;
  /// dw [weightShape] from x and dy; with bias also dbias [OC] = Σ_{N,H,W}
  /// dy (dbias ignored, may be null, for a plan without).
  Status backwardWeights(const float *x, const float *dy, float *dweight,
                         float *dbias, void *workspace,
                         Stream stream = nullptr) const;
  /// Enough for either call.
  size_t workspaceBytes() const;
  const Shape &inputShape() const;
  const Shape &outputShape() const;
  const Shape &weightShape() const;
  /// "data: cudnn engine N, weights: cudnn engine M" (with "fp16" and the
  /// layout cuDNN runs in for F16).
  std::string implName() const;
  Precision precision() const;

  struct Impl;

private:
  std::shared_ptr<Impl> impl_;
};

} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_DNNCONV_H
