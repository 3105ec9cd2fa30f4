//===- CudaBuffer.cpp -----------------------------------------------------===//

#include "runtime/cuda/CudaBuffer.h"
#include "runtime/cuda/CudaStatus.h"

#include <utility>

namespace qrt {
namespace cuda {

using detail::check;

CudaBuffer::~CudaBuffer() {
  // A destructor cannot report; a failing cudaFree means the context is
  // already broken, which the next checked call reports.
  if (data_)
    (void)cudaFree(data_);
}

CudaBuffer::CudaBuffer(CudaBuffer &&other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)) {}

CudaBuffer &CudaBuffer::operator=(CudaBuffer &&other) noexcept {
  if (this != &other) {
    if (data_)
      (void)cudaFree(data_);
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

Expected<CudaBuffer> CudaBuffer::allocate(size_t bytes) {
  CudaBuffer b;
  if (bytes == 0)
    return b;
  QRT_RETURN_IF_ERROR(check(cudaMalloc(&b.data_, bytes),
                            "cudaMalloc(" + std::to_string(bytes) + " bytes)"));
  b.bytes_ = bytes;
  return b;
}

Expected<CudaBuffer> CudaBuffer::fromTensor(const Tensor &t) {
  if (!t.defined())
    return invalidArgument("CudaBuffer::fromTensor: undefined tensor");
  Expected<CudaBuffer> b = allocate(t.nbytes());
  if (!b)
    return b.status();
  QRT_RETURN_IF_ERROR(b->copyFromHost(t.rawData(), t.nbytes()));
  return b;
}

Status CudaBuffer::copyFromHost(const void *src, size_t bytes, Stream s) {
  if (bytes > bytes_)
    return invalidArgument("CudaBuffer: copying " + std::to_string(bytes) +
                           " bytes into a buffer of " + std::to_string(bytes_));
  if (bytes == 0)
    return Status::ok();
  QRT_RETURN_IF_ERROR(
      check(cudaMemcpyAsync(data_, src, bytes, cudaMemcpyHostToDevice,
                            detail::stream(s)),
            "cudaMemcpyAsync to the device"));
  return check(cudaStreamSynchronize(detail::stream(s)),
               "cudaStreamSynchronize after a copy to the device");
}

Status CudaBuffer::copyToHost(void *dst, size_t bytes, Stream s) const {
  if (bytes > bytes_)
    return invalidArgument("CudaBuffer: copying " + std::to_string(bytes) +
                           " bytes out of a buffer of " +
                           std::to_string(bytes_));
  if (bytes == 0)
    return Status::ok();
  QRT_RETURN_IF_ERROR(
      check(cudaMemcpyAsync(dst, data_, bytes, cudaMemcpyDeviceToHost,
                            detail::stream(s)),
            "cudaMemcpyAsync to the host"));
  return check(cudaStreamSynchronize(detail::stream(s)),
               "cudaStreamSynchronize after a copy to the host");
}

Status CudaBuffer::copyToTensor(Tensor &t, Stream s) const {
  if (!t.defined())
    return invalidArgument("CudaBuffer::copyToTensor: undefined tensor");
  return copyToHost(t.rawData(), t.nbytes(), s);
}

Status CudaBuffer::fill(int value, Stream s) {
  if (bytes_ == 0)
    return Status::ok();
  return check(cudaMemsetAsync(data_, value, bytes_, detail::stream(s)),
               "cudaMemsetAsync");
}

} // namespace cuda
} // namespace qrt
