//===- ExecContext.cpp - plan contexts and the kernel dispatch -------------===//

#include "runtime/Exec.h"
#include "runtime/TrainOps.h"

#include <algorithm>

using namespace qrt;
using namespace qrt::exec;

Tensor BufferPool::take(const Shape &shape, DType dtype) {
  for (size_t i = 0; i < free_.size(); ++i) {
    const Tensor &t = free_[i].tensor;
    if (t.dtype() == dtype && t.shape() == shape) {
      Tensor out = std::move(free_[i].tensor);
      free_[i] = std::move(free_.back());
      free_.pop_back();
      return out;
    }
  }
  return Tensor();
}

void BufferPool::give(Tensor t) {
  if (t.uniquelyOwned())
    free_.push_back({std::move(t), currentRun_});
}

void BufferPool::endRun() {
  free_.erase(std::remove_if(free_.begin(), free_.end(),
                             [&](const Entry &e) {
                               return e.run != currentRun_;
                             }),
              free_.end());
  ++currentRun_;
}

void Context::resize(size_t numSlots, size_t numSteps) {
  slots_.resize(numSlots);
  states_.resize(numSteps);
}

bool Context::diesHere(const StepIO &io, Slot s) {
  return std::find(io.release.begin(), io.release.end(), s) !=
         io.release.end();
}

void Context::fail(const StepIO &io, const Status &s) {
  if (status_.isOk())
    status_ = Status::error(s.code(), io.what + ": " + s.message());
}

void Context::finishStep(const StepIO &io) {
  if (checkFinite_ && ok())
    for (Slot s : io.out) {
      const Tensor &t = slots_[s];
      if (t.defined() && t.dtype() == DType::F32 && firstNonFinite(t) >= 0) {
        fail(io, invalidArgument("produced a non-finite value"));
        break;
      }
    }
  for (Slot s : io.release)
    pool_.give(std::move(slots_[s]));
}

Status Context::endRun() {
  clearArenaViews();
  pool_.endRun();
  Status s = std::move(status_);
  status_ = Status::ok();
  return s;
}

const char *qrt::exec::kernelName(Kernel k) {
  switch (k) {
#define QRT_KERNEL(name, Params)                                               \
  case Kernel::name:                                                           \
    return #name;
#include "runtime/Kernels.def"
  }
  return "?";
}

void qrt::exec::dispatch(Context &ctx, const Step &step) {
  switch (step.kernel) {
#define QRT_KERNEL(name, Params)                                               \
  case Kernel::name:                                                           \
    return name(ctx, step.io, step.as<Params>());
#include "runtime/Kernels.def"
  }
}

Tensor qrt::exec::f32(std::vector<float> values) {
  int64_t n = (int64_t)values.size();
  return Tensor::fromVector<float>({n}, values);
}
