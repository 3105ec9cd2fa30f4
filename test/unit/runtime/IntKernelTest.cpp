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
#include <cstring>

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
  /// Inputs near the dtype's ends (u8: 235..255) and weights near ±127
  /// (-128 included): the largest accumulators and weight pieces.
  bool extreme = false;
};

void PrintTo(const Int8ConvCase &c, std::ostream *os) { *os << c.name; }

/// Values drawn from [lo, lo + 20] or [hi - 20, hi], random side.
template <typename T>
Tensor nearEnds(const Shape &shape, int lo, int hi, std::mt19937 &rng) {
  Tensor t = Tensor::empty(shape, DTypeOf<T>::value);
  std::uniform_int_distribution<int> off(0, 20), side(0, 1);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data<T>()[i] = static_cast<T>(side(rng) ? hi - off(rng) : lo + off(rng));
  return t;
}

void checkInt8Conv(const Int8ConvCase &c) {
  std::mt19937 rng(17);
  Tensor x, w;
  Shape ws = {c.oc, c.input[1] / c.p.groups, c.k, c.k};
  if (c.extreme) {
    x = c.dtype == DType::U8 ? nearEnds<uint8_t>(c.input, 235, 255, rng)
                             : nearEnds<int8_t>(c.input, -128, 127, rng);
    w = nearEnds<int8_t>(ws, -128, 127, rng);
  } else {
    x = c.dtype == DType::U8 ? randomInt<uint8_t>(c.input, 0, 255, rng)
                             : randomInt<int8_t>(c.input, -128, 127, rng);
    w = randomInt<int8_t>(ws, -127, 127, rng);
  }
  Tensor bias = randomInt<int32_t>({c.oc}, -50000, 50000, rng);
  std::vector<int32_t> b;
  if (c.bias)
    b.assign(bias.data<int32_t>(), bias.data<int32_t>() + c.oc);
  Expected<Int8ConvPlan> plan = Int8ConvPlan::create(
      c.input, c.dtype, w, c.bias ? bias : Tensor(), c.p, c.zx);
  ASSERT_TRUE(plan.hasValue()) << plan.status().toString();
  if (!int8KernelsExact()) {
    EXPECT_EQ(plan->implName().rfind("exact_f32x", 0), 0u) << plan->implName();
    if (c.extreme) // K = 4608 near the extremes: the weights must be split
      EXPECT_EQ(plan->implName().rfind("exact_f32x1:", 0), std::string::npos)
          << plan->implName();
  }
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

class Int8ConvExact : public ::testing::TestWithParam<Int8ConvCase> {};

TEST_P(Int8ConvExact, MatchesInt32Reference) { checkInt8Conv(GetParam()); }

/// The same cases through the exact fallback (fp32 convolutions of weight
/// pieces), forced on any CPU.
class Int8ConvExactFallback : public ::testing::TestWithParam<Int8ConvCase> {};

TEST_P(Int8ConvExactFallback, MatchesInt32Reference) {
  ScopedInt8Fallback fallback;
  checkInt8Conv(GetParam());
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

const Int8ConvCase kConvCases[] = {
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
                     false},
        // K = 512*3*3 = 4608 with u8 inputs near 255 and weights near ±127:
        // accumulators near 1.4e8, and the fallback needs several pieces.
        Int8ConvCase{"u8K4608Extreme",
                     {1, 512, 6, 6},
                     DType::U8,
                     0,
                     8,
                     3,
                     cp(1, 1, {1, 1, 1, 1}, 1),
                     true,
                     true},
        Int8ConvCase{"u8K4608ExtremeZpAsymPadStride",
                     {1, 512, 7, 6},
                     DType::U8,
                     3,
                     8,
                     3,
                     cp(2, 1, {0, 1, 2, 1}, 1),
                     true,
                     true},
        Int8ConvCase{"s8K4608ExtremeGroupsDilated",
                     {1, 1024, 7, 7},
                     DType::I8,
                     -5,
                     8,
                     3,
                     cp(1, 2, {2, 1, 2, 1}, 2),
                     true,
                     true},
};

std::string convCaseName(const ::testing::TestParamInfo<Int8ConvCase> &info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Int8Conv, Int8ConvExact,
                         ::testing::ValuesIn(kConvCases), convCaseName);
INSTANTIATE_TEST_SUITE_P(Int8Conv, Int8ConvExactFallback,
                         ::testing::ValuesIn(kConvCases), convCaseName);

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

/// [N, C, H, W] -> [N, H, W, C] of any 1- or 4-byte dtype.
template <typename T> Tensor toNhwc(const Tensor &x) {
  int64_t n = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3);
  Tensor y = Tensor::empty({n, x.dim(2), x.dim(3), c}, x.dtype());
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t i = 0; i < hw; ++i)
        y.data<T>()[(b * hw + i) * c + ch] = x.data<T>()[(b * c + ch) * hw + i];
  return y;
}

