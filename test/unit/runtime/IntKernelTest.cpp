//===- IntKernelTest.cpp - int8 kernels, bit-exact vs int32 reference -----===//
//
// The oracle is a plain int64 loop written here: Σ (x - zx) w over the
// window with padding contributing zero, plus bias; requantization checked
// against round-half-even of acc * M evaluated in long double (exact for
// these magnitudes). Everything must match exactly.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"
#include "runtime/IntKernels.h"

#include <cmath>

using namespace qrt;
using namespace qrt::test;

namespace {

/// Reference int8 conv: i64 accumulation, then checked to fit i32.
std::vector<int32_t> refConv(const Tensor &x, int32_t zx, const Tensor &w,
                             const std::vector<int32_t> &bias,
                             const Conv2dParams &p, const Shape &out) {
  int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
  int64_t oc = w.dim(0), icg = w.dim(1), kh = w.dim(2), kw = w.dim(3);
  int64_t ocg = oc / p.groups;
  std::vector<int32_t> y(numElements(out));
  auto xval = [&](int64_t b, int64_t ch, int64_t r, int64_t col) -> int64_t {
    int64_t i = ((b * c + ch) * h + r) * wd + col;
    return x.dtype() == DType::U8 ? int64_t(x.data<uint8_t>()[i])
                                  : int64_t(x.data<int8_t>()[i]);
  };
  for (int64_t b = 0; b < n; ++b)
    for (int64_t o = 0; o < oc; ++o)
      for (int64_t i = 0; i < out[2]; ++i)
        for (int64_t j = 0; j < out[3]; ++j) {
          int64_t acc = bias.empty() ? 0 : bias[o];
          int64_t grp = o / ocg;
          for (int64_t ci = 0; ci < icg; ++ci)
            for (int64_t a = 0; a < kh; ++a)
              for (int64_t e = 0; e < kw; ++e) {
                int64_t r = i * p.strideH - p.padTop + a * p.dilationH;
                int64_t col = j * p.strideW - p.padLeft + e * p.dilationW;
                if (r < 0 || r >= h || col < 0 || col >= wd)
                  continue;
                int64_t wv =
                    w.data<int8_t>()[((o * icg + ci) * kh + a) * kw + e];
                acc += (xval(b, grp * icg + ci, r, col) - zx) * wv;
              }
          EXPECT_LE(std::llabs(acc), int64_t(INT32_MAX));
          y[((b * oc + o) * out[2] + i) * out[3] + j] = int32_t(acc);
        }
  return y;
}

struct Int8ConvCase {
  const char *name;
  Shape input;
  DType dtype;
  int32_t zx;
  int64_t oc, k;
  Conv2dParams p;
  bool bias;
};

void PrintTo(const Int8ConvCase &c, std::ostream *os) { *os << c.name; }

class Int8ConvExact : public ::testing::TestWithParam<Int8ConvCase> {};

TEST_P(Int8ConvExact, MatchesInt32Reference) {
  const Int8ConvCase &c = GetParam();
  std::mt19937 rng(17);
  Tensor x = c.dtype == DType::U8 ? randomInt<uint8_t>(c.input, 0, 255, rng)
                                  : randomInt<int8_t>(c.input, -128, 127, rng);
  Tensor w = randomInt<int8_t>({c.oc, c.input[1] / c.p.groups, c.k, c.k}, -127,
                               127, rng);
  Tensor bias = randomInt<int32_t>({c.oc}, -50000, 50000, rng);
  std::vector<int32_t> b;
  if (c.bias)
    b.assign(bias.data<int32_t>(), bias.data<int32_t>() + c.oc);
  Expected<Int8ConvPlan> plan = Int8ConvPlan::create(
      c.input, c.dtype, w, c.bias ? bias : Tensor(), c.p, c.zx);
  ASSERT_TRUE(plan.hasValue()) << plan.status().toString();
  Tensor acc;
  ASSERT_OK(plan->runAccumulate(x, acc));
  std::vector<int32_t> ref = refConv(x, c.zx, w, b, c.p, plan->outputShape());
  ASSERT_EQ(acc.numel(), int64_t(ref.size()));
  int64_t mismatches = 0;
  for (int64_t i = 0; i < acc.numel(); ++i)
    mismatches += acc.data<int32_t>()[i] != ref[i];
  EXPECT_EQ(mismatches, 0) << plan->implName();

  // Requantize per channel with ReLU; check against long double rounding.
  RequantizeOptions o;
  std::uniform_real_distribution<double> md(1e-5, 2e-3);
  for (int64_t i = 0; i < c.oc; ++i)
    o.multipliers.push_back(computeMultiplier(md(rng)).value());
  o.outputZeroPoint = 7;
  o.relu = true;
  Tensor y;
  ASSERT_OK(plan->run(x, o, y));
  int64_t inner = acc.numel() / (acc.dim(0) * c.oc);
  for (int64_t i = 0; i < acc.numel(); ++i) {
    FixedPointMultiplier m = o.multipliers[(i / inner) % c.oc];
    long double exact = std::ldexp((long double)ref[i] * m.m0, -(31 + m.shift));
    long double v = std::nearbyint(exact) + 7;
    v = std::min<long double>(std::max<long double>(v, 7), 255);
    ASSERT_EQ(int(y.data<uint8_t>()[i]), int(v)) << i;
  }
}

Conv2dParams cp(int64_t s, int64_t d, std::array<int64_t, 4> pad, int64_t g) {
  Conv2dParams p;
  p.strideH = p.strideW = s;
  p.dilationH = p.dilationW = d;
  p.padTop = pad[0];
  p.padLeft = pad[1];
  p.padBottom = pad[2];
  p.padRight = pad[3];
  p.groups = g;
  return p;
}

INSTANTIATE_TEST_SUITE_P(
    Int8Conv, Int8ConvExact,
    ::testing::Values(
        Int8ConvCase{"u8NoZp",
                     {2, 16, 8, 8},
                     DType::U8,
                     0,
                     32,
                     3,
                     cp(1, 1, {1, 1, 1, 1}, 1),
                     true},
        Int8ConvCase{"u8ZpPadded",
                     {2, 16, 9, 7},
                     DType::U8,
                     113,
                     24,
                     3,
                     cp(1, 1, {1, 1, 1, 1}, 1),
                     true},
        Int8ConvCase{"u8ZpAsymPadStride",
                     {1, 8, 11, 10},
                     DType::U8,
                     30,
                     16,
                     3,
                     cp(2, 1, {0, 1, 2, 1}, 1),
                     false},
        Int8ConvCase{"u8Dilated",
                     {1, 8, 12, 12},
                     DType::U8,
                     5,
                     8,
                     3,
                     cp(1, 2, {2, 2, 2, 2}, 1),
                     true},
        Int8ConvCase{"u8Groups",
                     {2, 16, 7, 7},
                     DType::U8,
                     64,
                     32,
                     3,
                     cp(1, 1, {1, 1, 1, 1}, 4),
                     true},
        Int8ConvCase{"u8Depthwise",
                     {2, 32, 8, 8},
                     DType::U8,
                     128,
                     32,
                     3,
                     cp(1, 1, {1, 1, 1, 1}, 32),
                     true},
        Int8ConvCase{"s8Input",
                     {1, 16, 6, 6},
                     DType::I8,
                     -3,
                     16,
                     3,
                     cp(1, 1, {1, 1, 1, 1}, 1),
                     true},
        // K = 64*9 = 576 products of up to 255*127: sums can pass 2^24.
        Int8ConvCase{"u8LargeK",
                     {1, 64, 6, 6},
                     DType::U8,
                     0,
                     16,
                     3,
                     cp(1, 1, {0, 0, 0, 0}, 1),
                     false}),
    [](const auto &info) { return std::string(info.param.name); });

TEST(Int8Conv, ExactBeyondFloatPrecision) {
  // All-max inputs: every accumulator is 576 * 255 * 127 = 18,653,760 > 2^24
  // (plus an odd bias so the sum is not a multiple of 2): f32 could not hold
  // it exactly.
  Tensor x = Tensor::empty({1, 64, 3, 3}, DType::U8);
  std::fill_n(x.data<uint8_t>(), x.numel(), uint8_t(255));
  Tensor w = Tensor::empty({2, 64, 3, 3}, DType::I8);
  std::fill_n(w.data<int8_t>(), w.numel(), int8_t(127));
  Tensor bias = Tensor::fromVector<int32_t>({2}, {1, 3});
  Expected<Int8ConvPlan> plan = Int8ConvPlan::create(
      {1, 64, 3, 3}, DType::U8, w, bias, Conv2dParams(), 0);
  ASSERT_TRUE(plan.hasValue());
  Tensor acc;
  ASSERT_OK(plan->runAccumulate(x, acc));
  EXPECT_EQ(acc.data<int32_t>()[0], 18653760 + 1);
  EXPECT_EQ(acc.data<int32_t>()[1], 18653760 + 3);
}

TEST(Int8Linear, MatchesInt32Reference) {
  std::mt19937 rng(23);
  for (int32_t zx : {0, 100}) {
    int64_t n = 5, k = 300, m = 19;
    Tensor x = randomInt<uint8_t>({n, k}, 0, 255, rng);
    Tensor w = randomInt<int8_t>({m, k}, -127, 127, rng);
    Tensor b = randomInt<int32_t>({m}, -1000, 1000, rng);
    Expected<Int8LinearPlan> plan =
        Int8LinearPlan::create({n, k}, DType::U8, w, b, zx);
    ASSERT_TRUE(plan.hasValue()) << plan.status().toString();
    Tensor acc;
    ASSERT_OK(plan->runAccumulate(x, acc));
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < m; ++j) {
        int64_t ref = b.data<int32_t>()[j];
        for (int64_t t = 0; t < k; ++t)
          ref += (int64_t(x.data<uint8_t>()[i * k + t]) - zx) *
                 w.data<int8_t>()[j * k + t];
        ASSERT_EQ(acc.data<int32_t>()[i * m + j], ref)
            << zx << plan->implName();
      }
  }
}

