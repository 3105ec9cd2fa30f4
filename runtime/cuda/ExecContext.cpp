//===- ExecContext.cpp - device contexts of execution plans ---------------===//

#include "runtime/cuda/Exec.h"
#include "runtime/TrainOps.h"
#include "runtime/cuda/CudaKernels.h"
#include "runtime/cuda/CudaStatus.h"

#include <cuda_runtime_api.h>

#include <algorithm>

using namespace qrt;
using namespace qrt::cuda;
using namespace qrt::cuda::exec;
using detail::check;

Expected<DeviceTensor> qrt::cuda::exec::allocate(const Shape &shape,
                                                 DType dtype) {
  DeviceTensor t;
  t.shape = shape;
  t.dtype = dtype;
  Expected<CudaBuffer> b = CudaBuffer::allocate(t.nbytes());
  if (!b)
    return b.status();
  t.owner = std::make_shared<CudaBuffer>(std::move(*b));
  t.data = t.owner->data();
  return t;
}

Expected<DeviceTensor> qrt::cuda::exec::upload(const Tensor &t,
                                               Stream stream) {
  Expected<DeviceTensor> d = allocate(t.shape(), t.dtype());
  if (!d)
    return d.status();
  QRT_RETURN_IF_ERROR(d->owner->copyFromHost(t.rawData(), t.nbytes(), stream));
  return d;
}

Expected<Tensor> qrt::cuda::exec::download(const DeviceTensor &t,
                                           Stream stream) {
  Expected<Tensor> h = Tensor::create(t.shape, t.dtype);
  if (!h)
    return h.status();
  if (t.nbytes() > 0)
    QRT_RETURN_IF_ERROR(
        check(cudaMemcpyAsync(h->rawData(), t.data, t.nbytes(),
                              cudaMemcpyDeviceToHost, detail::stream(stream)),
              "cudaMemcpyAsync (device to host)"));
  QRT_RETURN_IF_ERROR(synchronize(stream));
  return h;
}

Status qrt::cuda::exec::copyFromHost(const Tensor &src,
                                     const DeviceTensor &dst, Stream stream) {
  if (src.nbytes() != dst.nbytes())
    return invalidArgument("copy of " + std::to_string(src.nbytes()) +
                           " host bytes into " + std::to_string(dst.nbytes()));
  if (src.nbytes() == 0)
    return Status::ok();
  QRT_RETURN_IF_ERROR(check(cudaMemcpyAsync(dst.data, src.rawData(),
                                            src.nbytes(),
                                            cudaMemcpyHostToDevice,
                                            detail::stream(stream)),
                            "cudaMemcpyAsync (host to device)"));
  return synchronize(stream);
}

Status qrt::cuda::exec::copyBytes(const DeviceTensor &src,
                                  const DeviceTensor &dst, Stream stream) {
  if (src.nbytes() != dst.nbytes())
    return invalidArgument("copy of " + std::to_string(src.nbytes()) +
                           " bytes into " + std::to_string(dst.nbytes()));
  if (src.data == dst.data || src.nbytes() == 0)
    return Status::ok();
  return check(cudaMemcpyAsync(dst.data, src.data, src.nbytes(),
                               cudaMemcpyDeviceToDevice,
                               detail::stream(stream)),
               "cudaMemcpyAsync (device to device)");
}

Context::Context() {
  cudaStream_t s = nullptr;
  if (cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking) == cudaSuccess)
    stream_ = s;
  else
    (void)cudaGetLastError(); // no device: runs fail at their first kernel
}

Context::~Context() {
  // Buffers are freed before the stream goes (their frees wait for it).
  slots_.clear();
  states_.clear();
  pool_.clear();
  if (stream_) {
    cudaStreamSynchronize(detail::stream(stream_));
    cudaStreamDestroy(detail::stream(stream_));
  }
}

void Context::resize(size_t numSlots, size_t numSteps) {
  slots_.resize(numSlots);
  states_.resize(numSteps);
}

