//===- Gemm.h - linear layers on the GPU (cuBLASLt), host API ---*- C++ -*-===//
//
// The device mirrors of qrt's fp32 LinearPlan (Conv.h), Int8LinearPlan
// (IntKernels.h) and LinearBackwardPlan (BackwardConv.h), through cuBLASLt
// (docs/codegen.md, "CUDA"). Plain C++, no CUDA type: pointers are device
// pointers, `Stream` a cudaStream_t, host weights are uploaded at create().
//
// Like CudaKernels.h's calls, run() queues work and returns; no call
// allocates: scratch memory is the caller's `workspace` of workspaceBytes()
// (at least 256-byte aligned, e.g. from cudaMalloc; null when 0). A plan owns
// its cuBLASLt handle (copies share it and the weights); one plan must not
// run on two streams at once. create() needs a device (Unsupported without);
// its argument errors are the CPU plans' and need none.
//
// fp32 runs with CUBLAS_COMPUTE_32F: no TF32, no emulation; the bias and
// ReLU are cuBLASLt's epilogue. int8 runs with CUBLAS_COMPUTE_32I into int32
// accumulators (Int8Gemm.h): bit-exact with the CPU.
//
// LinearPlan and LinearBackwardPlan take a Precision (Precision.h): F32 by
// default; F16 keeps the fp32 interface, casts x, the weights and dy to fp16
// in the workspace (runtime/HalfMath.h's rounding; the forward plan keeps
// fp16 weights only) and multiplies CUDA_R_16F A / B into fp32 D with
// CUBLAS_COMPUTE_32F (tensor cores, fp32 accumulation), bias and ReLU in
// cuBLASLt's fp32 epilogue (docs/codegen.md, "fp16 plans"; HalfReference.h
// emulates it on the host).
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_GEMM_H
#define QRT_CUDA_GEMM_H

#include "runtime/Tensor.h"
#include "runtime/cuda/CudaBuffer.h"
#include "runtime/cuda/Precision.h"

#include <memory>
#include <string>

namespace qrt {
namespace cuda {

/// y [N, M] = relu?(x [N, K] Wᵀ + b), W [M, K] (qrt::LinearPlan).
class LinearPlan {
public:
  static Expected<LinearPlan> create(const Shape &inputShape,
                                     const Tensor &weight, const Tensor &bias,
                                     bool fuseRelu = false,
                                     Precision precision = Precision::F32);
  Status run(const float *x, float *y, void *workspace,
             Stream stream = nullptr) const;
  /// New host weights (and bias) of the plan's shapes; synchronous.
  Status updateWeights(const Tensor &weight, const Tensor &bias);
  /// New weights already on the device (bias null for a plan without),
  /// copied on `stream` (training: the optimizer's output).
  Status updateWeightsDevice(const float *weight, const float *bias,
                             Stream stream = nullptr);
  size_t workspaceBytes() const;
  const Shape &inputShape() const;
  const Shape &outputShape() const;
  std::string implName() const;
  Precision precision() const;

  struct Impl;

private:
  std::shared_ptr<Impl> impl_;
};

/// acc [N, M] = Σ_k (x[n, k] - zx) W[m, k] + bias[m], int32, x u8 / i8,
/// W s8, bias i32 (accumulator units) or undefined: bit-exact with
/// qrt::Int8LinearPlan::runAccumulate.
class Int8LinearPlan {
public:
  static Expected<Int8LinearPlan> create(const Shape &inputShape,
                                         DType inputDType, const Tensor &weight,
                                         const Tensor &bias,
                                         int32_t inputZeroPoint);
  Status runAccumulate(const void *x, int32_t *acc, void *workspace,
                       Stream stream = nullptr) const;
  size_t workspaceBytes() const;
  const Shape &outputShape() const;
  std::string implName() const;

  struct Impl;

private:
  std::shared_ptr<Impl> impl_;
};

/// Backward of y = x Wᵀ + b, x [N, K], W [M, K] (qrt::LinearBackwardPlan,
/// the linear_grad_input / linear_grad_weight kernels): dx = dy W,
/// dW = dyᵀ x, db = Σ_N dy (a fixed reduction tree: deterministic).
class LinearBackwardPlan {
public:
  /// F16: dy, w and x are cast per call; dbias is summed from the fp32 dy.
  static Expected<LinearBackwardPlan>
  create(const Shape &inputShape, const Shape &weightShape, bool withBias,
         Precision precision = Precision::F32);
  /// dy [N, M], w [M, K] -> dx [N, K].
  Status backwardData(const float *dy, const float *weight, float *dx,
                      void *workspace, Stream stream = nullptr) const;
  /// x [N, K], dy [N, M] -> dweight [M, K] and, with bias, dbias [M]
  /// (ignored, may be null, for a plan without bias).
  Status backwardWeights(const float *x, const float *dy, float *dweight,
                         float *dbias, void *workspace,
                         Stream stream = nullptr) const;
  size_t workspaceBytes() const;
  std::string implName() const;
  Precision precision() const;

  struct Impl;

private:
  std::shared_ptr<Impl> impl_;
};

} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_GEMM_H
