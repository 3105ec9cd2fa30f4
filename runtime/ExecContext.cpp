//===- ExecContext.cpp - plan contexts and the kernel dispatch -------------===//

#include "runtime/Exec.h"
#include "runtime/Threading.h"
#include "runtime/TrainOps.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

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

static int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void Context::setProfile(bool on) {
  profiling_ = on;
  profile_.assign(states_.size(), StepTime());
}

Context::StepClock::StepClock(Context &ctx, const StepIO &io)
    : ctx(ctx), io(io), startNs(nowNs()) {}

Context::StepClock::~StepClock() {
  if (io.id < 0 || (size_t)io.id >= ctx.profile_.size())
    return;
  StepTime &t = ctx.profile_[io.id];
  t.what = io.what;
  t.seconds += (nowNs() - startNs) * 1e-9;
  ++t.calls;
}

std::string qrt::exec::formatProfile(const std::vector<StepTime> &profile,
                                     int64_t runs, size_t top) {
  double total = 0;
  std::map<std::string, std::pair<double, int64_t>> byOp;
  std::vector<const StepTime *> steps;
  for (const StepTime &t : profile) {
    if (t.calls == 0)
      continue;
    total += t.seconds;
    size_t at = t.what.rfind(": ");
    std::string op = at == std::string::npos ? t.what : t.what.substr(at + 2);
    byOp[op].first += t.seconds;
    ++byOp[op].second;
    steps.push_back(&t);
  }
  runs = std::max<int64_t>(runs, 1);
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line,
                "profile: %.3f ms per run in %zu steps (%lld runs)\n"
                "| op | steps | ms per run | share |\n|---|---|---|---|\n",
                total * 1e3 / runs, steps.size(), (long long)runs);
  out += line;
  std::vector<std::pair<std::string, std::pair<double, int64_t>>> ops(
      byOp.begin(), byOp.end());
  std::sort(ops.begin(), ops.end(), [](const auto &a, const auto &b) {
    return a.second.first > b.second.first;
  });
  for (const auto &[op, v] : ops) {
    std::snprintf(line, sizeof line, "| %s | %lld | %.3f | %.1f%% |\n",
                  op.c_str(), (long long)v.second, v.first * 1e3 / runs,
                  total > 0 ? 100.0 * v.first / total : 0.0);
    out += line;
  }
  std::sort(steps.begin(), steps.end(),
            [](const StepTime *a, const StepTime *b) {
              return a->seconds > b->seconds;
            });
  out += "| slowest steps | | ms per run | share |\n|---|---|---|---|\n";
  for (size_t i = 0; i < steps.size() && i < top; ++i) {
    std::snprintf(line, sizeof line, "| %s | | %.3f | %.1f%% |\n",
                  steps[i]->what.c_str(), steps[i]->seconds * 1e3 / runs,
                  total > 0 ? 100.0 * steps[i]->seconds / total : 0.0);
    out += line;
  }
  return out;
}

Context::SerialIfSmall::SerialIfSmall(const Context &ctx, const StepIO &io) {
  int threads = getNumThreads();
  if (threads <= 1)
    return;
  int64_t largest = 0;
  for (Slot s : io.in)
    if (s != kNoSlot && ctx.slots_[s].defined())
      largest = std::max(largest, ctx.slots_[s].numel());
  if (largest >= kSerialStepElements)
    return;
  restore = threads;
  setNumThreads(1);
}

Context::SerialIfSmall::~SerialIfSmall() {
  if (restore)
    setNumThreads(restore);
}
