//===- CudaDnnHostTest.cpp - the library plans' host side (no GPU) --------===//
//
// What the cuDNN / cuBLASLt plans (DnnConv.h, Gemm.h) compute on the host or
// share with their kernels, checked without a device:
//  - the int8 zero-point compensation against a naive Σ (x - zx) w;
//  - both int8 paths' index math (ConvIndexInternal.h), run here on the host
//    with int64 sums: the im2col GEMM and the padded-NHWC convolution give
//    qrt::Int8ConvPlan::runAccumulate's integers exactly (groups, stride,
//    dilation, asymmetric pads, channels-last, u8 / i8, zero points);
//  - the padding of the layouts and the workspace regions;
//  - the argument errors, which are the CPU plans' and need no device.
//
//===----------------------------------------------------------------------===//

#include "CudaTestUtil.h"
#include "runtime/IntKernels.h"
#include "runtime/ShapeOps.h"
#include "runtime/cuda/ConvPrepInternal.h"
#include "runtime/cuda/DnnConv.h"
#include "runtime/cuda/Gemm.h"

#include <climits>

using namespace qrt;
using namespace qrt::test;
using namespace qrt::cuda::detail;

namespace {

struct Int8Case {
  const char *name;
  Shape input; // NCHW
  Shape weight;
  Conv2dParams params;
  DType dtype;
  int32_t zx;
};

std::vector<Int8Case> int8Cases() {
  auto p = [](int64_t s, int64_t pad, int64_t groups) {
    Conv2dParams c;
    c.strideH = c.strideW = s;
    c.padTop = c.padLeft = c.padBottom = c.padRight = pad;
    c.groups = groups;
    return c;
  };
  Conv2dParams odd; // asymmetric pads, dilation, unequal strides
  odd.strideH = 2;
  odd.strideW = 1;
  odd.dilationH = 2;
  odd.dilationW = 1;
  odd.padTop = 2;
  odd.padLeft = 0;
  odd.padBottom = 1;
  odd.padRight = 3;
  return {
      {"stem 1->16 3x3 pad 1",
       {2, 1, 8, 8},
       {16, 1, 3, 3},
       p(1, 1, 1),
       DType::U8,
       37},
      {"16->32 stride 2",
       {2, 16, 8, 8},
       {32, 16, 3, 3},
       p(2, 1, 1),
       DType::U8,
       200},
      {"1x1 downsample",
       {2, 16, 8, 8},
       {32, 16, 1, 1},
       p(2, 0, 1),
       DType::U8,
       0},
      {"depthwise", {1, 8, 7, 7}, {8, 1, 3, 3}, p(1, 1, 8), DType::U8, 128},
      {"groups 2, i8", {1, 6, 6, 5}, {4, 3, 3, 3}, p(1, 1, 2), DType::I8, -5},
      {"odd geometry", {1, 5, 9, 7}, {3, 5, 3, 2}, odd, DType::U8, 255},
  };
}

Tensor randomInput(const Int8Case &c, std::mt19937 &rng) {
  return c.dtype == DType::U8 ? randomInt<uint8_t>(c.input, 0, 255, rng)
                              : randomInt<int8_t>(c.input, -128, 127, rng);
}

Tensor cpuAccumulate(const Int8Case &c, const Tensor &x, const Tensor &w,
                     const Tensor &b) {
  Expected<Int8ConvPlan> plan =
      Int8ConvPlan::create(c.input, c.dtype, w, b, c.params, c.zx);
  EXPECT_TRUE(plan.hasValue()) << plan.status().toString();
  Tensor acc;
  Status s = plan->runAccumulate(x, acc);
  EXPECT_TRUE(s.isOk()) << s.toString();
  return acc;
}

Tensor nhwc(const Tensor &nchw) {
  Tensor out;
  Status s = transpose(nchw, {0, 2, 3, 1}, out);
  EXPECT_TRUE(s.isOk()) << s.toString();
  return out;
}

TEST(CudaDnnHost, CompensationEqualsNaiveZeroPointSum) {
  std::mt19937 rng(11);
  const int64_t rows = 5, k = 37;
  Tensor w = randomInt<int8_t>({rows, k}, -128, 127, rng);
  for (DType dt : {DType::U8, DType::I8})
    for (int32_t zx : {0, 1, 77, 127, -128, 255, -1}) {
      Expected<Int8Shift> sh = int8Shift(dt, zx, "test");
      bool inRange =
          dt == DType::U8 ? zx >= 0 && zx <= 255 : zx >= -128 && zx <= 127;
      ASSERT_EQ(sh.hasValue(), inRange) << zx;
      if (!inRange)
        continue;
      EXPECT_EQ(sh->padValue, zx - sh->shift);
      Expected<std::vector<int32_t>> comp = zeroPointCompensation(
          w.data<int8_t>(), rows, k, sh->shift - zx, "test");
      ASSERT_TRUE(comp.hasValue()) << comp.status().toString();
      Tensor x = dt == DType::U8 ? randomInt<uint8_t>({k}, 0, 255, rng)
                                 : randomInt<int8_t>({k}, -128, 127, rng);
      for (int64_t o = 0; o < rows; ++o) {
        int64_t naive = 0, shifted = 0;
        for (int64_t i = 0; i < k; ++i) {
          int64_t xv =
              dt == DType::U8 ? x.data<uint8_t>()[i] : x.data<int8_t>()[i];
          int64_t wv = w.data<int8_t>()[o * k + i];
          naive += (xv - zx) * wv;
          int64_t xs = xv - sh->shift;
          ASSERT_GE(xs, -128);
          ASSERT_LE(xs, 127);
          shifted += xs * wv;
        }
        EXPECT_EQ(naive, shifted + (*comp)[o]) << "row " << o << " zx " << zx;
      }
    }
  // A term beyond int32 is an error naming the channel.
  std::vector<int8_t> big(size_t(1) << 18, -128);
  Expected<std::vector<int32_t>> over = zeroPointCompensation(
      big.data(), 1, (int64_t)big.size(), 128, "int8 conv2d");
  ASSERT_FALSE(over.hasValue());
  EXPECT_NE(over.status().message().find("does not fit int32"),
            std::string::npos)
      << over.status().toString();
  // Bias and compensation add modulo 2^32, as int32 accumulators do.
  std::vector<int32_t> terms = channelTerms(nullptr, {1, -2});
  EXPECT_EQ(terms, (std::vector<int32_t>{1, -2}));
  int32_t bias[1] = {INT32_MAX};
  EXPECT_EQ(channelTerms(bias, {1})[0], INT32_MIN);
}

/// The GEMM path's math on the host: im2col values (ConvIndexInternal.h),
/// the padded weights, int64 dot products, the raw layout and the terms.
Tensor hostGemmPath(const Int8Case &c, const Tensor &xStored,
                    bool srcChannelsLast, bool dstChannelsLast, const Tensor &w,
                    const Tensor &b) {
  ConvGeometry g = convGeometry(c.input, c.weight, c.params).value();
  Im2colLayout l = im2colLayout(g);
  EXPECT_EQ(l.kPad % 16, 0);
  EXPECT_EQ(l.pPad % 4, 0);
  EXPECT_EQ(l.ocgPad % 4, 0);
  Int8Shift sh = int8Shift(c.dtype, c.zx, "test").value();
  std::vector<int8_t> cols(l.colsElements());
  for (int64_t grp = 0; grp < l.groups; ++grp)
    for (int64_t p = 0; p < l.pPad; ++p)
      for (int64_t k = 0; k < l.kPad; ++k)
        cols[(grp * l.pPad + p) * l.kPad + k] =
            im2colValue(g, l, xStored.rawData(), c.dtype == DType::U8,
                        srcChannelsLast, sh.shift, sh.padValue, grp, p, k);
  std::vector<int8_t> wt = gemmWeights(w.data<int8_t>(), g, l);
  std::vector<int32_t> raw(l.accElements());
  for (int64_t grp = 0; grp < l.groups; ++grp)
    for (int64_t p = 0; p < l.pPad; ++p)
      for (int64_t o = 0; o < l.ocgPad; ++o) {
        int64_t s = 0;
        for (int64_t k = 0; k < l.kPad; ++k)
          s += int64_t(cols[(grp * l.pPad + p) * l.kPad + k]) *
               wt[(grp * l.ocgPad + o) * l.kPad + k];
        raw[(grp * l.pPad + p) * l.ocgPad + o] = static_cast<int32_t>(s);
      }
  std::vector<int32_t> terms =
      channelTerms(b.defined() ? b.data<int32_t>() : nullptr,
                   zeroPointCompensation(w.data<int8_t>(), g.oc, g.taps(),
                                         sh.shift - c.zx, "test")
                       .value());
  RawAccLayout rl{l.ocg, l.pPad * l.ocgPad, l.ocgPad};
  Shape out = {g.n, g.oc, g.oh, g.ow};
  Tensor acc =
      Tensor::empty(dstChannelsLast ? toChannelsLast(out) : out, DType::I32);
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t oc = 0; oc < g.oc; ++oc)
      for (int64_t q = 0; q < g.oh * g.ow; ++q) {
        int64_t i = activationOffset(n, oc, q / g.ow, q % g.ow, g.oc, g.oh,
                                     g.ow, dstChannelsLast);
        acc.data<int32_t>()[i] =
            wrapAdd(raw[rl.offset(oc, n * g.oh * g.ow + q)], terms[oc]);
      }
  return acc;
}

