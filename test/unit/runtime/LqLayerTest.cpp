//===- LqLayerTest.cpp - LQ-Nets layers on code planes vs two oracles -----===//
//
// 1. float64: Σ ŵ x̂ (+ bias) over lqnetForward's fake-quantized operands,
//    a textbook convolution in double. The step may differ from it by the
//    rounding of the float levels Σ v e (each K terms rounded in f32) and
//    of its own double sums and final f32 result: a level's error is at
//    most (K - 1) 2^-24 Σ|v|, so |y - Σ ŵ x̂| <= (K_w + K_a + 2) 2^-24
//    (taps Σ|v^w| Σ|v^a| + |bias|).
// 2. its own decomposition, bit for bit: codes recovered from the
//    fake-quantized values by searching all 2^K codes for the level
//    lqnetForward returned (not the step's lqNearest), integer convolutions
//    of each pair of code planes in int64 by direct loops, combined as the
//    step documents (i outer, j inner, (double)v^w_i (double)v^a_j acc in
//    double, one f32 rounding, then + bias in f32).
//
//===----------------------------------------------------------------------===//

#include "runtime/LqLayer.h"
#include "TestUtil.h"

#include <cmath>
#include <cstring>

using namespace qrt;
using namespace qrt::lq;
using qrt::test::randomUniform;

