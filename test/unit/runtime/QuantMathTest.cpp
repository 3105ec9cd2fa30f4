//===- QuantMathTest.cpp - hand-derived quantizer cases (no LibTorch) -----===//

#include "runtime/QuantMath.h"
#include "TestUtil.h"
#include "runtime/ElementMath.h"
#include "runtime/FakeQuant.h"

#include <limits>

using namespace qrt;
namespace qm = qrt::qmath;

TEST(QuantMath, RoundHalfToEvenAndRanges) {
  EXPECT_EQ(qm::roundHalfEven(0.5f), 0.f);
  EXPECT_EQ(qm::roundHalfEven(1.5f), 2.f);
  EXPECT_EQ(qm::roundHalfEven(-2.5f), -2.f);
  float lo, hi;
  qm::intRange(8, true, false, &lo, &hi);
  EXPECT_EQ(lo, -128.f);
  EXPECT_EQ(hi, 127.f);
  qm::intRange(8, true, true, &lo, &hi);
  EXPECT_EQ(lo, -127.f);
  qm::intRange(4, false, false, &lo, &hi);
  EXPECT_EQ(lo, 0.f);
  EXPECT_EQ(hi, 15.f);
  // Affine: 0.25 / 0.5 = 0.5 -> 0 (even) ; 0.75/0.5 = 1.5 -> 2.
  EXPECT_EQ(qm::fakeQuantAffine(0.25f, 0.5f, 0.f, -128, 127), 0.f);
  EXPECT_EQ(qm::fakeQuantAffine(0.75f, 0.5f, 0.f, -128, 127), 1.f);
  EXPECT_EQ(qm::fakeQuantAffine(1000.f, 0.5f, 3.f, -128, 127), 62.f);
  EXPECT_EQ(qm::fakeQuantAffineGradX(1000.f, 0.5f, 3.f, -128, 127), 0.f);
}

TEST(QuantMath, LqNetsNearestLevel) {
  // Basis {1, 2}, signed codes: levels {-3, -1, 1, 3}.
  float basis[2] = {1.f, 2.f}, levels[4];
  uint32_t codes[4];
  qm::lqLevels(basis, 2, true, levels, codes);
  EXPECT_EQ(std::vector<float>(levels, levels + 4),
            (std::vector<float>{-3, -1, 1, 3}));
  EXPECT_EQ(codes[0], 0u); // e = (-1, -1)
  EXPECT_EQ(codes[3], 3u); // e = (+1, +1)
  EXPECT_EQ(codes[1], 1u); // -1 = +1*1 - 1*2 -> bit 0 set
  EXPECT_EQ(levels[qm::lqNearest(0.1f, levels, 4)], 1.f);
  EXPECT_EQ(levels[qm::lqNearest(-2.2f, levels, 4)], -3.f);
  EXPECT_EQ(levels[qm::lqNearest(-1.9f, levels, 4)], -1.f);
  EXPECT_EQ(levels[qm::lqNearest(100.f, levels, 4)], 3.f);
  // Unsigned codes {0,1}: levels {0, 1, 2, 3} for basis {1, 2}.
  qm::lqLevels(basis, 2, false, levels, codes);
  EXPECT_EQ(std::vector<float>(levels, levels + 4),
            (std::vector<float>{0, 1, 2, 3}));
  Tensor x =
      Tensor::fromVector<float>({2, 3}, {0.4f, 1.6f, 9.f, -1.f, 2.4f, 0.6f});
  Tensor b = Tensor::fromVector<float>({2, 2}, {1.f, 2.f, 0.5f, 0.5f});
  Tensor y;
  ASSERT_TRUE(
      lqnetForward(x, b, false, Granularity::perChannel(0, 2), y).isOk());
  // Group 1 levels {0, 0.5, 0.5, 1}.
  EXPECT_EQ(std::vector<float>(y.data<float>(), y.data<float>() + 6),
            (std::vector<float>{0, 2, 3, 0, 1, 0.5f}));
}

TEST(QuantMath, FixedPointMultiplier) {
  // 0.5 = 2^30 * 2^-31.
  qm::FixedPointMultiplier m = qm::quantizeMultiplier(0.5);
  EXPECT_EQ(m.m0, 1 << 30);
  EXPECT_EQ(m.shift, 0);
  m = qm::quantizeMultiplier(0.0123);
  EXPECT_GE(m.m0, 1 << 30);
  EXPECT_LT(static_cast<int64_t>(m.m0), int64_t(1) << 31);
  EXPECT_NEAR(std::ldexp(double(m.m0), -(31 + m.shift)), 0.0123, 1e-11);
  m = qm::quantizeMultiplier(3.0); // M > 1: negative shift
  EXPECT_EQ(m.shift, -2);
  EXPECT_EQ(qm::applyMultiplier(7, m), 21);
  // Ties to even: 0.5 * 5 = 2.5 -> 2, 0.5 * 7 = 3.5 -> 4, -2.5 -> -2.
  qm::FixedPointMultiplier half = qm::quantizeMultiplier(0.5);
  EXPECT_EQ(qm::applyMultiplier(5, half), 2);
  EXPECT_EQ(qm::applyMultiplier(7, half), 4);
  EXPECT_EQ(qm::applyMultiplier(-5, half), -2);
  EXPECT_EQ(qm::applyMultiplier(-7, half), -4);
  EXPECT_EQ(qm::requantizeValue(1000, half, 10, 0, 255), 255);
  EXPECT_EQ(qm::requantizeValue(-1000, half, 10, 0, 255), 0);
  EXPECT_EQ(qm::quantizeMultiplier(0.0).m0, 0);
  // The rounding carry case: mantissa rounds up to 2^31.
  m = qm::quantizeMultiplier(std::nextafter(1.0, 0.0));
  EXPECT_EQ(m.m0, 1 << 30);
  EXPECT_EQ(m.shift, -1);
}

