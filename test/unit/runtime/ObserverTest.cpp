//===- ObserverTest.cpp - observers on hand-derived data ------------------===//

#include "runtime/Observer.h"
#include "TestUtil.h"

#include <cfloat>
#include <cmath>

using namespace qrt;
using namespace qrt::test;

namespace {

QuantSpec spec8(bool isSigned, bool symmetric) {
  QuantSpec s;
  s.bits = 8;
  s.isSigned = isSigned;
  s.symmetric = symmetric;
  return s;
}

TEST(Observer, QParamsFormulas) {
  float s, z;
  qparamsFromRange(-2.f, 1.f, spec8(true, true), s, z);
  EXPECT_FLOAT_EQ(s, 2.f / 127.5f);
  EXPECT_EQ(z, 0.f);
  qparamsFromRange(0.f, 5.1f, spec8(false, true), s, z);
  EXPECT_FLOAT_EQ(s, 5.1f / 255.f);
  // Asymmetric u8 over [-1, 3]: s = 4/255, z = round(255/4) = 64.
  qparamsFromRange(-1.f, 3.f, spec8(false, false), s, z);
  EXPECT_FLOAT_EQ(s, 4.f / 255.f);
  EXPECT_EQ(z, 64.f);
  // Range widened to include 0.
  qparamsFromRange(2.f, 3.f, spec8(false, false), s, z);
  EXPECT_FLOAT_EQ(s, 3.f / 255.f);
  EXPECT_EQ(z, 0.f);
  qparamsFromRange(0.f, 0.f, spec8(true, true), s, z);
  EXPECT_EQ(s, FLT_EPSILON);
}

TEST(Observer, MinMaxPerTensorAndPerChannel) {
  QuantSpec sp = spec8(false, false);
  auto obs = makeMinMaxObserver(sp);
  EXPECT_FALSE(obs->compute().hasValue());
  ASSERT_OK(obs->update(Tensor::fromVector<float>({4}, {-1, 0.5f, 2, 0})));
  ASSERT_OK(obs->update(Tensor::fromVector<float>({2}, {3, -0.5f})));
  Expected<QuantParams> q = obs->compute();
  ASSERT_TRUE(q.hasValue());
  EXPECT_FLOAT_EQ(q->scale[0], 4.f / 255.f);
  EXPECT_EQ(q->zeroPoint[0], 64.f);

  QuantSpec pc = spec8(true, true);
  pc.granularity = Granularity::perChannel(0, 2);
  auto obc = makeMinMaxObserver(pc);
  // Channel 0 in [-4, 1], channel 1 in [-0.5, 2].
  ASSERT_OK(
      obc->update(Tensor::fromVector<float>({2, 3}, {-4, 1, 0, 2, -0.5f, 0})));
  Expected<QuantParams> qc = obc->compute();
  ASSERT_TRUE(qc.hasValue());
  EXPECT_FLOAT_EQ(qc->scale[0], 4.f / 127.5f);
  EXPECT_FLOAT_EQ(qc->scale[1], 2.f / 127.5f);
  EXPECT_FALSE(
      obc->update(Tensor::fromVector<float>({3, 1}, {1, 2, 3})).isOk());
}

TEST(Observer, MovingAverageAveragesBatchRanges) {
  QuantSpec sp = spec8(false, false);
  auto obs = makeMovingAverageMinMaxObserver(sp);
  ASSERT_OK(obs->update(Tensor::fromVector<float>({2}, {-1, 1})));
  ASSERT_OK(obs->update(Tensor::fromVector<float>({2}, {-3, 5})));
  ASSERT_OK(obs->update(Tensor::fromVector<float>({2}, {-2, 3})));
  // mean min = -2, mean max = 3: s = 5/255, z = round(2 * 255/5) = 102.
  Expected<QuantParams> q = obs->compute();
  EXPECT_FLOAT_EQ(q->scale[0], 5.f / 255.f);
  EXPECT_EQ(q->zeroPoint[0], 102.f);
  // EMA with c = 0.5: max 1 -> 3 -> 3.
  auto ema = makeMovingAverageMinMaxObserver(spec8(false, true), 0.5f);
  ASSERT_OK(ema->update(Tensor::fromVector<float>({1}, {1})));
  ASSERT_OK(ema->update(Tensor::fromVector<float>({1}, {5})));
  ASSERT_OK(ema->update(Tensor::fromVector<float>({1}, {3})));
  EXPECT_FLOAT_EQ(ema->compute()->scale[0], 3.f / 255.f);
}

TEST(Observer, LsqInitIsTwiceMeanAbsOverSqrtQp) {
  // Signed 2 bit: Qp = 1. Two batches, |x| sums to 7 over 6 values:
  // s = 2 * 7/6 / sqrt(1).
  QuantSpec sp;
  sp.bits = 2;
  auto obs = makeLsqInitObserver(sp);
  EXPECT_FALSE(obs->compute().hasValue());
  ASSERT_OK(obs->update(Tensor::fromVector<float>({4}, {-1, 0.5f, 2, 0})));
  ASSERT_OK(obs->update(Tensor::fromVector<float>({2}, {3, -0.5f})));
  Expected<QuantParams> q = obs->compute();
  ASSERT_TRUE(q.hasValue());
  EXPECT_FLOAT_EQ(q->scale[0], 7.f / 3.f);
  EXPECT_EQ(q->zeroPoint[0], 0.f);

  // Unsigned 4 bit (Qp = 15), per channel along axis 1 of a 2x2x2 tensor:
  // channel 0 holds {1, 2, 5, 0} (mean 2), channel 1 {-3, 3, 1, 1} (mean
  // |x| 2): s = 4 / sqrt(15) for both. A second batch adds 0 to channel 0
  // and 6 to channel 1: means 8/5 and 14/5.
  QuantSpec pc;
  pc.bits = 4;
  pc.isSigned = false;
  pc.granularity = Granularity::perChannel(1, 2);
  auto obc = makeLsqInitObserver(pc);
  ASSERT_OK(obc->update(
      Tensor::fromVector<float>({2, 2, 2}, {1, 2, -3, 3, 5, 0, 1, 1})));
  Expected<QuantParams> qc = obc->compute();
  ASSERT_TRUE(qc.hasValue());
  EXPECT_FLOAT_EQ(qc->scale[0], 4.f / std::sqrt(15.f));
  EXPECT_FLOAT_EQ(qc->scale[1], 4.f / std::sqrt(15.f));
  ASSERT_OK(obc->update(Tensor::fromVector<float>({1, 2, 1}, {0, 6})));
  qc = obc->compute();
  EXPECT_FLOAT_EQ(qc->scale[0], 2.f * (8.f / 5.f) / std::sqrt(15.f));
  EXPECT_FLOAT_EQ(qc->scale[1], 2.f * (14.f / 5.f) / std::sqrt(15.f));

  // Binary (Qp = 2^0 - 1 = 0) uses Qp = 1; all zeros still quantize.
  QuantSpec bin;
  bin.bits = 1;
  auto obb = makeLsqInitObserver(bin);
  ASSERT_OK(obb->update(Tensor::fromVector<float>({2}, {0, 0})));
  EXPECT_EQ(obb->compute()->scale[0], FLT_EPSILON);
}

TEST(Observer, HistogramGrowsExactly) {
  AbsHistogram h(8);
  std::vector<float> a = {0.1f, 0.9f, -0.5f};
  h.update(a.data(), 3);
  double u0 = h.upper();
  EXPECT_GE(u0, 0.9f);
  std::vector<float> b = {3.f};
  h.update(b.data(), 1);
  EXPECT_DOUBLE_EQ(h.upper(), u0 * 4); // doubled twice
  EXPECT_EQ(h.total(), 4.0);
  // Original width u0/8: 0.1 -> bin 0, 0.5 -> bin 4, 0.9 -> bin 7; two
  // merges map bin b to b/4: counts {1, 2}. Width is now u0/2, so 3 goes to
  // floor(3 / (u0/2)) = 6.
  EXPECT_EQ(h.counts()[0], 1.0);
  EXPECT_EQ(h.counts()[1], 2.0);
  EXPECT_EQ(h.counts()[6], 1.0);
}

TEST(Observer, PercentileIgnoresRareOutliers) {
  // 9990 values at magnitude 1 and 10 at 100: the 99.9th percentile of |x|
  // is 1 (rounded up to the end of its bin, width 100/2048).
  std::vector<float> v(10000, 1.f);
  for (int i = 0; i < 10; ++i)
    v[i * 1000] = i % 2 ? 100.f : -100.f;
  for (int i = 1; i < 10000; i += 2)
    if (v[i] == 1.f)
      v[i] = -1.f;
  auto obs = makePercentileObserver(spec8(true, true), 99.9);
  ASSERT_OK(obs->update(Tensor::fromVector<float>({10000}, v)));
  float amax = obs->compute()->scale[0] * 127.5f;
  EXPECT_GE(amax, 1.f);
  EXPECT_LE(amax, 1.f + 100.f / 2048 * 1.01f);
  // 100th percentile is the max.
  auto all = makePercentileObserver(spec8(true, true), 100.0);
  ASSERT_OK(all->update(Tensor::fromVector<float>({10000}, v)));
  EXPECT_NEAR(all->compute()->scale[0] * 127.5f, 100.f, 0.1f);
  QuantSpec pc = spec8(true, true);
  pc.granularity = Granularity::perChannel(0, 2);
  EXPECT_EQ(makePercentileObserver(pc, 99.0)
                ->update(Tensor::zeros({2, 2}, DType::F32))
                .code(),
            ErrorCode::Unsupported);
}

TEST(Observer, MsePutsAGridLevelOnTheBulk) {
  // 4-bit signed symmetric (s = clip / 7.5). 1000 values at +-0.75 and one
  // at 1. Min-max (clip 1, s = 0.133) puts 0.75 between levels 0.667 and
  // 0.8 (error 0.05 each). The best clip on the 0.01 grid is 0.94 (level 6
  // lands on 0.752) at the cost of clipping the single value at 1.
  QuantSpec s4;
  s4.bits = 4;
  s4.isSigned = true;
  s4.symmetric = true;
  std::vector<float> v(1001);
  for (int i = 0; i < 1000; ++i)
    v[i] = i % 2 ? 0.75f : -0.75f;
  v[1000] = 1.f;
  Tensor x = Tensor::fromVector<float>({1001}, v);
  for (float p : {2.f, 2.4f}) {
    auto mse = makeMseObserver(s4, p);
    ASSERT_OK(mse->update(x));
    float scale = mse->compute()->scale[0];
    EXPECT_NEAR(scale * 7.5f, 0.94f, 1e-5) << p;
    EXPECT_NEAR(std::nearbyint(0.75f / scale) * scale, 0.75f, 0.005f);
  }
  // Without the lone max, uniform data keeps a clip close to its max.
  std::mt19937 rng(42);
  Tensor u = randomUniform({4000}, -1.f, 1.f, rng);
  auto mse = makeMseObserver(s4, 2.f);
  ASSERT_OK(mse->update(u));
  float clip = mse->compute()->scale[0] * 7.5f;
  EXPECT_GT(clip, 0.8f);
  EXPECT_LE(clip, 1.f);
}

TEST(Observer, AveragedMseAveragesBatchOptima) {
  std::mt19937 rng(7);
  QuantSpec s8 = spec8(true, true);
  Tensor a = randomUniform({4000}, -1.f, 1.f, rng);
  Tensor b = randomUniform({4000}, -3.f, 3.f, rng);
  auto runMax = makeMseObserver(s8, 2.f, 80, 0.01f, false);
  auto runAvg = makeMseObserver(s8, 2.f, 80, 0.01f, true);
  for (auto *o : {runMax.get(), runAvg.get()}) {
    ASSERT_OK(o->update(a));
    ASSERT_OK(o->update(b));
  }
  float clipMax = runMax->compute()->scale[0] * 127.5f;
  float clipAvg = runAvg->compute()->scale[0] * 127.5f;
  EXPECT_GT(clipMax, 2.5f); // from batch b
  EXPECT_LT(clipAvg, clipMax * 0.8f);
  EXPECT_GT(clipAvg, 1.5f); // ~ (1 + 3) / 2
}

TEST(Observer, EntropyIgnoresOutliersAndKeepsUniformRange) {
  std::mt19937 rng(3);
  // Uniform |x| in [0, 1]: every threshold below the max loses mass, so KL
  // picks (nearly) the whole range.
  auto ent = makeEntropyObserver(spec8(true, true));
  Tensor u = randomUniform({100000}, -1.f, 1.f, rng);
  ASSERT_OK(ent->update(u));
  float amaxU = ent->compute()->scale[0] * 127.5f;
  EXPECT_GT(amaxU, 0.9f);
  EXPECT_LE(amaxU, 1.01f);
  // Gaussian bulk plus a handful of huge outliers: threshold far below them.
  auto ent2 = makeEntropyObserver(spec8(true, true));
  Tensor g = Tensor::empty({200000}, DType::F32);
  std::normal_distribution<float> nd(0.f, 1.f);
  for (int64_t i = 0; i < g.numel(); ++i)
    g.data<float>()[i] = nd(rng);
  for (int i = 0; i < 5; ++i)
    g.data<float>()[i * 1000] = 60.f;
  ASSERT_OK(ent2->update(g));
  float amaxG = ent2->compute()->scale[0] * 127.5f;
  EXPECT_GT(amaxG, 2.f);
  EXPECT_LT(amaxG, 15.f);
}

TEST(Observer, EntropyIgnoresTheZeroSpikeOfAReLU) {
  // A ReLU-like tensor: 100 exact zeros and one value in each of 8 bins.
  // AbsHistogram(8): the max 7.5 sets upper = 7.5+ (width ~0.9375), so
  // 0.5, 1.5, ..., 7.5 land in bins 0..7: counts {101, 1, 1, 1, 1, 1, 1, 1}.
  std::vector<float> v(100, 0.f);
  for (int i = 0; i < 8; ++i)
    v.push_back(0.5f + i);
  AbsHistogram h(8);
  h.update(v.data(), int64_t(v.size()));
  ASSERT_EQ(h.counts()[0], 101.0);
  // 2 quantized levels. TensorRT sets bins[0] = bins[1] first: the
  // histogram is uniform, and for every i the reference p (bins[:i], tail
  // folded into bin i-1) against q (i bins merged into 2 groups of i/2,
  // spread back uniformly): i = 8 gives p = q, KL = 0, the full range; any
  // i < 8 folds mass into bin i-1 and has KL > 0.
  EXPECT_DOUBLE_EQ(entropyThreshold(h, 2), 8 * h.binWidth());
  // Without the replacement (the old code) the zero spike decides: i = 2
  // (one bin per level) has p = {101, 7}/108, q = {101, 1}/102,
  // KL = 0.935 ln(0.935/0.990) + 0.065 ln(0.065/0.0098) = 0.069, while
  // i = 8 spreads 104 over bins 0-3: p0 = 101/108 vs q0 = 26/108,
  // KL = 1.19; the old search returned 2 bins (threshold 1.875).
  // Through the observer: unsigned 1 bit has 2^1 = 2 levels over [0, T]
  // (s = T / 1); signed 2 bits has 2^(2-1) = 2 levels over |x| (s = T/1.5).
  QuantSpec u1 = spec8(false, true);
  u1.bits = 1;
  auto eu = makeEntropyObserver(u1);
  ASSERT_OK(eu->update(Tensor::fromVector<float>({int64_t(v.size())}, v)));
  EXPECT_NEAR(eu->compute()->scale[0], 7.5f, 1e-5f);
  QuantSpec s2 = spec8(true, true);
  s2.bits = 2;
  auto es = makeEntropyObserver(s2);
  ASSERT_OK(es->update(Tensor::fromVector<float>({int64_t(v.size())}, v)));
  EXPECT_NEAR(es->compute()->scale[0] * 1.5f, 7.5f, 1e-5f);
}

TEST(Observer, MseRefinementFindsTheOffGridOptimum) {
  // As MsePutsAGridLevelOnTheBulk: level 6 lands exactly on 0.75 at clip
  // 0.9375, between the 0.01 grid points 0.94 and 0.93; 9 refinement steps
  // of 0.001 on each side find 0.9375 +- 0.0005 (error ~0 on the bulk).
  QuantSpec s4;
  s4.bits = 4;
  s4.isSigned = true;
  s4.symmetric = true;
  std::vector<float> v(1001);
  for (int i = 0; i < 1000; ++i)
    v[i] = i % 2 ? 0.75f : -0.75f;
  v[1000] = 1.f;
  auto mse = makeMseObserver(s4, 2.f, 80, 0.01f, false, 9);
  ASSERT_OK(mse->update(Tensor::fromVector<float>({1001}, v)));
  float clip = mse->compute()->scale[0] * 7.5f;
  EXPECT_NEAR(clip, 0.9375f, 0.0006f);
}

} // namespace
