//===- CudnnGraphInternal.h - a convolution via cuDNN's graph ---*- C++ -*-===//
//
// cuDNN's backend (graph) API, used directly (cudnn.h; no frontend): a
// graph of one convolution operation (forward, backward data or backward
// filter), engine configurations from heuristics (CUDNN_HEUR_MODE_A, then
// FALLBACK), filtered by their numerical notes, and the first one that
// finalizes becomes the plan's execution plan, built once at create() and
// run per call with a variant pack of the caller's pointers and workspace.
// Internal to qrt_cuda (it names cuDNN types).
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_CUDNNGRAPHINTERNAL_H
#define QRT_CUDA_CUDNNGRAPHINTERNAL_H

#include "runtime/Status.h"
#include "runtime/cuda/ConvIndexInternal.h"

#include <cudnn.h>

#include <cstdint>
#include <memory>
#include <string>

namespace qrt {
namespace cuda {
namespace detail {

/// Ok for CUDNN_STATUS_SUCCESS; otherwise "cudnn: <what>: <status>: <last
/// error message>" (Internal; Unsupported for NOT_SUPPORTED statuses).
Status checkCudnn(cudnnStatus_t s, const std::string &what);

/// A cuDNN handle owned by a plan (and its copies). Creating one needs a
/// device: Unsupported without.
using CudnnHandle = std::shared_ptr<struct cudnnContext>;
Expected<CudnnHandle> createCudnnHandle(const std::string &what);

/// One backend descriptor, destroyed with its last owner.
class BackendDescriptor {
public:
  static Expected<BackendDescriptor> create(cudnnBackendDescriptorType_t type,
                                            const std::string &what);
  cudnnBackendDescriptor_t get() const { return d_.get(); }

private:
  std::shared_ptr<void> d_;
};

enum class ConvDirection { Forward, BackwardData, BackwardFilter };

/// A 4-D tensor: logical NCHW (KCRS for filters) dims and the strides of
/// its stored layout.
struct TensorSpec {
  cudnnDataType_t type = CUDNN_DATA_FLOAT;
  int64_t dims[4] = {0, 0, 0, 0};
  int64_t strides[4] = {0, 0, 0, 0};
  static TensorSpec nchw(cudnnDataType_t type, int64_t n, int64_t c, int64_t h,
                         int64_t w);
  static TensorSpec nhwc(cudnnDataType_t type, int64_t n, int64_t c, int64_t h,
                         int64_t w);
};

struct ConvGraphSpec {
  ConvDirection direction = ConvDirection::Forward;
  /// x (dx), w (dw), y (dy): the convolution's input, filter and output.
  TensorSpec x, w, y;
  cudnnDataType_t computeType = CUDNN_DATA_FLOAT;
  /// Stride, dilation and pads of the convolution (groups come from the
  /// channel counts of x and w).
  ConvGeometry geometry;
  /// fp32: no engine with tensor cores (TF32), down-converted inputs,
  /// reduced-precision reduction, FFT or Winograd. Always: no
  /// nondeterministic engine.
  bool exactFloat = true;
  /// With exactFloat, still allow TENSOR_CORE engines: for fp16 tensors
  /// with FLOAT compute (the F16 plans, Precision.h), whose products are
  /// exact in fp32 and whose sums stay fp32 since reduced-precision
  /// reduction is still refused.
  bool tensorCores = false;
};

/// A finalized execution plan of one convolution.
class CudnnConvGraph {
public:
  /// Fails with Unsupported, naming `layer`, when no engine qualifies.
  static Expected<CudnnConvGraph> build(const CudnnHandle &handle,
                                        const ConvGraphSpec &spec,
                                        const std::string &layer);
  /// Queues the convolution on `stream`. Pointers by role: x, w, y (for
  /// backward data dx is written; for backward filter dw).
  Status execute(const void *x, const void *w, const void *y, void *workspace,
                 void *stream) const;
  size_t workspaceBytes() const { return workspace_; }
  /// "cudnn engine 1" (the engine's global index).
  const std::string &engineName() const { return engine_; }

private:
  CudnnHandle handle_;
  BackendDescriptor plan_;
  size_t workspace_ = 0;
  std::string engine_, layer_;
};

} // namespace detail
} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_CUDNNGRAPHINTERNAL_H