namespace {

struct Case {
  int64_t n, c, h, w, o, kh, kw;
  Conv2dParams p;
  int bitsW, bitsA;
  bool signedA;
  int64_t weightGroups; // basis groups along the output channels
};

/// The float level of `code` exactly as lqLevels sums it (i ascending).
float levelOf(const float *basis, int k, bool signedCodes, uint32_t code) {
  float v = 0.f;
  for (int i = 0; i < k; ++i)
    v += basis[i] * (((code >> i) & 1u) ? 1.f : (signedCodes ? -1.f : 0.f));
  return v;
}

/// The code whose level is `level` (asserted unique: the bases are
/// generic).
uint32_t codeOf(float level, const float *basis, int k, bool signedCodes) {
  int found = -1;
  for (uint32_t c = 0; c < (1u << k); ++c)
    if (levelOf(basis, k, signedCodes, c) == level) {
      EXPECT_EQ(found, -1) << "two codes share level " << level;
      found = (int)c;
    }
  EXPECT_GE(found, 0) << "no code has level " << level;
  return (uint32_t)std::max(found, 0);
}

Tensor randomBasis(int64_t groups, int k, float scale, std::mt19937 &rng) {
  // Generic positive components of distinct magnitudes, as QEM fits them.
  Tensor b = Tensor::empty({groups, k}, DType::F32);
  std::uniform_real_distribution<float> jitter(0.7f, 1.3f);
  for (int64_t g = 0; g < groups; ++g)
    for (int i = 0; i < k; ++i)
      b.data<float>()[g * k + i] = scale * (float)(1 << i) * jitter(rng);
  return b;
}

void runCase(const Case &cs, uint32_t seed) {
  std::mt19937 rng(seed);
  int64_t cg = cs.c / cs.p.groups;
  Tensor x = randomUniform({cs.n, cs.c, cs.h, cs.w},
                           cs.signedA ? -3.f : -0.5f, 3.f, rng);
  Tensor w = randomUniform({cs.o, cg, cs.kh, cs.kw}, -1.f, 1.f, rng);
  Tensor bias = randomUniform({cs.o}, -2.f, 2.f, rng);
  Tensor wb = randomBasis(cs.weightGroups, cs.bitsW, 0.15f, rng);
  Tensor ab = randomBasis(1, cs.bitsA, cs.signedA ? 0.4f : 0.3f, rng);
  Granularity gw = cs.weightGroups == 1 ? Granularity::perTensor()
                                        : Granularity{0, cs.weightGroups};
  Tensor wq, xq;
  ASSERT_TRUE(lqnetForward(w, wb, true, gw, wq));
  ASSERT_TRUE(lqnetForward(x, ab, cs.signedA, Granularity::perTensor(), xq));

  Expected<LqWeights> lw = encodeWeights(w, wb, true, gw);
  ASSERT_TRUE(lw) << lw.status().message();
  Expected<Codebook> cb = makeCodebook(ab, cs.signedA);
  ASSERT_TRUE(cb);
  Tensor y;
  Status s = lqConv2d(x, *lw, *cb, bias, cs.p, y);
  ASSERT_TRUE(s) << s.message();
  Expected<Shape> shape =
      conv2dOutputShape(x.shape(), w.shape(), cs.p);
  ASSERT_TRUE(shape);
  ASSERT_EQ(y.shape(), *shape);
  int64_t oh = (*shape)[2], ow = (*shape)[3];

  // Codes of every fake-quantized element.
  int64_t perGroup = cs.o / cs.weightGroups;
  std::vector<uint32_t> wc(w.numel()), xc(x.numel());
  int64_t wInner = w.numel() / cs.o;
  for (int64_t i = 0; i < w.numel(); ++i)
    wc[i] = codeOf(wq.data<float>()[i],
                   wb.data<float>() + (i / wInner / perGroup) * cs.bitsW,
                   cs.bitsW, true);
  for (int64_t i = 0; i < x.numel(); ++i)
    xc[i] = codeOf(xq.data<float>()[i], ab.data<float>(), cs.bitsA,
                   cs.signedA);
  auto bit = [](uint32_t code, int i, bool sgn) -> int64_t {
    return ((code >> i) & 1u) ? 1 : (sgn ? -1 : 0);
  };

  int64_t og = cs.o / cs.p.groups;
  int64_t checked = 0;
  for (int64_t b = 0; b < cs.n; ++b)
    for (int64_t o = 0; o < cs.o; ++o)
      for (int64_t yy = 0; yy < oh; ++yy)
        for (int64_t xx = 0; xx < ow; ++xx) {
          double ref = 0, mag = 0;
          std::vector<int64_t> acc(cs.bitsW * cs.bitsA, 0);
          int64_t grp = o / og;
          double w1 = 0, a1 = 0;
          for (int i = 0; i < cs.bitsW; ++i)
            w1 += std::fabs(wb.data<float>()[(o / perGroup) * cs.bitsW + i]);
          for (int j = 0; j < cs.bitsA; ++j)
            a1 += std::fabs(ab.data<float>()[j]);
          for (int64_t ci = 0; ci < cg; ++ci)
            for (int64_t ky = 0; ky < cs.kh; ++ky)
              for (int64_t kx = 0; kx < cs.kw; ++kx) {
                int64_t iy = yy * cs.p.strideH - cs.p.padTop +
                             ky * cs.p.dilationH;
                int64_t ix = xx * cs.p.strideW - cs.p.padLeft +
                             kx * cs.p.dilationW;
                if (iy < 0 || iy >= cs.h || ix < 0 || ix >= cs.w)
                  continue; // zero padding: contributes 0
                int64_t xi = ((b * cs.c + grp * cg + ci) * cs.h + iy) * cs.w +
                             ix;
                int64_t wi = ((o * cg + ci) * cs.kh + ky) * cs.kw + kx;
                double prod =
                    (double)wq.data<float>()[wi] * (double)xq.data<float>()[xi];
                ref += prod;
                mag += w1 * a1;
                for (int i = 0; i < cs.bitsW; ++i)
                  for (int j = 0; j < cs.bitsA; ++j)
                    acc[i * cs.bitsA + j] +=
                        bit(wc[wi], i, true) * bit(xc[xi], j, cs.signedA);
              }
          float bo = bias.data<float>()[o];
          ref += bo;
          const float *vw =
              wb.data<float>() + (o / perGroup) * cs.bitsW;
          double sum = 0;
          for (int i = 0; i < cs.bitsW; ++i)
            for (int j = 0; j < cs.bitsA; ++j)
              sum += ((double)vw[i] * (double)ab.data<float>()[j]) *
                     (double)acc[i * cs.bitsA + j];
          float want = (float)sum + bo;
          float got = y.data<float>()[((b * cs.o + o) * oh + yy) * ow + xx];
          uint32_t gb, wbits;
          std::memcpy(&gb, &got, 4);
          std::memcpy(&wbits, &want, 4);
          ASSERT_EQ(gb, wbits) << "decomposition differs at n=" << b
                               << " o=" << o << " (" << yy << ", " << xx
                               << "): " << got << " vs " << want;
          double tol = (cs.bitsW + cs.bitsA + 2) * std::ldexp(1.0, -24) *
                       (mag + std::fabs(bo));
          ASSERT_LE(std::fabs((double)got - ref), tol)
              << "float64 oracle at n=" << b << " o=" << o;
          ++checked;
        }
  EXPECT_EQ(checked, y.numel());
}

TEST(LqLayer, ConvMatchesOracleAndDecomposition) {
  Conv2dParams same;
  same.padTop = same.padLeft = same.padBottom = same.padRight = 1;
  Conv2dParams strided = same;
  strided.strideH = strided.strideW = 2;
  strided.padBottom = 0;
  Conv2dParams dilated;
  dilated.dilationH = dilated.dilationW = 2;
  dilated.padLeft = 2;
  Conv2dParams grouped = same;
  grouped.groups = 2;
  // n c h w o kh kw p bitsW bitsA signedA weightGroups
  runCase({2, 5, 7, 7, 6, 3, 3, same, 2, 2, false, 6}, 1);
  runCase({2, 5, 7, 7, 6, 3, 3, same, 2, 2, true, 6}, 2);
  runCase({3, 4, 9, 8, 4, 3, 3, strided, 3, 2, false, 2}, 3);
  runCase({1, 3, 9, 9, 5, 3, 2, dilated, 1, 3, false, 1}, 4);
  runCase({2, 4, 6, 6, 6, 3, 3, grouped, 2, 4, true, 6}, 5);
  // The first layer of an 8-bit LQ-Nets model: one signed input channel.
  runCase({2, 1, 8, 8, 4, 3, 3, same, 8, 8, true, 4}, 6);
  // Many input channels (long integer sums).
  runCase({1, 70, 5, 5, 3, 3, 3, same, 2, 2, false, 3}, 7);
}

TEST(LqLayer, LinearMatchesOracle) {
  std::mt19937 rng(11);
  const int64_t n = 3, c = 37, o = 5;
  for (int bits : {2, 8}) {
    Tensor x = randomUniform({n, c}, -2.f, 2.f, rng);
    Tensor w = randomUniform({o, c}, -1.f, 1.f, rng);
    Tensor bias = randomUniform({o}, -1.f, 1.f, rng);
    Tensor wb = randomBasis(o, bits, 0.01f, rng);
    Tensor ab = randomBasis(1, bits, 0.02f, rng);
    Tensor wq, xq, y;
    ASSERT_TRUE(lqnetForward(w, wb, true, Granularity{0, o}, wq));
    ASSERT_TRUE(lqnetForward(x, ab, true, Granularity::perTensor(), xq));
    Expected<LqWeights> lw = encodeWeights(w, wb, true, Granularity{0, o});
    Expected<Codebook> cb = makeCodebook(ab, true);
    ASSERT_TRUE(lw && cb);
    ASSERT_TRUE(lqLinear(x, *lw, *cb, bias, y));
    ASSERT_EQ(y.shape(), (Shape{n, o}));
    for (int64_t b = 0; b < n; ++b)
      for (int64_t k = 0; k < o; ++k) {
        double ref = bias.data<float>()[k], w1 = 0, a1 = 0;
        for (int i = 0; i < bits; ++i) {
          w1 += std::fabs(wb.data<float>()[k * bits + i]);
          a1 += std::fabs(ab.data<float>()[i]);
        }
        double mag = std::fabs(ref) + c * w1 * a1;
        for (int64_t i = 0; i < c; ++i)
          ref += (double)wq.data<float>()[k * c + i] *
                 (double)xq.data<float>()[b * c + i];
        EXPECT_LE(std::fabs((double)y.data<float>()[b * o + k] - ref),
                  (2 * bits + 2) * std::ldexp(1.0, -24) * mag)
            << bits << " bits, n=" << b << " o=" << k;
      }
  }
}

// A degenerate basis (v = [1, 1], signed: codes 01 and 10 both give level
// 0): whichever code the step takes, Σ v e is the level, and with small
// integer levels every sum is exact, so y = Σ ŵ x̂ exactly.
TEST(LqLayer, DegenerateBasisGivesTheLevels) {
  std::mt19937 rng(5);
  Tensor x = randomUniform({2, 3, 5, 5}, -3.f, 3.f, rng);
  Tensor w = randomUniform({4, 3, 3, 3}, -3.f, 3.f, rng);
  Tensor ones = Tensor::fromVector<float>({1, 2}, {1.f, 1.f});
  Tensor wq, xq, y;
  ASSERT_TRUE(lqnetForward(w, ones, true, Granularity::perTensor(), wq));
  ASSERT_TRUE(lqnetForward(x, ones, true, Granularity::perTensor(), xq));
  Expected<LqWeights> lw =
      encodeWeights(w, ones, true, Granularity::perTensor());
  Expected<Codebook> cb = makeCodebook(ones, true);
  ASSERT_TRUE(lw && cb);
  Conv2dParams p;
  p.padTop = p.padLeft = p.padBottom = p.padRight = 1;
  ASSERT_TRUE(lqConv2d(x, *lw, *cb, Tensor(), p, y));
  int zeros = 0;
  for (int64_t i = 0; i < xq.numel(); ++i)
    zeros += xq.data<float>()[i] == 0.f;
  ASSERT_GT(zeros, 0) << "the case must hit the shared level";
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t o = 0; o < 4; ++o)
      for (int64_t yy = 0; yy < 5; ++yy)
        for (int64_t xx = 0; xx < 5; ++xx) {
          double ref = 0;
          for (int64_t c = 0; c < 3; ++c)
            for (int64_t ky = 0; ky < 3; ++ky)
              for (int64_t kx = 0; kx < 3; ++kx) {
                int64_t iy = yy + ky - 1, ix = xx + kx - 1;
                if (iy < 0 || iy >= 5 || ix < 0 || ix >= 5)
                  continue;
                ref += (double)wq.data<float>()[((o * 3 + c) * 3 + ky) * 3 +
                                                kx] *
                       xq.data<float>()[((b * 3 + c) * 5 + iy) * 5 + ix];
              }
          EXPECT_EQ(y.data<float>()[((b * 4 + o) * 5 + yy) * 5 + xx],
                    (float)ref);
        }
}