/// A channels-last accumulating plan (the int8 layers whose float epilogue
/// runs channels-last) gives the NCHW plan's accumulators, transposed.
void checkChannelsLastAccumulators() {
  std::mt19937 rng(29);
  Shape in = {3, 16, 9, 7};
  Tensor x = randomInt<uint8_t>(in, 0, 255, rng);
  Tensor w = randomInt<int8_t>({24, 16, 3, 3}, -127, 127, rng);
  Tensor bias = randomInt<int32_t>({24}, -50000, 50000, rng);
  Conv2dParams p = cp(2, 1, {1, 1, 1, 1}, 1);
  Expected<Int8ConvPlan> nchw =
      Int8ConvPlan::create(in, DType::U8, w, bias, p, 3);
  ASSERT_TRUE(nchw.hasValue()) << nchw.status().toString();
  p.srcChannelsLast = p.dstChannelsLast = true;
  Expected<Int8ConvPlan> nhwc =
      Int8ConvPlan::create(toChannelsLast(in), DType::U8, w, bias, p, 3);
  ASSERT_TRUE(nhwc.hasValue()) << nhwc.status().toString();
  Tensor a, b;
  ASSERT_OK(nchw->runAccumulate(x, a));
  ASSERT_OK(nhwc->runAccumulate(toNhwc<uint8_t>(x), b));
  ASSERT_EQ(b.shape(), toChannelsLast(a.shape()));
  Tensor at = toNhwc<int32_t>(a);
  EXPECT_EQ(std::memcmp(at.rawData(), b.rawData(), b.nbytes()), 0)
      << nhwc->implName();
}

TEST(Int8Conv, ChannelsLastAccumulators) { checkChannelsLastAccumulators(); }
TEST(Int8ExactFallback, ChannelsLastAccumulators) {
  ScopedInt8Fallback fallback;
  checkChannelsLastAccumulators();
}

/// applyFloatEpilogue channels-last computes each element as the NCHW pass
/// does: the same bits, transposed (f32 result and quantized copy).
TEST(FloatEpilogue, ChannelsLastIsTheTransposedResult) {
  std::mt19937 rng(31);
  for (int64_t c : {3, 16, 1500}) { // 1500: one pixel per tile
    Shape shape = {2, c, 5, 3};
    Tensor acc = randomInt<int32_t>(shape, -40000, 40000, rng);
    Tensor scale = randomUniform({c}, 1e-5f, 1e-3f, rng);
    Tensor zero = Tensor::fromVector<float>({1}, {0.f});
    Tensor bias = randomUniform({c}, -1.f, 1.f, rng);
    Tensor residual = randomUniform(shape, -2.f, 2.f, rng);
    EpilogueQuantize q;
    q.dtype = DType::U8;
    q.scale = 0.02f;
    q.zeroPoint = 3.f;
    q.range = QuantRange::fromBits(8, false);
    Tensor y, yq, ycl, yqcl;
    ASSERT_OK(applyFloatEpilogue(acc, scale, zero, bias, residual, true, y, &q,
                                 &yq));
    ASSERT_OK(applyFloatEpilogue(toNhwc<int32_t>(acc), scale, zero, bias,
                                 toNhwc<float>(residual), true, ycl, &q, &yqcl,
                                 /*channelsLast=*/true));
    Tensor yt = toNhwc<float>(y), yqt = toNhwc<uint8_t>(yq);
    EXPECT_EQ(std::memcmp(yt.rawData(), ycl.rawData(), yt.nbytes()), 0) << c;
    EXPECT_EQ(std::memcmp(yqt.rawData(), yqcl.rawData(), yqt.nbytes()), 0)
        << c;
  }
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

/// Σ (x - zx) w + b of x [n, k] (u8/i8) and w [m, k], in int64.
std::vector<int64_t> refLinear(const Tensor &x, int32_t zx, const Tensor &w,
                               const Tensor &b) {
  int64_t n = x.dim(0), k = x.dim(1), m = w.dim(0);
  std::vector<int64_t> y(n * m);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < m; ++j) {
      int64_t acc = b.defined() ? b.data<int32_t>()[j] : 0;
      for (int64_t t = 0; t < k; ++t) {
        int64_t xv = x.dtype() == DType::U8
                         ? int64_t(x.data<uint8_t>()[i * k + t])
                         : int64_t(x.data<int8_t>()[i * k + t]);
        acc += (xv - zx) * w.data<int8_t>()[j * k + t];
      }
      y[i * m + j] = acc;
    }
  return y;
}

