//===- CudaBuffer.h - device memory, owned ----------------------*- C++ -*-===//
//
// RAII for one cudaMalloc'ed block, and the copies between it and host
// memory or qrt tensors. Plain C++ (no CUDA types): a program that uses qrt's
// CUDA kernels (CudaKernels.h) compiles without the CUDA headers.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_CUDABUFFER_H
#define QRT_CUDA_CUDABUFFER_H

#include "runtime/Status.h"
#include "runtime/Tensor.h"

#include <cstddef>

namespace qrt {
namespace cuda {

/// A cudaStream_t; nullptr is the legacy default stream.
using Stream = void *;

/// Device memory of one allocation, freed by the destructor. Move-only.
class CudaBuffer {
public:
  CudaBuffer() = default;
  ~CudaBuffer();
  CudaBuffer(CudaBuffer &&other) noexcept;
  CudaBuffer &operator=(CudaBuffer &&other) noexcept;
  CudaBuffer(const CudaBuffer &) = delete;
  CudaBuffer &operator=(const CudaBuffer &) = delete;

  /// `bytes` of device memory on the current device (0 bytes: an empty
  /// buffer, no allocation). Fails with Unsupported when there is no device
  /// or driver.
  static Expected<CudaBuffer> allocate(size_t bytes);
  /// A buffer holding a copy of `t`'s bytes.
  static Expected<CudaBuffer> fromTensor(const Tensor &t);

  void *data() const { return data_; }
  template <typename T> T *as() const { return static_cast<T *>(data_); }
  size_t bytes() const { return bytes_; }

  /// Copies `bytes` from host memory to the start of the buffer, or back.
  /// Both return when the copy is done (they synchronize `stream`, so
  /// kernels queued on it before have finished).
  Status copyFromHost(const void *src, size_t bytes, Stream stream = nullptr);
  Status copyToHost(void *dst, size_t bytes, Stream stream = nullptr) const;
  /// Copies the buffer's first t.nbytes() bytes into `t` (defined, with the
  /// shape and dtype the caller expects).
  Status copyToTensor(Tensor &t, Stream stream = nullptr) const;
  /// Sets every byte to `value` (asynchronous on `stream`).
  Status fill(int value, Stream stream = nullptr);

private:
  void *data_ = nullptr;
  size_t bytes_ = 0;
};

} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_CUDABUFFER_H
