//===- LossScaler.cpp - dynamic loss scaling for mixed precision ----------===//

#include "runtime/LossScaler.h"

#include <cmath>
#include <cstdio>

using namespace qrt;

Status qrt::checkLossScalerOptions(const LossScalerOptions &o) {
  if (!(o.initScale > 0.f) || !std::isfinite(o.initScale))
    return invalidArgument("the initial loss scale must be positive and "
                           "finite");
  if (!(o.growth > 1.f) || !std::isfinite(o.growth))
    return invalidArgument("the loss scale's growth factor must be > 1");
  if (!(o.backoff > 0.f && o.backoff < 1.f))
    return invalidArgument("the loss scale's backoff factor must be in (0, 1)");
  if (o.growthInterval < 1)
    return invalidArgument("the loss scale's growth interval must be >= 1");
  return Status::ok();
}

bool LossScaler::update(bool foundNonFinite) {
  ++steps_;
  if (foundNonFinite) {
    ++skipped_;
    scale_ *= options_.backoff;
    goodSteps_ = 0;
    return false;
  }
  if (++goodSteps_ == options_.growthInterval) {
    // GradScaler keeps the scale when growing would overflow fp32.
    float grown = scale_ * options_.growth;
    if (std::isfinite(grown))
      scale_ = grown;
    goodSteps_ = 0;
  }
  return true;
}

std::string LossScaler::summary() const {
  char buf[128];
  std::snprintf(buf, sizeof buf, "loss scale %g, %lld of %lld steps skipped",
                scale_, (long long)skipped_, (long long)steps_);
  return buf;
}