TEST(LqLayer, RejectsBadOperands) {
  std::mt19937 rng(3);
  Tensor w = randomUniform({4, 2, 3, 3}, -1.f, 1.f, rng);
  Tensor nine = Tensor::zeros({1, 9}, DType::F32);
  EXPECT_FALSE(makeCodebook(nine, true));
  EXPECT_FALSE(makeCodebook(Tensor(), true));
  Tensor three = randomBasis(3, 2, 0.1f, rng);
  Expected<LqWeights> bad = encodeWeights(w, three, true, Granularity{0, 3});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find("output channels"), std::string::npos)
      << bad.status().message();
  EXPECT_FALSE(encodeWeights(w, three, true, Granularity{1, 3}));
  Tensor one = randomBasis(1, 2, 0.1f, rng);
  Expected<LqWeights> lw = encodeWeights(w, one, true, Granularity::perTensor());
  Expected<Codebook> two = makeCodebook(randomBasis(2, 2, 0.1f, rng), false);
  Expected<Codebook> cb = makeCodebook(one, false);
  ASSERT_TRUE(lw && two && cb);
  Tensor y, planes;
  EXPECT_FALSE(lqConv2d(Tensor(), *lw, *cb, Tensor(), Conv2dParams(), y));
  EXPECT_FALSE(encodeActivations(randomUniform({1, 2, 4, 4}, 0.f, 1.f, rng),
                                 *two, planes));
  // A bias of the wrong size, and input channels the weight does not take.
  Tensor x = randomUniform({1, 2, 4, 4}, 0.f, 1.f, rng);
  EXPECT_FALSE(lqConv2d(x, *lw, *cb, Tensor::zeros({3}, DType::F32),
                        Conv2dParams(), y));
  EXPECT_FALSE(lqConv2d(randomUniform({1, 3, 4, 4}, 0.f, 1.f, rng), *lw, *cb,
                        Tensor(), Conv2dParams(), y));
}

} // namespace
