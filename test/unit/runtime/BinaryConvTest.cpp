//===- BinaryConvTest.cpp - packed binary conv vs a direct +-1 reference --===//
//
// The reference is the textbook convolution of sign(x) (+1 for x >= 0) by
// sign(w) over explicitly padded +-1 / 0 inputs, accumulated in int64, then
// float(dot) * scale[o] (+ bias[o]): the packed kernel must give the same
// bits for every shape, stride, dilation, padding, group count and channel
// count (including counts that are not multiples of 64), on the portable
// popcount and, where the CPU has it, on AVX-512 VPOPCNTDQ.
//
//===----------------------------------------------------------------------===//

#include "runtime/BinaryConv.h"
#include "TestUtil.h"

#include <cmath>
#include <cstring>

using namespace qrt;
using namespace qrt::xnor;
using qrt::test::randomUniform;

namespace {

int naivePopcount(uint64_t v) {
  int c = 0;
  for (int i = 0; i < 64; ++i)
    c += (v >> i) & 1;
  return c;
}

TEST(BinaryPopcount, PortableMatchesBitLoop) {
  std::mt19937_64 rng(7);
  for (int64_t n = 0; n <= 21; ++n) {
    std::vector<uint64_t> a(n), b(n);
    int64_t want = 0;
    for (int64_t i = 0; i < n; ++i) {
      a[i] = rng();
      b[i] = rng();
      want += naivePopcount(a[i] ^ b[i]);
    }
    EXPECT_EQ(xorPopcountPortable(a.data(), b.data(), n), want) << n;
  }
}

TEST(BinaryPopcount, Avx512MatchesPortable) {
  if (!hasAvx512Popcount())
    GTEST_SKIP() << "no AVX-512 VPOPCNTDQ on this CPU";
  std::mt19937_64 rng(8);
  for (int64_t n = 0; n <= 37; ++n) {
    std::vector<uint64_t> a(n), b(n);
    for (int64_t i = 0; i < n; ++i) {
      a[i] = rng();
      b[i] = rng();
    }
    EXPECT_EQ(xorPopcountAvx512(a.data(), b.data(), n),
              xorPopcountPortable(a.data(), b.data(), n))
        << n;
  }
}

TEST(BinaryDot, IsKMinusTwiceTheMismatches) {
  // a = +1 -1 +1, w = +1 +1 -1: dot = 1 - 1 - 1 = -1.
  uint64_t a = 0b010, w = 0b100;
  EXPECT_EQ(binaryDot(3, xorPopcountPortable(&a, &w, 1)), -1);
  EXPECT_EQ(signBit(0.f), 0u);
  EXPECT_EQ(signBit(-0.f), 0u);
  EXPECT_EQ(signBit(-1e-30f), 1u);
  EXPECT_EQ(signBit(NAN), 1u);
}

TEST(BinaryPack, ActivationsAlongChannels) {
  // 1 x 70 x 1 x 2, two groups of 35: channel c of pixel 1 is negative when
  // c is odd; planes [group][word = 0][pixel].
  std::vector<float> x(70 * 2, 1.f);
  for (int c = 0; c < 70; ++c)
    x[c * 2 + 1] = c % 2 ? -2.f : 0.f;
  std::vector<uint64_t> out(2 * 1 * 2, ~uint64_t(0));
  packActivations(x.data(), 1, 70, 1, 2, 2, out.data());
  EXPECT_EQ(out[0], 0u); // group 0, pixel 0
  uint64_t odd35 = 0;
  for (int c = 1; c < 35; c += 2)
    odd35 |= uint64_t(1) << c;
  EXPECT_EQ(out[1], odd35); // group 0 (channels 0..34), pixel 1
  EXPECT_EQ(out[2], 0u);    // group 1, pixel 0
  uint64_t shifted = 0;     // channels 35..69: odd global index = even local
  for (int c = 0; c < 35; c += 2)
    shifted |= uint64_t(1) << c;
  EXPECT_EQ(out[3], shifted);
  // 130 channels: three words per pixel, the last holding 2 channels.
  std::vector<float> y(130, -1.f);
  std::vector<uint64_t> words(3);
  packActivations(y.data(), 1, 130, 1, 1, 1, words.data());
  EXPECT_EQ(words[0], ~uint64_t(0));
  EXPECT_EQ(words[1], ~uint64_t(0));
  EXPECT_EQ(words[2], uint64_t(3));
}

struct Case {
  int64_t n, c, h, w, o, kh, kw, groups;
  Conv2dParams p;
  BinaryPad pad;
  bool perChannel, bias, int8Weights;
};

/// The direct convolution of the reference (see the file comment).
std::vector<float> reference(const Tensor &x, const Tensor &w,
                             const Tensor &scale, const Tensor &bias,
                             const Case &k, const Shape &out) {
  int64_t oh = out[2], ow = out[3], cg = k.c / k.groups, og = k.o / k.groups;
  std::vector<float> y(k.n * k.o * oh * ow);
  auto sgn = [](float v) { return v >= 0.f ? 1 : -1; };
  auto wsign = [&](int64_t i) {
    return w.dtype() == DType::I8 ? (w.data<int8_t>()[i] < 0 ? -1 : 1)
                                  : sgn(w.data<float>()[i]);
  };
  for (int64_t n = 0; n < k.n; ++n)
    for (int64_t o = 0; o < k.o; ++o)
      for (int64_t yy = 0; yy < oh; ++yy)
        for (int64_t xx = 0; xx < ow; ++xx) {
          int64_t dot = 0;
          int64_t g = o / og;
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t i = 0; i < k.kh; ++i)
              for (int64_t j = 0; j < k.kw; ++j) {
                int64_t iy = yy * k.p.strideH - k.p.padTop + i * k.p.dilationH;
                int64_t ix = xx * k.p.strideW - k.p.padLeft + j * k.p.dilationW;
                int a;
                if (iy < 0 || iy >= k.h || ix < 0 || ix >= k.w)
                  a = k.pad == BinaryPad::PlusOne ? 1 : 0;
                else
                  a = sgn(x.data<float>()[((n * k.c + g * cg + c) * k.h + iy) *
                                              k.w +
                                          ix]);
                dot += a * wsign(((o * cg + c) * k.kh + i) * k.kw + j);
              }
          float v = (float)dot * scale.data<float>()[k.perChannel ? o : 0];
          if (k.bias)
            v = v + bias.data<float>()[o];
          y[((n * k.o + o) * oh + yy) * ow + xx] = v;
        }
  return y;
}