TEST(Requantize, ResidualAndSignedOutput) {
  // acc = {100, -100, 7}, M = 0.5 -> {50, -50, 4 (3.5 to even)}; residual
  // r = {10, 20, 30}, zr = 10, Mr = 0.25 -> {0, 2.5 -> 2, 5}; z = -3.
  Tensor acc = Tensor::fromVector<int32_t>({1, 1, 3}, {100, -100, 7});
  RequantizeOptions o;
  o.multipliers = {computeMultiplier(0.5).value()};
  o.outputZeroPoint = -3;
  o.outputDType = DType::I8;
  o.residual = Tensor::fromVector<uint8_t>({1, 1, 3}, {10, 20, 30});
  o.residualZeroPoint = 10;
  o.residualMultiplier = computeMultiplier(0.25).value();
  Tensor y;
  ASSERT_OK(requantize(acc, o, y));
  const int8_t *p = y.data<int8_t>();
  EXPECT_EQ(std::vector<int>(p, p + 3), (std::vector<int>{47, -51, 6}));
  o.relu = true; // clamp at the zero point
  Tensor yr;
  ASSERT_OK(requantize(acc, o, yr));
  EXPECT_EQ(int(yr.data<int8_t>()[1]), -3);
  o.multipliers = {o.multipliers[0], o.multipliers[0]};
  EXPECT_FALSE(requantize(acc, o, yr).isOk());
  EXPECT_FALSE(computeMultiplier(0.0).hasValue());
  EXPECT_FALSE(computeMultiplier(std::ldexp(1.0, 31)).hasValue());
}