TEST(QuantMath, FixedPointMatchesExactRoundingOnRandomValues) {
  // round(acc * M) with M = m0 2^-k is exact in long double (64-bit
  // mantissa) for these magnitudes: an independent check of the integer
  // rounding shift.
  std::mt19937 rng(123);
  std::uniform_int_distribution<int32_t> acc(-(1 << 24), 1 << 24);
  std::uniform_real_distribution<double> mult(1e-5, 0.9);
  for (int i = 0; i < 20000; ++i) {
    qm::FixedPointMultiplier m = qm::quantizeMultiplier(mult(rng));
    int32_t a = acc(rng);
    long double exact =
        std::ldexp(static_cast<long double>(a) * m.m0, -(31 + m.shift));
    long double r = std::nearbyint(exact);
    ASSERT_EQ(qm::applyMultiplier(a, m), static_cast<int64_t>(r)) << a;
  }
}

TEST(QuantMath, RequantizeWithResidual) {
  // M = 0.5, residual multiplier 0.25: round(9 * 0.5) = 4 (tie to even),
  // round((30 - 10) * 0.25) = 5, + z 3 = 12. Two roundings: one rounding
  // of the sum, round(4.5 + 5) + 3, would give 13.
  qm::FixedPointMultiplier half = qm::quantizeMultiplier(0.5);
  qm::FixedPointMultiplier quarter = qm::quantizeMultiplier(0.25);
  EXPECT_EQ(qm::requantizeResidualValue(9, half, 30, 10, quarter, 3, -128, 127),
            12);
  // (r - zr) rounds on its own: (13 - 10) * 0.25 = 0.75 -> 1; 11 * 0.5 =
  // 5.5 -> 6 (tie to even); 6 + 1 - 20 = -13.
  EXPECT_EQ(
      qm::requantizeResidualValue(11, half, 13, 10, quarter, -20, -128, 127),
      -13);
  // Saturation after the sum: 400 * 0.5 + (255 - 0) * 0.25 -> 200 + 64.
  EXPECT_EQ(qm::requantizeResidualValue(400, half, 255, 0, quarter, 0, 0, 255),
            255);
  EXPECT_EQ(
      qm::requantizeResidualValue(-400, half, 0, 128, quarter, 10, 10, 255),
      10);
  // A zero residual term is requantizeValue.
  EXPECT_EQ(qm::requantizeResidualValue(77, half, 10, 10, quarter, 1, -128,
                                        127),
            qm::requantizeValue(77, half, 1, -128, 127));
}

TEST(QuantMath, ScaledSign) {
  EXPECT_EQ(qm::scaledSign(0.3f, 0.5f), 0.5f);
  EXPECT_EQ(qm::scaledSign(-2.f, 0.5f), -0.5f);
  EXPECT_EQ(qm::scaledSign(0.f, 0.25f), 0.25f);  // sign(0) = +1
  EXPECT_EQ(qm::scaledSign(-0.f, 0.25f), 0.25f); // -0 >= 0
}

TEST(ElementMath, Relu) {
  EXPECT_EQ(emath::relu(2.5f), 2.5f);
  EXPECT_EQ(emath::relu(-1.f), 0.f);
  // -0 and NaN give +0.
  EXPECT_FALSE(std::signbit(emath::relu(-0.f)));
  float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(emath::relu(nan), 0.f);
  EXPECT_FALSE(std::signbit(emath::relu(nan)));
}

TEST(ElementMath, FoldMinMaxKeepTheFirstOfEqualValues) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Folding {+0, -0} keeps +0 (the first); {-0, +0} keeps -0.
  float lo = inf, hi = -inf;
  for (float v : {0.f, -0.f}) {
    lo = emath::foldMin(lo, v);
    hi = emath::foldMax(hi, v);
  }
  EXPECT_FALSE(std::signbit(lo));
  EXPECT_FALSE(std::signbit(hi));
  lo = inf;
  hi = -inf;
  for (float v : {-0.f, 0.f}) {
    lo = emath::foldMin(lo, v);
    hi = emath::foldMax(hi, v);
  }
  EXPECT_TRUE(std::signbit(lo));
  EXPECT_TRUE(std::signbit(hi));
  // NaNs never enter; the extremes are found.
  lo = inf;
  hi = -inf;
  for (float v : {nan, 3.f, nan, -2.f, 7.f, nan}) {
    lo = emath::foldMin(lo, v);
    hi = emath::foldMax(hi, v);
  }
  EXPECT_EQ(lo, -2.f);
  EXPECT_EQ(hi, 7.f);
  // All NaN: the starting values stay.
  EXPECT_EQ(emath::foldMin(inf, nan), inf);
  EXPECT_EQ(emath::foldMax(-inf, nan), -inf);
}