TEST(Int8ExactFallback, LinearMatchesInt32Reference) {
  ScopedInt8Fallback fallback;
  EXPECT_FALSE(int8KernelsExact());
  std::mt19937 rng(29);
  struct Case {
    int64_t k;
    DType dtype;
    int32_t zx;
    bool extreme;
  } cases[] = {{300, DType::U8, 100, false},
               {4608, DType::U8, 0, true},
               {4608, DType::I8, -7, true}};
  for (const Case &c : cases) {
    int64_t n = 3, m = 11;
    Tensor x = c.extreme
                   ? (c.dtype == DType::U8
                          ? nearEnds<uint8_t>({n, c.k}, 235, 255, rng)
                          : nearEnds<int8_t>({n, c.k}, -128, 127, rng))
                   : randomInt<uint8_t>({n, c.k}, 0, 255, rng);
    Tensor w = c.extreme ? nearEnds<int8_t>({m, c.k}, -128, 127, rng)
                         : randomInt<int8_t>({m, c.k}, -127, 127, rng);
    Tensor b = randomInt<int32_t>({m}, -1000, 1000, rng);
    Expected<Int8LinearPlan> plan =
        Int8LinearPlan::create({n, c.k}, c.dtype, w, b, c.zx);
    ASSERT_TRUE(plan.hasValue()) << plan.status().toString();
    EXPECT_EQ(plan->implName().rfind("exact_f32x", 0), 0u) << plan->implName();
    if (c.extreme) // needs a split
      EXPECT_EQ(plan->implName().rfind("exact_f32x1:", 0), std::string::npos)
          << plan->implName();
    Tensor acc;
    ASSERT_OK(plan->runAccumulate(x, acc));
    std::vector<int64_t> ref = refLinear(x, c.zx, w, b);
    for (int64_t i = 0; i < n * m; ++i)
      ASSERT_EQ(acc.data<int32_t>()[i], ref[i]) << c.k << " " << i;
  }
}

TEST(Int8ExactFallback, Int64LoopsBeyondAnySplit) {
  // Reductions so long that even one-bit pieces could pass 2^24 in fp32
  // (70000 * 255 > 2^24): the fallback runs int64 loops.
  ScopedInt8Fallback fallback;
  int64_t k = 70000;
  Tensor x = Tensor::empty({2, k}, DType::U8);
  std::fill_n(x.data<uint8_t>(), x.numel(), uint8_t(255));
  x.data<uint8_t>()[5] = 3;
  Tensor w = Tensor::empty({3, k}, DType::I8);
  std::fill_n(w.data<int8_t>(), w.numel(), int8_t(60)); // |acc| < 2^31
  w.data<int8_t>()[k + 1] = -128;
  Tensor b = Tensor::fromVector<int32_t>({3}, {1, -2, 3});
  Expected<Int8LinearPlan> lin =
      Int8LinearPlan::create({2, k}, DType::U8, w, b, 0);
  ASSERT_TRUE(lin.hasValue()) << lin.status().toString();
  EXPECT_EQ(lin->implName(), "exact:int64_loops");
  Tensor acc;
  ASSERT_OK(lin->runAccumulate(x, acc));
  std::vector<int64_t> ref = refLinear(x, 0, w, b);
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_EQ(acc.data<int32_t>()[i], ref[i]) << i;

  // A conv with K = 8192 * 3 * 3, padded, NCHW.
  Tensor xc = Tensor::empty({1, 8192, 2, 2}, DType::U8);
  std::fill_n(xc.data<uint8_t>(), xc.numel(), uint8_t(250));
  Tensor wc = Tensor::empty({2, 8192, 3, 3}, DType::I8);
  std::fill_n(wc.data<int8_t>(), wc.numel(), int8_t(-127));
  wc.data<int8_t>()[3] = 100;
  Conv2dParams p;
  p.padTop = p.padLeft = p.padBottom = p.padRight = 1;
  Expected<Int8ConvPlan> conv =
      Int8ConvPlan::create({1, 8192, 2, 2}, DType::U8, wc, Tensor(), p, 4);
  ASSERT_TRUE(conv.hasValue()) << conv.status().toString();
  EXPECT_EQ(conv->implName(), "exact:int64_loops");
  Tensor accc;
  ASSERT_OK(conv->runAccumulate(xc, accc));
  std::vector<int32_t> refc = refConv(xc, 4, wc, {}, p, conv->outputShape());
  ASSERT_EQ(accc.numel(), int64_t(refc.size()));
  for (int64_t i = 0; i < accc.numel(); ++i)
    EXPECT_EQ(accc.data<int32_t>()[i], refc[i]) << i;
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
