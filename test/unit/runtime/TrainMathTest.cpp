//===- TrainMathTest.cpp - the QRT_HD math of TrainMath.h / PoolMath.h ----===//
//
// The shared element math that qrt's CPU training / pooling / storage
// kernels and their CUDA twins run, checked on the host against naive
// formulas (in double) and, for gradients, finite differences.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"
#include "runtime/ElementMath.h"
#include "runtime/PoolMath.h"
#include "runtime/TrainMath.h"

#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace qrt;

TEST(TrainMath, ActivationGradients) {
  EXPECT_EQ(tmath::reluGrad(0.5f, 3.f), 3.f);
  EXPECT_EQ(tmath::reluGrad(0.f, 3.f), 0.f);
  EXPECT_EQ(tmath::clipGrad(6.f, 0.f, 6.f, 2.f), 0.f); // open interval
  EXPECT_EQ(tmath::clipGrad(5.f, 0.f, 6.f, 2.f), 2.f);
  EXPECT_EQ(tmath::addReluGrad(1.f, 2.f, 0.1f), 3.f);
  EXPECT_EQ(tmath::addReluGrad(1.f, 2.f, -0.f), 0.f);
  float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(std::isnan(emath::clip(nan, 0.f, 6.f))); // as std::min/max
  EXPECT_EQ(emath::clip(7.f, 0.f, 6.f), 6.f);
}

TEST(TrainMath, QuantizeToIntIsQuantizeAffine) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> d(-300.f, 300.f);
  for (int i = 0; i < 20000; ++i) {
    float x = i % 3 ? d(rng) : 0.25f * float(i % 2001 - 1000); // ties
    for (float z : {0.f, 3.f, 128.f}) {
      float s = 0.5f, qmin = z == 128.f ? 0.f : -127.f,
            qmax = z == 128.f ? 255.f : 127.f;
      ASSERT_EQ((float)emath::quantizeToInt(x, s, z, qmin, qmax),
                qmath::quantizeAffine(x, s, z, qmin, qmax))
          << x;
    }
  }
  EXPECT_EQ(emath::dequantizeValue(130.f, 0.5f, 128.f), 1.f);
}

TEST(TrainMath, SoftmaxCrossEntropyRowMatchesFiniteDifferences) {
  std::vector<float> p{0.3f, -1.2f, 2.f, 0.7f}, q(4);
  int label = 2;
  float invN = 0.5f;
  double loss = tmath::softmaxCrossEntropyRow(p.data(), q.data(), 4, label,
                                              invN);
  auto naive = [&](const std::vector<double> &v) {
    double m = *std::max_element(v.begin(), v.end()), s = 0.0;
    for (double e : v)
      s += std::exp(e - m);
    return std::log(s) + m - v[label];
  };
  std::vector<double> pd(p.begin(), p.end());
  EXPECT_NEAR(loss, naive(pd), 1e-6);
  for (int j = 0; j < 4; ++j) {
    std::vector<double> a = pd, b = pd;
    a[j] += 1e-4;
    b[j] -= 1e-4;
    double fd = (naive(a) - naive(b)) / 2e-4 * invN;
    EXPECT_NEAR(q[j], fd, 1e-5) << j;
  }
}

TEST(TrainMath, MseGradientIsTheDerivative) {
  float p = 1.25f, t = -0.5f, k = 2.f / 10.f;
  float diff = tmath::mseDiff(p, t);
  EXPECT_EQ(tmath::mseSquare(diff), 1.75 * 1.75);
  EXPECT_FLOAT_EQ(tmath::mseGrad(diff, k), 2.f * 1.75f / 10.f);
}

