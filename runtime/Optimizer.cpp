//===- Optimizer.cpp ------------------------------------------------------===//

#include "runtime/Optimizer.h"
#include "runtime/Parallel.h"
#include "runtime/TrainMath.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace qrt {

using detail::parallelFor;

namespace {

Status checkParamGrad(const Tensor &param, const Tensor &grad,
                      const char *name) {
  QRT_RETURN_IF_ERROR(checkDType(param, DType::F32, name));
  QRT_RETURN_IF_ERROR(checkDType(grad, DType::F32, name));
  if (param.shape() != grad.shape())
    return invalidArgument(std::string(name) + ": param " +
                           shapeToString(param.shape()) + " and grad " +
                           shapeToString(grad.shape()) + " differ");
  return Status::ok();
}

/// Makes a state tensor of the param's shape: zeros when undefined.
Status stateLike(Tensor &state, const Tensor &param, const char *what) {
  if (!state.defined()) {
    state = Tensor::zeros(param.shape(), DType::F32);
    return Status::ok();
  }
  return prepareOutput(state, param.shape(), DType::F32, what);
}

} // namespace

Status sgdStep(Tensor &param, const Tensor &grad, SgdState &state,
               const SgdOptions &o) {
  QRT_RETURN_IF_ERROR(checkParamGrad(param, grad, "sgd"));
  if (o.nesterov && (o.momentum <= 0.f || o.dampening != 0.f))
    return invalidArgument(
        "sgd: nesterov requires momentum > 0 and zero dampening");
  float *p = param.data<float>();
  const float *g = grad.data<float>();
  int64_t n = param.numel();
  float lr = o.lr, wd = o.weightDecay, mom = o.momentum;
  float keep = 1.f - o.dampening;
  if (mom == 0.f) {
    parallelFor(n, 2, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i)
        p[i] = tmath::sgdPlain(p[i], g[i], lr, wd);
    });
    return Status::ok();
  }
  bool first = !state.momentumBuffer.defined();
  if (first)
    state.momentumBuffer = Tensor::empty(param.shape(), DType::F32);
  QRT_RETURN_IF_ERROR(prepareOutput(state.momentumBuffer, param.shape(),
                                    DType::F32, "sgd momentum buffer"));
  float *buf = state.momentumBuffer.data<float>();
  bool nesterov = o.nesterov;
  parallelFor(n, 4, [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i)
      tmath::sgdMomentum(p + i, g[i], buf + i, first, lr, wd, mom, keep,
                         nesterov);
  });
  return Status::ok();
}

Status adamStep(Tensor &param, const Tensor &grad, AdamState &state,
                const AdamOptions &o) {
  QRT_RETURN_IF_ERROR(checkParamGrad(param, grad, "adam"));
  if (!(o.beta1 >= 0.f && o.beta1 < 1.f && o.beta2 >= 0.f && o.beta2 < 1.f))
    return invalidArgument("adam: betas must be in [0, 1)");
  QRT_RETURN_IF_ERROR(stateLike(state.expAvg, param, "adam exp_avg"));
  QRT_RETURN_IF_ERROR(stateLike(state.expAvgSq, param, "adam exp_avg_sq"));
  if (o.amsgrad)
    QRT_RETURN_IF_ERROR(
        stateLike(state.maxExpAvgSq, param, "adam max_exp_avg_sq"));
  int64_t t = ++state.step;
  tmath::AdamStepScalars sc =
      tmath::adamStepScalars(o.lr, o.beta1, o.beta2, t);
  float b1 = o.beta1, b2 = o.beta2, wd = o.weightDecay, eps = o.eps;
  float *p = param.data<float>(), *m = state.expAvg.data<float>(),
        *v = state.expAvgSq.data<float>();
  float *vmax = o.amsgrad ? state.maxExpAvgSq.data<float>() : nullptr;
  const float *g = grad.data<float>();
  parallelFor(param.numel(), 8, [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i)
      tmath::adamElement(p + i, g[i], m + i, v + i, vmax ? vmax + i : nullptr,
                         b1, b2, eps, wd, sc);
  });
  return Status::ok();
}

//===-- Schedules ---------------------------------------------------------===//

double multiStepLr(int64_t step, double baseLr,
                   const std::vector<int64_t> &milestones, double gamma) {
  int64_t passed = 0;
  for (int64_t m : milestones)
    passed += m <= step;
  return baseLr * std::pow(gamma, static_cast<double>(passed));
}

double polyLr(int64_t step, int64_t total, double baseLr, double power) {
  if (total <= 0)
    return baseLr;
  double frac =
      static_cast<double>(std::min(std::max<int64_t>(step, 0), total)) /
      static_cast<double>(total);
  return baseLr * std::pow(1.0 - frac, power);
}

double cosineLr(int64_t step, int64_t total, double baseLr, double etaMin) {
  if (total <= 0)
    return baseLr;
  return etaMin + (baseLr - etaMin) *
                      (1.0 + std::cos(M_PI * static_cast<double>(step) /
                                      static_cast<double>(total))) /
                      2.0;
}

double cosineRestartsLr(int64_t step, int64_t t0, int64_t tMult, double baseLr,
                        double etaMin) {
  if (t0 < 1 || tMult < 1 || step < 0)
    return baseLr;
  // Walk the cycles in integers: torch's closed form uses a float log that
  // can land on the wrong cycle exactly at a restart.
  int64_t tCur = step, tI = t0;
  while (tCur >= tI) {
    tCur -= tI;
    tI *= tMult;
  }
  return etaMin + (baseLr - etaMin) *
                      (1.0 + std::cos(M_PI * static_cast<double>(tCur) /
                                      static_cast<double>(tI))) /
                      2.0;
}

double linearWarmupFactor(int64_t step, int64_t total, double startFactor,
                          double endFactor) {
  if (total <= 0)
    return endFactor;
  double frac =
      static_cast<double>(std::min(std::max<int64_t>(step, 0), total)) /
      static_cast<double>(total);
  return startFactor + (endFactor - startFactor) * frac;
}

} // namespace qrt
