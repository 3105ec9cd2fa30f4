//===- CudaHalfHostTest.cpp - fp16 conversions and reference (no GPU) -----===//
//
// The host side of the F16 plans (Precision.h), checked without a device:
//  - runtime/HalfMath.h's float -> fp16 against an independent oracle,
//    cuda_fp16.h's host __float2half_rn (the rounding of PTX cvt.rn.f16.f32):
//    special values, subnormals, ties, overflow, every float of the binades
//    where the rounding changes regime, a strided sweep of all 2^32 patterns
//    and 4M random ones; fp16 -> float for all 65536 patterns;
//  - the host packing of fp16 weights (layouts) and halfref::roundToHalf;
//  - the emulation (HalfReference.h) on inputs whose fp16 results are known
//    by hand: which operands and results it rounds, and that bias, sum and
//    ReLU stay fp32;
//  - the linear plans' F16 argument handling (the conv plans': in
//    CudaHalfConvTest.cpp, built with cuDNN).
//
//===----------------------------------------------------------------------===//

#include "CudaTestUtil.h"
#include "runtime/HalfMath.h"
#include "runtime/cuda/Gemm.h"
#include "runtime/cuda/HalfLaunchInternal.h"
#include "runtime/cuda/HalfReference.h"

#include <cuda_fp16.h>

#include <cmath>
#include <cstring>

using namespace qrt;
using namespace qrt::test;

namespace {

uint16_t oracle(float f) {
  __half h = __float2half_rn(f);
  uint16_t u;
  std::memcpy(&u, &h, sizeof(u));
  return u;
}

float fromBits(uint32_t u) { return hmath::bitsFloat(u); }

/// Every float of the binade with biased exponent `e`, both signs, against
/// the oracle; returns the number of mismatches (the first few reported).
int64_t sweepBinade(uint32_t e) {
  int64_t bad = 0;
  for (uint32_t sign : {0u, 0x80000000u})
    for (uint32_t m = 0; m < (1u << 23); ++m) {
      float f = fromBits(sign | (e << 23) | m);
      uint16_t got = hmath::floatToHalfBits(f), want = oracle(f);
      if (got != want && bad++ < 3)
        ADD_FAILURE() << std::hexfloat << f << ": " << std::hex << got
                      << " != __float2half_rn " << want;
    }
  return bad;
}

TEST(HalfMath, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  struct Case {
    float f;
    uint16_t bits;
  };
  const Case cases[] = {
      {0.f, 0x0000},
      {-0.f, 0x8000},
      {1.f, 0x3c00},
      {-2.f, 0xc000},
      {65504.f, 0x7bff},             // largest finite
      {65519.99f, 0x7bff},           // below the tie
      {65520.f, 0x7c00},             // the tie: to even, which is inf
      {-65520.f, 0xfc00},            //
      {1e30f, 0x7c00},               //
      {inf, 0x7c00},                 //
      {-inf, 0xfc00},                //
      {0x1p-14f, 0x0400},            // smallest normal
      {0x1p-24f, 0x0001},            // smallest subnormal
      {0x1p-25f, 0x0000},            // tie between 0 and 2^-24: even 0
      {-0x1p-25f, 0x8000},           //
      {0x1.000002p-25f, 0x0001},     // just above the tie
      {0x1.8p-24f, 0x0002},          // 1.5 ulp: tie, to even 2
      {0x1.4p-23f, 0x0002},          // 2.5 ulp: tie, to even 2
      {0x1.ff8p-15f, 0x03ff},        // 1023 ulp: largest subnormal
      {0x1.ffap-15f, 0x03ff},        // 1023.25 ulp
      {0x1.ffcp-15f, 0x0400},        // 1023.5 ulp: tie, to even 0x400
      {1.f + 0x1p-11f, 0x3c00},      // tie, to even 1
      {1.f + 0x3p-11f, 0x3c02},      // tie, to even 1 + 2^-9
      {1.f + 0x1p-12f, 0x3c00},      // below half an ulp
      {1.f + 0x1p-11f + 0x1p-23f, 0x3c01}, // just above the tie
      {0x1p-30f, 0x0000},            // underflow
      {std::numeric_limits<float>::denorm_min(), 0x0000},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(testing::Message() << std::hexfloat << c.f);
    EXPECT_EQ(hmath::floatToHalfBits(c.f), c.bits);
    EXPECT_EQ(oracle(c.f), c.bits); // the table itself
  }
  for (uint32_t nan : {0x7fc00000u, 0x7f800001u, 0xffc00000u, 0x7fffffffu}) {
    EXPECT_EQ(hmath::floatToHalfBits(fromBits(nan)), 0x7fff);
    EXPECT_EQ(oracle(fromBits(nan)), 0x7fff);
  }
}

TEST(HalfMath, BinadesWhereRoundingChangesRegime) {
  // 102: [2^-25, 2^-24), to 0 or the smallest subnormal; 112 / 113: the
  // subnormal / normal boundary; 127: [1, 2); 142: [2^15, 2^16), overflow
  // to inf from 65520; 143: all inf.
  for (uint32_t e : {102u, 112u, 113u, 127u, 142u, 143u}) {
    SCOPED_TRACE("biased exponent " + std::to_string(e));
    EXPECT_EQ(sweepBinade(e), 0);
  }
}

TEST(HalfMath, StridedAndRandomPatterns) {
  int64_t bad = 0;
  // A prime stride visits every exponent and every residue of the low bits.
  for (uint64_t u = 0; u < (uint64_t(1) << 32); u += 4099) {
    float f = fromBits(static_cast<uint32_t>(u));
    if (hmath::floatToHalfBits(f) != oracle(f) && bad++ < 3)
      ADD_FAILURE() << std::hex << u;
  }
  std::mt19937 rng(61);
  for (int i = 0; i < 4000000; ++i) {
    float f = fromBits(static_cast<uint32_t>(rng()));
    if (hmath::floatToHalfBits(f) != oracle(f) && bad++ < 3)
      ADD_FAILURE() << std::hexfloat << f;
  }
  EXPECT_EQ(bad, 0);
}

TEST(HalfMath, HalfToFloatIsExact) {
  for (uint32_t h = 0; h < 65536; ++h) {
    __half_raw raw;
    raw.x = static_cast<unsigned short>(h);
    float want = __half2float(__half(raw));
    float got = hmath::halfBitsToFloat(static_cast<uint16_t>(h));
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(got)) << std::hex << h;
      continue;
    }
    ASSERT_EQ(hmath::floatBits(got), hmath::floatBits(want)) << std::hex << h;
    // And back: every fp16 value is its own nearest.
    ASSERT_EQ(hmath::floatToHalfBits(got), h) << std::hex << h;
  }
}