TEST(CudaDnnHost, Im2colGemmPathEqualsCpuAccumulators) {
  std::mt19937 rng(12);
  for (const Int8Case &c : int8Cases()) {
    SCOPED_TRACE(c.name);
    Tensor x = randomInput(c, rng);
    Tensor w = randomInt<int8_t>(c.weight, -128, 127, rng);
    Tensor b = randomInt<int32_t>({c.weight[0]}, -100000, 100000, rng);
    Tensor expected = cpuAccumulate(c, x, w, b);
    EXPECT_TRUE(bitEqual(expected, hostGemmPath(c, x, false, false, w, b)));
    // Channels-last input and output.
    EXPECT_TRUE(
        bitEqual(nhwc(expected), hostGemmPath(c, nhwc(x), true, true, w, b)));
    // No bias.
    EXPECT_TRUE(bitEqual(cpuAccumulate(c, x, w, Tensor()),
                         hostGemmPath(c, x, false, false, w, Tensor())));
  }
}

TEST(CudaDnnHost, PaddedNhwcPathEqualsCpuAccumulators) {
  std::mt19937 rng(13);
  for (const Int8Case &c : int8Cases()) {
    if (c.params.groups != 1)
      continue; // the GEMM path's
    SCOPED_TRACE(c.name);
    Tensor x = randomInput(c, rng);
    Tensor w = randomInt<int8_t>(c.weight, -128, 127, rng);
    Tensor b = randomInt<int32_t>({c.weight[0]}, -100000, 100000, rng);
    Tensor expected = cpuAccumulate(c, x, w, b);
    ConvGeometry g = convGeometry(c.input, c.weight, c.params).value();
    PaddedNhwc pb = paddedInput(g);
    int64_t ocPad = paddedOutputChannels(g);
    EXPECT_EQ(pb.c % 4, 0);
    EXPECT_EQ(ocPad % 4, 0);
    EXPECT_EQ(pb.h, g.h + g.padTop + g.padBottom);
    Int8Shift sh = int8Shift(c.dtype, c.zx, "test").value();
    std::vector<int8_t> buf(pb.elements());
    for (int64_t n = 0; n < pb.n; ++n)
      for (int64_t y = 0; y < pb.h; ++y)
        for (int64_t xx = 0; xx < pb.w; ++xx)
          for (int64_t ch = 0; ch < pb.c; ++ch)
            buf[pb.offset(n, y, xx, ch)] =
                paddedNhwcValue(g, pb, x.rawData(), c.dtype == DType::U8, false,
                                sh.shift, sh.padValue, n, y, xx, ch);
    std::vector<int8_t> krsc = krscWeights(w.data<int8_t>(), g, pb.c, ocPad);
    std::vector<int32_t> terms =
        channelTerms(b.data<int32_t>(),
                     zeroPointCompensation(w.data<int8_t>(), g.oc, g.taps(),
                                           sh.shift - c.zx, "test")
                         .value());
    // An unpadded convolution over the padded buffer (what cuDNN runs),
    // into raw NHWC [N, OH, OW, ocPad].
    std::vector<int32_t> raw(g.n * g.oh * g.ow * ocPad);
    for (int64_t n = 0; n < g.n; ++n)
      for (int64_t oy = 0; oy < g.oh; ++oy)
        for (int64_t ox = 0; ox < g.ow; ++ox)
          for (int64_t o = 0; o < ocPad; ++o) {
            int64_t s = 0;
            for (int64_t ky = 0; ky < g.kh; ++ky)
              for (int64_t kx = 0; kx < g.kw; ++kx)
                for (int64_t ch = 0; ch < pb.c; ++ch)
                  s += int64_t(buf[pb.offset(
                           n, oy * g.strideH + ky * g.dilationH,
                           ox * g.strideW + kx * g.dilationW, ch)]) *
                       krsc[((o * g.kh + ky) * g.kw + kx) * pb.c + ch];
            raw[((n * g.oh + oy) * g.ow + ox) * ocPad + o] = (int32_t)s;
          }
    RawAccLayout rl{g.oc, 0, ocPad};
    Tensor acc = Tensor::empty(expected.shape(), DType::I32);
    for (int64_t n = 0; n < g.n; ++n)
      for (int64_t oc = 0; oc < g.oc; ++oc)
        for (int64_t q = 0; q < g.oh * g.ow; ++q)
          acc.data<int32_t>()[(n * g.oc + oc) * g.oh * g.ow + q] =
              wrapAdd(raw[rl.offset(oc, n * g.oh * g.ow + q)], terms[oc]);
    EXPECT_TRUE(bitEqual(expected, acc));
  }
}