Status Context::setArena(const ArenaLayout &layout) {
  QRT_RETURN_IF_ERROR(placements_.set(layout, slots_.size()));
  arenaBuffer_ = CudaBuffer();
  batch_ = 0;
  return Status::ok();
}

void Context::beginRun(int64_t batch) {
  batch_ = 0;
  int64_t bytes = placements_.arenaBytes(batch);
  if (bytes == 0)
    return;
  if ((int64_t)arenaBuffer_.bytes() < bytes) {
    arenaBuffer_ = CudaBuffer();
    Expected<CudaBuffer> b = CudaBuffer::allocate((size_t)bytes);
    if (!b)
      return; // every output comes from the pool instead
    arenaBuffer_ = std::move(*b);
  }
  batch_ = batch;
}

Expected<DeviceTensor> Context::output(Slot s, const Shape &shape,
                                       DType dtype) {
  DeviceTensor t;
  t.shape = shape;
  t.dtype = dtype;
  int64_t offset = placements_.offsetOf(s, shape, dtype, batch_);
  if (offset >= 0) {
    t.data = arenaBuffer_.as<char>() + offset;
    return t;
  }
  size_t bytes = t.nbytes();
  for (PooledBuffer &p : pool_)
    if (p.buffer && p.buffer->bytes() == bytes) {
      t.owner = std::move(p.buffer);
      t.data = t.owner->data();
      p = std::move(pool_.back());
      pool_.pop_back();
      return t;
    }
  return allocate(shape, dtype);
}

Expected<void *> Context::workspace(size_t bytes) {
  if (workspace_.bytes() < bytes) {
    workspace_ = CudaBuffer();
    Expected<CudaBuffer> b = CudaBuffer::allocate(bytes);
    if (!b)
      return b.status();
    workspace_ = std::move(*b);
  }
  return workspace_.data();
}

void Context::fail(const StepIO &io, const Status &s) {
  if (status_.isOk())
    status_ = Status::error(s.code(), io.what + ": " + s.message());
}

void Context::finishStep(const StepIO &io) {
  if (checkFinite_ && ok())
    for (Slot s : io.out) {
      const DeviceTensor &t = slots_[s];
      if (!t.defined() || t.dtype != DType::F32)
        continue;
      Expected<Tensor> h = download(t, stream_);
      if (!h) {
        fail(io, h.status());
        break;
      }
      if (firstNonFinite(*h) >= 0) {
        fail(io, invalidArgument("produced a non-finite value"));
        break;
      }
    }
  for (Slot s : io.release) {
    DeviceTensor &t = slots_[s];
    // A buffer nothing else holds is kept for a later output of its size.
    if (t.owner && t.owner.use_count() == 1 && t.owner->bytes() > 0)
      pool_.push_back({std::move(t.owner), run_});
    t = DeviceTensor();
  }
}

Status Context::endRun() {
  Status s = std::move(status_);
  status_ = Status::ok();
  if (stream_) {
    Status synced = synchronize(stream_);
    if (s.isOk() && !synced.isOk())
      s = synced;
  }
  // Slots viewing the arena hold the next run's bytes: drop them.
  const char *begin = arenaBuffer_.as<const char>();
  const char *end = begin + arenaBuffer_.bytes();
  for (DeviceTensor &t : slots_)
    if (!t.owner && t.data) {
      const char *p = static_cast<const char *>(t.data);
      if (p >= begin && p < end)
        t = DeviceTensor();
    }
  pool_.erase(std::remove_if(pool_.begin(), pool_.end(),
                             [&](const PooledBuffer &p) {
                               return p.run != run_;
                             }),
              pool_.end());
  ++run_;
  return s;
}

bool qrt::cuda::exec::onDevice(qrt::exec::Kernel k) {
  switch (k) {
#define QRT_CUDA_KERNEL(name)                                                  \
  case qrt::exec::Kernel::name:                                                \
    return true;
#include "runtime/cuda/Kernels.def"
  default:
    return false;
  }
}
