//===- CudaStatus.h - internal: CUDA runtime errors as qrt::Status -*- C++ -*-//
//
// Internal to qrt_cuda (it includes the CUDA runtime header, which the
// public headers never do).
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_CUDASTATUS_H
#define QRT_CUDA_CUDASTATUS_H

#include "runtime/Status.h"

#include <cuda_runtime_api.h>

#include <string>

namespace qrt {
namespace cuda {
namespace detail {

/// Ok for cudaSuccess; otherwise "cuda: <what>: <name>: <description>",
/// Unsupported when there is no usable device or driver, else Internal.
inline Status check(cudaError_t e, const std::string &what) {
  if (e == cudaSuccess)
    return Status::ok();
  bool noDevice = e == cudaErrorNoDevice || e == cudaErrorInsufficientDriver ||
                  e == cudaErrorNoKernelImageForDevice ||
                  e == cudaErrorInvalidDevice;
  return Status::error(noDevice ? ErrorCode::Unsupported : ErrorCode::Internal,
                       "cuda: " + what + ": " + cudaGetErrorName(e) + ": " +
                           cudaGetErrorString(e));
}

/// The error of the last kernel launch (cleared), as a Status.
inline Status checkLaunch(const char *kernel) {
  return check(cudaGetLastError(), std::string("launching ") + kernel);
}

inline cudaStream_t stream(void *s) { return static_cast<cudaStream_t>(s); }

} // namespace detail
} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_CUDASTATUS_H
