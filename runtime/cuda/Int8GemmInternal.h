//===- Int8GemmInternal.h - exact int8 accumulators -------------*- C++ -*-===//
//
// The int8 accumulators acc = Σ (x - zx) w + bias of a (grouped) convolution
// or a linear layer (a 1x1 convolution of a 1x1 image), bit-exact with the
// CPU's Int8ConvPlan / Int8LinearPlan::runAccumulate, in three steps:
//   1. x - shift as s8 (shift 128 for u8 inputs, 0 for i8), into the im2col
//      matrix (the convolution's padding as zx - shift, which contributes
//      nothing once compensated), in the workspace;
//   2. cuBLASLt's int8 GEMM (CUBLAS_COMPUTE_32I, int32 out; exact in any
//      summation order), one strided batch per group;
//   3. + bias[o] + (shift - zx) Σ w[o] per output channel (the terms summed
//      on the host at create, mod 2^32), scattered to NCHW / NHWC.
// Implemented in Int8Gemm.cpp; shared by DnnConv.cpp (Int8ConvPlan's GEMM path)
// and Gemm.cpp (Int8LinearPlan). Internal to qrt_cuda.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_INT8GEMMINTERNAL_H
#define QRT_CUDA_INT8GEMMINTERNAL_H

#include "runtime/cuda/ConvPrepInternal.h"
#include "runtime/cuda/CudaBuffer.h"
#include "runtime/cuda/LtMatmulInternal.h"

namespace qrt {
namespace cuda {
namespace detail {

class Int8GemmConv {
public:
  /// weight s8 [OC, C/g, KH, KW] and bias i32 [OC] (or null) on the host.
  /// `layer` names the layer in errors.
  static Expected<Int8GemmConv>
  create(const ConvGeometry &g, const int8_t *weight, const int32_t *bias,
         DType inputDType, int32_t inputZeroPoint, bool srcChannelsLast,
         bool dstChannelsLast, const std::string &layer);
  Status run(const void *x, int32_t *acc, void *workspace, Stream stream) const;
  size_t workspaceBytes() const { return total_; }
  std::string name() const;

private:
  ConvGeometry g_;
  Im2colLayout l_;
  Int8Shift shift_;
  bool inputU8_ = true, srcChannelsLast_ = false, dstChannelsLast_ = false;
  std::shared_ptr<CudaBuffer> weights_, terms_;
  LtMatmul matmul_;
  size_t colsOffset_ = 0, rawOffset_ = 0, ltOffset_ = 0, total_ = 0;
};

} // namespace detail
} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_INT8GEMMINTERNAL_H
