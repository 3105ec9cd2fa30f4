//===- LtMatmulInternal.h - one GEMM through cuBLASLt -----------*- C++ -*-===//
//
// A cuBLASLt matmul chosen once (heuristics, at create) and run per call:
// D (column-major m x n, ldc) = op(A) op(B), fp32 with CUBLAS_COMPUTE_32F
// (never a TF32 or emulated compute type), optionally with cuBLASLt's bias /
// ReLU epilogue; or fp16 A / B with fp32 D, CUBLAS_COMPUTE_32F and the same
// epilogue (the F16 plans, Precision.h); or int8 A / B with int32 D and
// CUBLAS_COMPUTE_32I (exact at any summation order). Strided batches for grouped convolutions. Internal
// to qrt_cuda (it names cuBLASLt types).
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_LTMATMULINTERNAL_H
#define QRT_CUDA_LTMATMULINTERNAL_H

#include "runtime/Status.h"

#include <cublasLt.h>

#include <memory>
#include <string>

namespace qrt {
namespace cuda {
namespace detail {

/// Ok for CUBLAS_STATUS_SUCCESS, else "cublasLt: <what>: <name>: <text>".
Status checkCublas(cublasStatus_t s, const std::string &what);

/// A cuBLASLt handle owned by a plan and its copies (needs a device).
using LtHandle = std::shared_ptr<cublasLtContext>;
Expected<LtHandle> createLtHandle(const std::string &what);

struct MatmulSpec {
  /// int8 A / B, int32 D, CUBLAS_COMPUTE_32I; else fp32 throughout.
  bool int8 = false;
  /// fp16 A / B (CUDA_R_16F), fp32 C / D, bias and scale, COMPUTE_32F.
  bool halfInputs = false;
  bool transA = false, transB = false;
  int64_t m = 0, n = 0, k = 0, lda = 0, ldb = 0, ldc = 0;
  int64_t batch = 1, strideA = 0, strideB = 0, strideC = 0;
  /// fp32 only: D += bias[row] (length m, device, fixed for the plan's
  /// life) and / or ReLU, in cuBLASLt's epilogue.
  const float *bias = nullptr;
  bool relu = false;
  /// The alignment in bytes that every pointer passed to run() has.
  int alignment = 4;
  /// A's and B's, where larger (0: `alignment`): fp16 operands in the
  /// plan's own buffers are 256-byte aligned, which opens the tensor-core
  /// kernels' vector loads.
  int abAlignment = 0;
};

class LtMatmul {
public:
  /// Unsupported, naming `layer`, when cuBLASLt has no algorithm for it.
  static Expected<LtMatmul> create(const LtHandle &handle,
                                   const MatmulSpec &spec,
                                   const std::string &layer);
  /// D = op(A) op(B) (+ epilogue), queued on `stream`.
  Status run(const void *a, const void *b, void *d, void *workspace,
             void *stream) const;
  size_t workspaceBytes() const;
  /// "cublasLt algo 21 (fp32)".
  const std::string &name() const;

  struct State;

private:
  std::shared_ptr<State> s_;
};

/// The most workspace a plan lets cuBLASLt's heuristics ask for.
constexpr size_t kLtWorkspaceLimit = size_t(32) << 20;

} // namespace detail
} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_LTMATMULINTERNAL_H