TEST(Quantize, RoundTripPerTensorAndPerChannel) {
  // s = 0.5, z = 10: 1.25 -> 2.5 -> 2 (even) + 10 = 12; -100 -> clamp 0.
  Tensor x = Tensor::fromVector<float>(
      {2, 3}, {1.25f, -100.f, 0.f, 3.f, 200.f, -0.75f});
  Tensor q;
  ASSERT_OK(quantize(x, Tensor::fromVector<float>({1}, {0.5f}),
                     Tensor::fromVector<float>({1}, {10.f}),
                     Granularity::perTensor(), DType::U8, q));
  const uint8_t *pq = q.data<uint8_t>();
  EXPECT_EQ(std::vector<int>(pq, pq + 6),
            (std::vector<int>{12, 0, 10, 16, 255, 8}));
  Tensor d;
  ASSERT_OK(dequantize(q, Tensor::fromVector<float>({1}, {0.5f}),
                       Tensor::fromVector<float>({1}, {10.f}),
                       Granularity::perTensor(), d));
  EXPECT_EQ(d.data<float>()[0], 1.f);
  EXPECT_EQ(d.data<float>()[1], -5.f);
  // Per channel (axis 0), i8.
  Tensor qi;
  ASSERT_OK(quantize(x, Tensor::fromVector<float>({2}, {1.f, 2.f}),
                     Tensor::fromVector<float>({2}, {0.f, -1.f}),
                     Granularity::perChannel(0, 2), DType::I8, qi));
  const int8_t *pi = qi.data<int8_t>();
  EXPECT_EQ(std::vector<int>(pi, pi + 6),
            (std::vector<int>{1, -100, 0, 1, 99, -1}));
  Tensor di;
  ASSERT_OK(dequantize(qi, Tensor::fromVector<float>({2}, {1.f, 2.f}),
                       Tensor::fromVector<float>({2}, {0.f, -1.f}),
                       Granularity::perChannel(0, 2), di));
  EXPECT_EQ(di.data<float>()[4], 200.f);
  Tensor bad;
  EXPECT_FALSE(quantize(x, Tensor::fromVector<float>({1}, {1.f}),
                        Tensor::fromVector<float>({1}, {0.f}),
                        Granularity::perTensor(), DType::F32, bad)
                   .isOk());
}

} // namespace