TEST(HalfMath, HostPackingFollowsTheLayouts) {
  // [n, c, pixels] = [2, 3, 4] NCHW-like -> channels-last, as the filters
  // of an NHWC graph are packed (KRSC).
  std::vector<float> src(24);
  for (size_t i = 0; i < src.size(); ++i)
    src[i] = float(i + 1) + 0x1p-12f; // rounds to i + 1
  cuda::detail::HalfCastArgs a;
  a.src = src.data();
  a.dstChannelsLast = true;
  a.n = 2;
  a.channels = 3;
  a.pixels = 4;
  std::vector<uint16_t> out = cuda::detail::toHalfHost(a);
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t p = 0; p < 4; ++p)
        EXPECT_EQ(hmath::halfBitsToFloat(out[(b * 4 + p) * 3 + c]),
                  float((b * 3 + c) * 4 + p + 1));
  a.dstChannelsLast = false;
  out = cuda::detail::toHalfHost(a);
  for (size_t i = 0; i < src.size(); ++i)
    EXPECT_EQ(hmath::halfBitsToFloat(out[i]), float(i + 1));
}

TEST(HalfReference, RoundToHalf) {
  Tensor t = Tensor::fromVector<float>(
      {5}, {1.f + 0x1p-12f, 70000.f, 0x1p-26f, 0.1f, -3.f});
  Tensor r = cuda::halfref::roundToHalf(t);
  const float *p = r.data<float>();
  EXPECT_EQ(p[0], 1.f);
  EXPECT_TRUE(std::isinf(p[1]) && p[1] > 0);
  EXPECT_EQ(p[2], 0.f);
  EXPECT_EQ(p[3], 0.0999755859375f); // fp16's 0.1
  EXPECT_EQ(p[4], -3.f);
}

//===-- the emulation, on values known by hand ----------------------------===//