void check(const Case &k, std::mt19937 &rng) {
  Tensor x = randomUniform({k.n, k.c, k.h, k.w}, -1.f, 1.f, rng);
  // Exact zeros and negative zeros are +1.
  x.data<float>()[0] = 0.f;
  x.data<float>()[x.numel() - 1] = -0.f;
  Shape ws = {k.o, k.c / k.groups, k.kh, k.kw};
  Tensor w = k.int8Weights ? qrt::test::randomInt<int8_t>(ws, -1, 1, rng)
                           : randomUniform(ws, -1.f, 1.f, rng);
  if (k.int8Weights)
    for (int64_t i = 0; i < w.numel(); ++i)
      if (w.data<int8_t>()[i] == 0)
        w.data<int8_t>()[i] = 1;
  Tensor scale = randomUniform({k.perChannel ? k.o : 1}, 0.01f, 0.5f, rng);
  Tensor bias = k.bias ? randomUniform({k.o}, -1.f, 1.f, rng) : Tensor();
  Expected<PackedBinaryWeights> packed = packBinaryWeights(w, k.groups);
  ASSERT_TRUE(packed.hasValue());
  std::vector<PopcountImpl> impls = {PopcountImpl::Portable};
  if (hasAvx512Popcount())
    impls.push_back(PopcountImpl::Avx512);
  std::vector<float> want;
  for (PopcountImpl impl : impls) {
    Tensor y;
    ASSERT_OK(binaryConv2d(x, *packed, scale, bias, k.p, k.pad, y, impl));
    if (want.empty())
      want = reference(x, w, scale, bias, k, y.shape());
    ASSERT_EQ((size_t)y.numel(), want.size());
    EXPECT_EQ(
        std::memcmp(y.data<float>(), want.data(), want.size() * sizeof(float)),
        0)
        << "c=" << k.c << " groups=" << k.groups << " k=" << k.kh << "x" << k.kw
        << " impl=" << (int)impl;
  }
}