TEST(CudaDnnHost, WorkspaceRegionsAreAligned) {
  WorkspaceLayout ws;
  EXPECT_EQ(ws.add(1), 0u);
  EXPECT_EQ(ws.add(0), 256u);
  EXPECT_EQ(ws.add(257), 256u);
  EXPECT_EQ(ws.add(10), 768u);
  EXPECT_EQ(ws.total(), 1024u);
  // The linear layer as a 1x1 convolution: rows padded to 4, K to 16.
  ConvGeometry g;
  g.n = 3;
  g.c = 20;
  g.h = g.w = g.oh = g.ow = 1;
  g.oc = 10;
  Im2colLayout l = im2colLayout(g);
  EXPECT_EQ(l.pPad, 4);
  EXPECT_EQ(l.kPad, 32);
  EXPECT_EQ(l.ocgPad, 12);
  EXPECT_EQ(l.colsElements(), 4 * 32);
  EXPECT_EQ(l.accElements(), 4 * 12);
}

TEST(CudaDnnHost, ArgumentErrorsAreTheCpuPlans) {
  std::mt19937 rng(14);
  Tensor w = randomUniform({8, 3, 3, 3}, -1.f, 1.f, rng);
  Conv2dParams p;
  // Channel mismatch: the CPU's message, before any device call.
  Expected<cuda::ConvPlan> bad =
      cuda::ConvPlan::create({1, 4, 8, 8}, w, Tensor(), p);
  Expected<ConvPlan> cpuBad = ConvPlan::create({1, 4, 8, 8}, w, Tensor(), p);
  ASSERT_FALSE(bad.hasValue());
  ASSERT_FALSE(cpuBad.hasValue());
  EXPECT_EQ(bad.status().code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(bad.status().message(), cpuBad.status().message());
  Expected<cuda::ConvPlan> badBias = cuda::ConvPlan::create(
      {1, 3, 8, 8}, w, randomUniform({7}, 0.f, 1.f, rng), p);
  ASSERT_FALSE(badBias.hasValue());
  EXPECT_NE(badBias.status().message().find("bias must be [8]"),
            std::string::npos);
  Conv2dParams huge;
  huge.dilationH = 9;
  Expected<cuda::ConvPlan> tooBig =
      cuda::ConvPlan::create({1, 3, 8, 8}, w, Tensor(), huge);
  ASSERT_FALSE(tooBig.hasValue());
  EXPECT_NE(tooBig.status().message().find("kernel larger than padded input"),
            std::string::npos);

  Tensor w8 = randomInt<int8_t>({8, 3, 3, 3}, -128, 127, rng);
  Conv2dParams relu;
  relu.fuseRelu = true;
  Expected<cuda::Int8ConvPlan> r = cuda::Int8ConvPlan::create(
      {1, 3, 8, 8}, DType::U8, w8, Tensor(), relu, 0);
  ASSERT_FALSE(r.hasValue());
  EXPECT_NE(r.status().message().find("fuse ReLU in RequantizeOptions"),
            std::string::npos);
  Expected<cuda::Int8ConvPlan> f32In =
      cuda::Int8ConvPlan::create({1, 3, 8, 8}, DType::F32, w8, Tensor(), p, 0);
  ASSERT_FALSE(f32In.hasValue());
  EXPECT_NE(f32In.status().message().find("input must be u8 or i8"),
            std::string::npos);
  Expected<cuda::Int8ConvPlan> zp =
      cuda::Int8ConvPlan::create({1, 3, 8, 8}, DType::U8, w8, Tensor(), p, 300);
  ASSERT_FALSE(zp.hasValue());
  EXPECT_NE(zp.status().message().find("outside the u8 range"),
            std::string::npos);
  Expected<cuda::Int8ConvPlan> i32Bias = cuda::Int8ConvPlan::create(
      {1, 3, 8, 8}, DType::U8, w8, randomInt<int32_t>({3}, 0, 1, rng), p, 0);
  ASSERT_FALSE(i32Bias.hasValue());
  EXPECT_NE(i32Bias.status().message().find("bias must be [8]"),
            std::string::npos);

  Conv2dParams last;
  last.srcChannelsLast = true;
  Expected<cuda::ConvBackwardPlan> bw =
      cuda::ConvBackwardPlan::create({1, 3, 8, 8}, {8, 3, 3, 3}, false, last);
  ASSERT_FALSE(bw.hasValue());
  EXPECT_NE(bw.status().message().find("channels-last"), std::string::npos);

  Expected<cuda::LinearPlan> lin = cuda::LinearPlan::create(
      {4, 5}, randomUniform({3, 6}, 0.f, 1.f, rng), Tensor());
  Expected<LinearPlan> cpuLin = LinearPlan::create(
      {4, 5}, randomUniform({3, 6}, 0.f, 1.f, rng), Tensor());
  ASSERT_FALSE(lin.hasValue());
  EXPECT_EQ(lin.status().message(), cpuLin.status().message());
  Expected<cuda::Int8LinearPlan> lin8 = cuda::Int8LinearPlan::create(
      {4, 5}, DType::U8, randomInt<int8_t>({3, 5}, -1, 1, rng),
      randomInt<int32_t>({4}, 0, 1, rng), 0);
  ASSERT_FALSE(lin8.hasValue());
  EXPECT_NE(lin8.status().message().find("int8 linear: bias must be [3]"),
            std::string::npos);
  Expected<cuda::LinearBackwardPlan> lbw =
      cuda::LinearBackwardPlan::create({4, 5}, {3, 4}, true);
  ASSERT_FALSE(lbw.hasValue());
  EXPECT_NE(lbw.status().message().find("must be [N, K] and [M, K]"),
            std::string::npos);
}

TEST(CudaDnnHost, NoDeviceIsAStatus) {
  if (cuda::deviceCount() > 0)
    GTEST_SKIP() << "a device is present: " << cuda::deviceSummary();
  std::mt19937 rng(15);
  Expected<cuda::ConvPlan> c = cuda::ConvPlan::create(
      {1, 3, 8, 8}, randomUniform({8, 3, 3, 3}, -1.f, 1.f, rng), Tensor(),
      Conv2dParams());
  ASSERT_FALSE(c.hasValue());
  EXPECT_EQ(c.status().code(), ErrorCode::Unsupported) << c.status().toString();
  EXPECT_NE(c.status().message().find("conv2d [1, 3, 8, 8]"), std::string::npos)
      << c.status().toString();
  Expected<cuda::Int8LinearPlan> l = cuda::Int8LinearPlan::create(
      {2, 8}, DType::U8, randomInt<int8_t>({4, 8}, -128, 127, rng), Tensor(),
      3);
  ASSERT_FALSE(l.hasValue());
  EXPECT_EQ(l.status().code(), ErrorCode::Unsupported) << l.status().toString();
}

} // namespace
