//===- Optimizer.h - SGD / Adam steps and LR schedules ----------*- C++ -*-===//
//
// In-place optimizer kernels over (param, grad, state), one call per
// parameter tensor per step, with torch.optim semantics (PyTorch 1.13:
// torch.optim.SGD, torch.optim.Adam, single-tensor path). Learning-rate
// schedules are pure functions of the step, matching the closed forms of
// torch.optim.lr_scheduler. Formulas: docs/training-math.md.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_OPTIMIZER_H
#define QRT_OPTIMIZER_H

#include "runtime/Tensor.h"

#include <vector>

namespace qrt {

struct SgdOptions {
  float lr = 0.01f;
  float momentum = 0.f;
  float dampening = 0.f;
  float weightDecay = 0.f; // L2: g += weightDecay * p
  bool nesterov = false;   // requires momentum > 0 and dampening == 0
};
/// Per-parameter state: the momentum buffer, undefined until the first step
/// with momentum (which initializes it to the gradient, as torch does).
struct SgdState {
  Tensor momentumBuffer;
};
/// g = grad + wd p; buf = g (first step) or momentum buf + (1 - dampening) g;
/// g = nesterov ? g + momentum buf : buf; p -= lr g.
Status sgdStep(Tensor &param, const Tensor &grad, SgdState &state,
               const SgdOptions &options);

struct AdamOptions {
  float lr = 1e-3f;
  float beta1 = 0.9f, beta2 = 0.999f;
  float eps = 1e-8f;
  float weightDecay = 0.f; // L2 style (torch.optim.Adam), not AdamW
  bool amsgrad = false;
};
struct AdamState {
  Tensor expAvg, expAvgSq, maxExpAvgSq; // allocated (zeros) on first step
  int64_t step = 0;
};
/// t += 1; g = grad + wd p; m = β1 m + (1-β1) g; v = β2 v + (1-β2) g²;
/// p -= lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + eps)  (v → max(v) with
/// amsgrad).
Status adamStep(Tensor &param, const Tensor &grad, AdamState &state,
                const AdamOptions &options);

//===-- Learning-rate schedules (step = scheduler's last_epoch) -----------===//

/// MultiStepLR: baseLr · gamma^(number of milestones <= step).
double multiStepLr(int64_t step, double baseLr,
                   const std::vector<int64_t> &milestones, double gamma);
/// PolynomialLR: baseLr · (1 - min(step, total)/total)^power.
double polyLr(int64_t step, int64_t total, double baseLr, double power);
/// CosineAnnealingLR (closed form):
/// etaMin + (baseLr - etaMin)(1 + cos(π step / total)) / 2.
double cosineLr(int64_t step, int64_t total, double baseLr,
                double etaMin = 0.0);
/// CosineAnnealingWarmRestarts (SGDR): restarts after t0, t0·tMult, ...
/// steps (tMult >= 1 integer as in torch).
double cosineRestartsLr(int64_t step, int64_t t0, int64_t tMult, double baseLr,
                        double etaMin = 0.0);
/// LinearLR factor: startFactor → endFactor linearly over `total` steps,
/// then constant. Multiply another schedule's lr by it for a linear warm-up.
double linearWarmupFactor(int64_t step, int64_t total, double startFactor,
                          double endFactor = 1.0);

} // namespace qrt

#endif // QRT_OPTIMIZER_H