TEST(BinaryConv, MatchesDirectReferenceOnRandomShapes) {
  std::mt19937 rng(2026);
  std::uniform_int_distribution<int> pick(0, 1 << 20);
  const int64_t channels[] = {1, 3, 16, 63, 64, 65, 100, 130, 200};
  for (int trial = 0; trial < 60; ++trial) {
    Case k;
    k.groups = trial % 5 == 4 ? 2 : 1;
    k.c = channels[pick(rng) % 9] * k.groups;
    k.o = (1 + pick(rng) % 9) * k.groups;
    k.n = 1 + pick(rng) % 2;
    k.h = 3 + pick(rng) % 7;
    k.w = 3 + pick(rng) % 7;
    k.kh = 1 + pick(rng) % 3;
    k.kw = 1 + pick(rng) % 3;
    k.p.strideH = 1 + pick(rng) % 2;
    k.p.strideW = 1 + pick(rng) % 2;
    k.p.dilationH = trial % 7 == 3 ? 2 : 1;
    k.p.padTop = pick(rng) % 3;
    k.p.padLeft = pick(rng) % 2;
    k.p.padBottom = pick(rng) % 2;
    k.p.padRight = pick(rng) % 3;
    k.p.groups = k.groups;
    if ((k.h + k.p.padTop + k.p.padBottom) < (k.kh - 1) * k.p.dilationH + 1)
      k.p.padBottom += (k.kh - 1) * k.p.dilationH;
    k.pad = trial % 2 ? BinaryPad::Zero : BinaryPad::PlusOne;
    k.perChannel = trial % 3 != 0;
    k.bias = trial % 4 != 1;
    k.int8Weights = trial % 6 == 5;
    check(k, rng);
    if (HasFatalFailure())
      return;
  }
}

TEST(BinaryConv, ResNetLayerShapes) {
  std::mt19937 rng(11);
  for (int64_t c : {64, 128}) {
    Case k{2, c, 9, 9, c, 3, 3, 1, {}, BinaryPad::PlusOne, true, true, false};
    k.p.padTop = k.p.padLeft = k.p.padBottom = k.p.padRight = 1;
    check(k, rng);
    k.pad = BinaryPad::Zero;
    k.p.strideH = k.p.strideW = 2;
    check(k, rng);
  }
}

TEST(BinaryConv, RejectsBadOperands) {
  Tensor w = Tensor::zeros({4, 3, 3, 3}, DType::F32);
  Expected<PackedBinaryWeights> packed = packBinaryWeights(w);
  ASSERT_TRUE(packed.hasValue());
  Tensor x = Tensor::zeros({1, 5, 4, 4}, DType::F32), y;
  Tensor scale = Tensor::zeros({4}, DType::F32);
  EXPECT_FALSE(binaryConv2d(x, *packed, scale, Tensor(), Conv2dParams(),
                            BinaryPad::Zero, y)
                   .isOk());
  EXPECT_FALSE(packBinaryWeights(Tensor::zeros({4, 3}, DType::F32)).hasValue());
  EXPECT_FALSE(packBinaryWeights(w, 3).hasValue()); // 4 channels, 3 groups
  // Weights packed for 1 group, run with 2.
  Conv2dParams two;
  two.groups = 2;
  Tensor x6 = Tensor::zeros({1, 6, 4, 4}, DType::F32);
  EXPECT_FALSE(
      binaryConv2d(x6, *packed, scale, Tensor(), two, BinaryPad::Zero, y)
          .isOk());
}

} // namespace