TEST(HalfReference, LinearRoundsOperandsNotTheResult) {
  // x = 1 + 2^-12 rounds to 1; W = 1 is exact: each y = K + b, in fp32
  // (cuBLASLt writes fp32: 3 + 0.1f is not an fp16 value).
  const int64_t n = 2, k = 3, m = 2;
  Tensor x = Tensor::fromVector<float>(
      {n, k}, std::vector<float>(n * k, 1.f + 0x1p-12f));
  Tensor w = Tensor::fromVector<float>({m, k}, std::vector<float>(m * k, 1.f));
  Tensor b = Tensor::fromVector<float>({m}, {0.1f, -5.f});
  Tensor y;
  ASSERT_OK(cuda::halfref::linear(x, w, b, /*fuseRelu=*/true, y));
  ASSERT_EQ(y.shape(), (Shape{n, m}));
  for (int64_t i = 0; i < n; ++i) {
    EXPECT_EQ(y.data<float>()[i * m], 3.f + 0.1f);
    EXPECT_EQ(y.data<float>()[i * m + 1], 0.f); // 3 - 5, ReLU'd
  }
  // Backward: dx = fp16(dy) fp16(W), dW = fp16(dy)ᵀ fp16(x), db from the
  // fp32 dy.
  Tensor dy = Tensor::fromVector<float>(
      {n, m}, std::vector<float>(n * m, 2.f + 0x1p-11f)); // rounds to 2
  Tensor dx, dw, db;
  ASSERT_OK(cuda::halfref::linearBackwardData(dy, w, dx));
  ASSERT_OK(cuda::halfref::linearBackwardWeights(x, dy, true, dw, db));
  for (int64_t i = 0; i < dx.numel(); ++i)
    EXPECT_EQ(dx.data<float>()[i], 4.f); // Σ_m 2 * 1
  for (int64_t i = 0; i < dw.numel(); ++i)
    EXPECT_EQ(dw.data<float>()[i], 4.f); // Σ_n 2 * 1
  for (int64_t i = 0; i < db.numel(); ++i)
    EXPECT_EQ(db.data<float>()[i], 2.f * (2.f + 0x1p-11f));
}

TEST(HalfReference, ConvRoundsItsResultBeforeTheFp32Epilogue) {
  // A 1x1 convolution by 3 of x = 1 + 2^-10 (an fp16 value): 3 + 3 * 2^-10
  // lies half-way between the fp16 values 3 + 2^-9 and 3 + 2^-8 and rounds
  // to the even 3 + 2^-8, as cuDNN's fp16 output does; then + b (0.25), +
  // the addend (0.1f, fp32) and ReLU, in fp32.
  Conv2dParams p;
  p.fuseSum = true;
  p.fuseRelu = true;
  Tensor x = Tensor::fromVector<float>({1, 1, 1, 2}, {1.f + 0x1p-10f, -1.f});
  Tensor w = Tensor::fromVector<float>({1, 1, 1, 1}, {3.f});
  Tensor b = Tensor::fromVector<float>({1}, {0.25f});
  Tensor y = Tensor::fromVector<float>({1, 1, 1, 2}, {0.1f, 0.1f});
  ASSERT_OK(cuda::halfref::conv(x, w, b, p, y));
  EXPECT_EQ(y.data<float>()[0], ((3.f + 0x1p-8f) + 0.25f) + 0.1f);
  EXPECT_EQ(y.data<float>()[1], 0.f); // -3 + 0.25 + 0.1 < 0
}

TEST(HalfReference, ConvEpilogueFollowsTheOutputLayout) {
  // Identity 1x1 weights: y[n, h, w, c] = fp16(x[n, c, h, w]) + b[c].
  std::mt19937 rng(62);
  const int64_t c = 3;
  Tensor x = randomUniform({2, c, 2, 3}, -4.f, 4.f, rng);
  std::vector<float> eye(c * c, 0.f);
  for (int64_t i = 0; i < c; ++i)
    eye[i * c + i] = 1.f;
  Tensor w = Tensor::fromVector<float>({c, c, 1, 1}, eye);
  Tensor b = Tensor::fromVector<float>({c}, {0.5f, -0.25f, 1e-3f});
  Conv2dParams p;
  p.dstChannelsLast = true;
  Tensor y;
  ASSERT_OK(cuda::halfref::conv(x, w, b, p, y));
  ASSERT_EQ(y.shape(), (Shape{2, 2, 3, c}));
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t px = 0; px < 6; ++px) {
        float xv = x.data<float>()[(n * c + ch) * 6 + px];
        EXPECT_EQ(y.data<float>()[(n * 6 + px) * c + ch],
                  hmath::roundThroughHalf(xv) + b.data<float>()[ch]);
      }
}

