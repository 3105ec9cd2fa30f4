//===- OptimizerTorchTest.cpp - SGD / Adam / LR schedules vs LibTorch -----===//
//
// Optimizers: torch::optim::SGD / Adam (the same algorithms as the Python
// torch.optim in 1.13) fed the same gradient sequence; 1e-6 relative after
// several steps. Schedules: the recursive ("chainable") forms of
// torch.optim.lr_scheduler's get_lr(), an independent formulation of the
// closed forms qrt implements.
//
//===----------------------------------------------------------------------===//

#include "TorchUtil.h"
#include "runtime/Optimizer.h"

#include <algorithm>
#include <cmath>

using namespace qrt;
using namespace qrt::test;

namespace {

template <typename MakeOpt, typename Step>
void compareSteps(MakeOpt makeOpt, Step qrtStep, int steps, uint64_t seed) {
  torch::manual_seed(seed);
  at::Tensor p0 = torch::randn({7, 5});
  at::Tensor tp = p0.clone().requires_grad_(true);
  auto opt = makeOpt(tp);
  Tensor qp = fromTorch(p0);
  for (int s = 0; s < steps; ++s) {
    at::Tensor g = torch::randn({7, 5});
    tp.mutable_grad() = g.clone();
    opt.step();
    ASSERT_OK(qrtStep(qp, fromTorch(g)));
    EXPECT_LE(maxRelError(qp, tp.detach()), 1e-6) << "step " << s;
  }
}

TEST(Optimizer, SgdMatchesTorch) {
  struct Case {
    double momentum, dampening, wd;
    bool nesterov;
  };
  for (const Case &c :
       {Case{0, 0, 0, false}, Case{0, 0, 1e-2, false}, Case{0.9, 0, 0, false},
        Case{0.9, 0.1, 5e-4, false}, Case{0.9, 0, 1e-3, true}}) {
    SgdOptions o;
    o.lr = 0.05f;
    o.momentum = c.momentum;
    o.dampening = c.dampening;
    o.weightDecay = c.wd;
    o.nesterov = c.nesterov;
    SgdState st;
    compareSteps(
        [&](at::Tensor p) {
          return torch::optim::SGD({p}, torch::optim::SGDOptions(0.05)
                                            .momentum(c.momentum)
                                            .dampening(c.dampening)
                                            .weight_decay(c.wd)
                                            .nesterov(c.nesterov));
        },
        [&](Tensor &p, const Tensor &g) { return sgdStep(p, g, st, o); }, 6,
        21);
  }
  SgdOptions bad;
  bad.nesterov = true;
  SgdState st;
  Tensor p = Tensor::zeros({2}, DType::F32);
  EXPECT_FALSE(sgdStep(p, p, st, bad));
}

TEST(Optimizer, AdamMatchesTorch) {
  for (double wd : {0.0, 1e-2})
    for (bool ams : {false, true}) {
      AdamOptions o;
      o.lr = 0.01f;
      o.weightDecay = wd;
      o.amsgrad = ams;
      AdamState st;
      compareSteps(
          [&](at::Tensor p) {
            return torch::optim::Adam(
                {p},
                torch::optim::AdamOptions(0.01).weight_decay(wd).amsgrad(ams));
          },
          [&](Tensor &p, const Tensor &g) { return adamStep(p, g, st, o); }, 8,
          22);
      EXPECT_EQ(st.step, 8);
    }
}

TEST(Schedule, MultiStepChainableForm) {
  // MultiStepLR.get_lr(): multiply by gamma^(times last_epoch is a
  // milestone) at each milestone (a repeated milestone decays twice).
  // LibTorch's C++ StepLR is not used as the oracle: it applies each decay
  // one step later than Python's torch.optim.lr_scheduler.
  const std::vector<int64_t> milestones = {3, 7, 7, 12};
  double lr = 0.1;
  for (int64_t e = 0; e <= 15; ++e) {
    int64_t hits = std::count(milestones.begin(), milestones.end(), e);
    if (e > 0)
      lr *= std::pow(0.5, double(hits));
    EXPECT_NEAR(multiStepLr(e, 0.1, milestones, 0.5), lr, 1e-12) << e;
  }
}

TEST(Schedule, ChainableFormsOfTorch) {
  const double base = 0.1, etaMin = 0.001;
  // CosineAnnealingLR.get_lr()
  {
    const int64_t tMax = 10;
    double lr = base;
    for (int64_t e = 0; e <= 25; ++e) {
      if (e == 0)
        lr = base;
      else if ((e - 1 - tMax) % (2 * tMax) == 0)
        lr = lr + (base - etaMin) * (1 - std::cos(M_PI / tMax)) / 2;
      else
        lr = (1 + std::cos(M_PI * e / tMax)) /
                 (1 + std::cos(M_PI * (e - 1) / tMax)) * (lr - etaMin) +
             etaMin;
      EXPECT_NEAR(cosineLr(e, tMax, base, etaMin), lr, 1e-12) << e;
    }
  }
  // PolynomialLR.get_lr()
  {
    const int64_t total = 8;
    const double power = 0.9;
    double lr = base;
    for (int64_t e = 0; e <= 12; ++e) {
      if (e != 0 && e <= total)
        lr *= std::pow(
            (1.0 - double(e) / total) / (1.0 - double(e - 1) / total), power);
      EXPECT_NEAR(polyLr(e, total, base, power), lr, 1e-12) << e;
    }
  }
  // CosineAnnealingWarmRestarts.step() without an epoch argument.
  for (int64_t tMult : {1, 2, 3}) {
    const int64_t t0 = 3;
    int64_t tCur = 0, tI = t0;
    for (int64_t e = 0; e <= 40; ++e) {
      if (e > 0) {
        tCur += 1;
        if (tCur >= tI) {
          tCur -= tI;
          tI *= tMult;
        }
      }
      double ref =
          etaMin + (base - etaMin) * (1 + std::cos(M_PI * tCur / tI)) / 2;
      EXPECT_NEAR(cosineRestartsLr(e, t0, tMult, base, etaMin), ref, 1e-12)
          << e << " tMult " << tMult;
    }
  }
  // LinearLR.get_lr()
  {
    const int64_t total = 5;
    const double start = 1.0 / 3, end = 1.0;
    double lr = 0;
    for (int64_t e = 0; e <= 9; ++e) {
      if (e == 0)
        lr = base * start;
      else if (e <= total)
        lr *= 1.0 + (end - start) / (total * start + (e - 1) * (end - start));
      EXPECT_NEAR(base * linearWarmupFactor(e, total, start, end), lr, 1e-12)
          << e;
    }
  }
}

} // namespace
