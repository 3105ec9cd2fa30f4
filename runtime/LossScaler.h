//===- LossScaler.h - dynamic loss scaling for mixed precision --*- C++ -*-===//
//
// Mixed-precision training (the CUDA training program's --amp fp16;
// model-quantization's FP16 training) multiplies the loss gradient by a
// scale S so that small fp16 gradients do not flush to zero, divides the
// parameter gradients by S before the optimizer, and skips a step whose
// gradients overflowed. S follows torch.cuda.amp.GradScaler's rule
// (torch/_amp_update_scale_): on a non-finite gradient the step is skipped
// and S *= backoff (the good-step count restarts); after `growthInterval`
// consecutive good steps S *= growth. Host-only bookkeeping: the back end
// reports whether a step's gradients were finite.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_LOSSSCALER_H
#define QRT_LOSSSCALER_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>

namespace qrt {

struct LossScalerOptions {
  float initScale = 65536.f; // 2^16, GradScaler's default
  float growth = 2.f, backoff = 0.5f;
  int64_t growthInterval = 2000;
};

/// Ok, or the first option out of range (a positive finite scale, growth >
/// 1, backoff in (0, 1), a positive interval).
Status checkLossScalerOptions(const LossScalerOptions &o);

class LossScaler {
public:
  explicit LossScaler(const LossScalerOptions &o = {})
      : options_(o), scale_(o.initScale) {}
  /// The scale of the next step.
  float scale() const { return scale_; }
  /// After a step: true when it is kept (its gradients were finite), false
  /// when it must be undone. Updates the scale.
  bool update(bool foundNonFinite);
  int64_t steps() const { return steps_; }
  int64_t skipped() const { return skipped_; }
  /// "loss scale 32768, 3 of 500 steps skipped".
  std::string summary() const;

private:
  LossScalerOptions options_;
  float scale_;
  int64_t goodSteps_ = 0, steps_ = 0, skipped_ = 0;
};

} // namespace qrt

#endif // QRT_LOSSSCALER_H