TEST(HalfReference, ConvBackwardRoundsOperandsAndResults) {
  // 1x1, one channel, weight 3: dx = fp16(3 fp16(dy)); dW = fp16(Σ fp16(x)
  // fp16(dy)); db = Σ dy unrounded.
  Conv2dParams p;
  Tensor w = Tensor::fromVector<float>({1, 1, 1, 1}, {3.f});
  Tensor dy = Tensor::fromVector<float>({1, 1, 1, 2},
                                        {1.f + 0x1p-10f, 1.f + 0x1p-12f});
  Tensor dx;
  ASSERT_OK(cuda::halfref::convBackwardData({1, 1, 1, 2}, dy, w, p, dx));
  EXPECT_EQ(dx.data<float>()[0], 3.f + 0x1p-8f); // the tie above, to even
  EXPECT_EQ(dx.data<float>()[1], 3.f);
  Tensor x = Tensor::fromVector<float>({1, 1, 1, 2}, {1.f, 2048.f});
  Tensor dw, db;
  ASSERT_OK(cuda::halfref::convBackwardWeights(x, dy, {1, 1, 1, 1}, true, p,
                                               dw, db));
  // 1 * (1 + 2^-10) + 2048 * 1 = 2049.0009765625: fp16 steps by 2 there.
  EXPECT_EQ(dw.data<float>()[0], 2050.f);
  EXPECT_EQ(db.data<float>()[0], (1.f + 0x1p-10f) + (1.f + 0x1p-12f));
}

//===-- the linear plans' F16 arguments -----------------------------------===//

TEST(CudaHalfHost, LinearPlanArguments) {
  std::mt19937 rng(63);
  Tensor w = randomUniform({3, 6}, -1.f, 1.f, rng);
  // An argument error is the fp32 plan's, device or not.
  Expected<cuda::LinearPlan> bad32 =
      cuda::LinearPlan::create({4, 5}, w, Tensor(), false);
  Expected<cuda::LinearPlan> bad16 = cuda::LinearPlan::create(
      {4, 5}, w, Tensor(), false, cuda::Precision::F16);
  ASSERT_FALSE(bad16.hasValue());
  EXPECT_EQ(bad16.status().message(), bad32.status().message());
  Expected<cuda::LinearBackwardPlan> bw = cuda::LinearBackwardPlan::create(
      {4, 5}, {3, 4}, true, cuda::Precision::F16);
  ASSERT_FALSE(bw.hasValue());
  EXPECT_NE(bw.status().message().find("must be [N, K] and [M, K]"),
            std::string::npos);
  // A value outside the enum.
  Expected<cuda::LinearPlan> unknown = cuda::LinearPlan::create(
      {4, 6}, w, Tensor(), false, static_cast<cuda::Precision>(7));
  ASSERT_FALSE(unknown.hasValue());
  EXPECT_EQ(unknown.status().code(), ErrorCode::InvalidArgument);
  EXPECT_NE(unknown.status().message().find("unknown precision 7"),
            std::string::npos);
  EXPECT_STREQ(cuda::precisionName(cuda::Precision::F16), "fp16");
  EXPECT_EQ(cuda::precisionName(static_cast<cuda::Precision>(7)), nullptr);
}

TEST(CudaHalfHost, NoDeviceIsUnsupported) {
  if (cuda::deviceCount() > 0)
    GTEST_SKIP() << "a device is present: " << cuda::deviceSummary();
  std::mt19937 rng(64);
  Expected<cuda::LinearPlan> l = cuda::LinearPlan::create(
      {4, 6}, randomUniform({3, 6}, -1.f, 1.f, rng), Tensor(), true,
      cuda::Precision::F16);
  ASSERT_FALSE(l.hasValue());
  EXPECT_EQ(l.status().code(), ErrorCode::Unsupported) << l.status().toString();
  Expected<cuda::LinearBackwardPlan> b = cuda::LinearBackwardPlan::create(
      {4, 6}, {3, 6}, true, cuda::Precision::F16);
  ASSERT_FALSE(b.hasValue());
  EXPECT_EQ(b.status().code(), ErrorCode::Unsupported) << b.status().toString();
}

} // namespace