TEST(TrainMath, BatchNormChannelAndGradientMatchFiniteDifferences) {
  std::vector<float> x{0.5f, -1.f, 2.f, 0.25f, 1.5f, -0.75f};
  std::vector<float> w{0.3f, -0.2f, 0.5f, 0.1f, -0.4f, 0.25f}; // dL/dy
  float gamma = 1.5f, beta = 0.2f, eps = 1e-5f;
  int64_t n = (int64_t)x.size();
  auto forward = [&](const std::vector<double> &v) { // L = Σ w y, naive
    double m = 0, var = 0, l = 0;
    for (double e : v)
      m += e / n;
    for (double e : v)
      var += (e - m) * (e - m) / n;
    for (size_t i = 0; i < v.size(); ++i)
      l += w[i] * ((v[i] - m) / std::sqrt(var + eps) * gamma + beta);
    return l;
  };
  double sum = 0, sq = 0;
  for (float e : x)
    sum += e;
  double mean = tmath::bnMean(sum, n);
  for (float e : x)
    sq += tmath::bnSquaredDeviation(e, mean);
  tmath::BnChannel ch = tmath::bnTrainChannel(mean, sq, n, eps, gamma, beta);
  EXPECT_NEAR(ch.saveInvstd, 1.0 / std::sqrt(sq / n + eps), 1e-6);
  EXPECT_NEAR(tmath::bnApply(x[0], ch.a, ch.b),
              (x[0] - mean) * ch.saveInvstd * gamma + beta, 1e-6);
  EXPECT_FLOAT_EQ(tmath::bnRunningMean(1.f, mean, 0.1f),
                  (float)(0.9 + 0.1 * mean));
  EXPECT_FLOAT_EQ(tmath::bnRunningVar(1.f, sq, n, 0.1f),
                  (float)(0.9 + 0.1 * sq / (n - 1))); // unbiased
  double sumDy = 0, sumDyXhat = 0;
  for (int64_t i = 0; i < n; ++i) {
    sumDy += w[i];
    sumDyXhat += tmath::bnDyXhat(w[i], x[i], ch.saveMean, ch.saveInvstd);
  }
  tmath::BnGradChannel g =
      tmath::bnGradChannel(sumDy, sumDyXhat, n, gamma, ch.saveInvstd);
  std::vector<double> xd(x.begin(), x.end());
  for (int64_t i = 0; i < n; ++i) {
    std::vector<double> a = xd, b = xd;
    a[i] += 1e-5;
    b[i] -= 1e-5;
    double fd = (forward(a) - forward(b)) / 2e-5;
    EXPECT_NEAR(tmath::bnGradX(w[i], x[i], ch.saveMean, ch.saveInvstd, g), fd,
                1e-4)
        << i;
  }
}

TEST(TrainMath, OptimizerElementsFollowTorch) {
  // SGD with momentum and nesterov, two steps, against the formulas.
  float p = 0.5f, buf = 0.f;
  double pd = 0.5, bd = 0.0;
  for (int step = 0; step < 2; ++step) {
    float g = 0.2f - 0.1f * step;
    tmath::sgdMomentum(&p, g, &buf, step == 0, 0.1f, 0.01f, 0.9f, 1.f, true);
    double d = g + 0.01 * pd;
    bd = step == 0 ? d : 0.9 * bd + d;
    pd -= 0.1 * (d + 0.9 * bd);
  }
  EXPECT_NEAR(p, pd, 1e-6);
  EXPECT_NEAR(buf, bd, 1e-6);
  EXPECT_FLOAT_EQ(tmath::sgdPlain(1.f, 0.5f, 0.1f, 0.f), 0.95f);
  // Adam, three steps with bias correction.
  float pa = 1.f, m = 0.f, v = 0.f;
  double qa = 1.0, md = 0.0, vd = 0.0;
  for (int t = 1; t <= 3; ++t) {
    float g = 0.3f * t;
    tmath::adamElement(&pa, g, &m, &v, nullptr, 0.9f, 0.999f, 1e-8f, 0.f,
                       tmath::adamStepScalars(1e-2f, 0.9f, 0.999f, t));
    md = 0.9 * md + 0.1 * g;
    vd = 0.999 * vd + 0.001 * g * g;
    double mh = md / (1 - std::pow(0.9, t)), vh = vd / (1 - std::pow(0.999, t));
    qa -= 1e-2 * mh / (std::sqrt(vh) + 1e-8);
  }
  EXPECT_NEAR(pa, qa, 1e-6);
}

TEST(PoolMath, WindowsAndArgmax) {
  // 3 x 4 plane; NaN skipped by the forward max, chosen by the backward.
  float nan = std::numeric_limits<float>::quiet_NaN();
  float plane[12] = {1, 5, 2, 5, 0, 3, nan, 4, -1, 5, 2, 0};
  Pool2dParams p;
  p.kernelH = p.kernelW = 2;
  p.strideH = p.strideW = 2;
  EXPECT_EQ(pmath::maxWindow(plane, 3, 4, 0, 0, p), 5.f);
  EXPECT_EQ(pmath::maxPoolArgmax(plane, 3, 4, 0, 0, p), 1);  // first 5
  EXPECT_EQ(pmath::maxWindow(plane, 3, 4, 0, 2, p), 5.f);    // NaN skipped
  EXPECT_EQ(pmath::maxPoolArgmax(plane, 3, 4, 0, 1, p), 6);  // the NaN
  // Average with padding: count excludes or includes the padded taps.
  Pool2dParams a;
  a.kernelH = a.kernelW = 3;
  a.padTop = a.padLeft = a.padBottom = a.padRight = 1;
  float ones[12] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  EXPECT_EQ(pmath::avgWindow(3, 4, -1, -1, a).count, 4);
  a.countIncludePad = true;
  EXPECT_EQ(pmath::avgWindow(3, 4, -1, -1, a).count, 9);
  EXPECT_FLOAT_EQ(pmath::avgPoolWindow(ones, 3, 4, -1, -1, a), 4.f / 9.f);
  EXPECT_FLOAT_EQ(pmath::globalAvg(ones, 12), 1.f);
  EXPECT_FLOAT_EQ(pmath::globalAvgGrad(3.f, pmath::globalAvgInv(12)), 0.25f);
}
