//===- CudaHalfConvTest.cpp - fp16 convolution plans vs their emulation ---===//
//
// The F16 ConvPlan / ConvBackwardPlan (DnnConv.h, Precision.h) against the
// host emulation (HalfReference.h) over ResNet-8-like layers (1-channel
// stem, 16 / 32 / 64 channels, stride 2, 1x1 downsample, depthwise, groups,
// odd geometry), forward with bias + ReLU, the fused sum and channels-last
// activations, backward data / weights / bias. Tolerance: 2e-3 of the
// tensor's largest magnitude (closeInMaxNorm): cuDNN rounds its result to
// fp16 from an fp32 sum taken in another order than the CPU's, so a result
// can land one fp16 ulp (2^-10 of its magnitude) away from the emulation's,
// plus the fp32 plans' own 1e-4. On values whose fp16 results are exact the
// device must give the emulation's bits. Without a device only the host
// checks run (argument errors, Unsupported).
//
//===----------------------------------------------------------------------===//

#include "CudaPlanTestUtil.h"
#include "runtime/cuda/DnnConv.h"
#include "runtime/cuda/HalfReference.h"

using namespace qrt;
using namespace qrt::test;

namespace {

constexpr double kConvTolerance = 2e-3;

struct Layer {
  const char *name;
  Shape input; // NCHW
  Shape weight;
  Conv2dParams params;
};

Conv2dParams conv(int64_t stride, int64_t pad, int64_t groups = 1) {
  Conv2dParams p;
  p.strideH = p.strideW = stride;
  p.padTop = p.padLeft = p.padBottom = p.padRight = pad;
  p.groups = groups;
  return p;
}

std::vector<Layer> layers() {
  Conv2dParams odd;
  odd.strideH = 2;
  odd.dilationH = 2;
  odd.padTop = 2;
  odd.padBottom = 1;
  odd.padRight = 3;
  return {
      {"stem 1->16 3x3", {4, 1, 16, 16}, {16, 1, 3, 3}, conv(1, 1)},
      {"16->16 3x3", {4, 16, 16, 16}, {16, 16, 3, 3}, conv(1, 1)},
      {"16->32 3x3 stride 2", {4, 16, 16, 16}, {32, 16, 3, 3}, conv(2, 1)},
      {"16->32 1x1 downsample", {4, 16, 16, 16}, {32, 16, 1, 1}, conv(2, 0)},
      {"32->64 3x3 stride 2", {4, 32, 8, 8}, {64, 32, 3, 3}, conv(2, 1)},
      {"64->64 3x3", {4, 64, 4, 4}, {64, 64, 3, 3}, conv(1, 1)},
      {"depthwise 32", {4, 32, 8, 8}, {32, 1, 3, 3}, conv(1, 1, 32)},
      {"groups 4", {2, 16, 8, 8}, {32, 4, 3, 3}, conv(1, 1, 4)},
      {"odd geometry", {2, 5, 11, 9}, {6, 5, 3, 2}, odd},
  };
}

Tensor filled(const Shape &shape, float v) {
  Tensor t = Tensor::empty(shape, DType::F32);
  std::fill(t.data<float>(), t.data<float>() + t.numel(), v);
  return t;
}

//===-- host: arguments and no device -------------------------------------===//

TEST(CudaHalfConvHost, ArgumentErrorsAreTheFp32Plans) {
  std::mt19937 rng(81);
  Tensor w = randomUniform({8, 3, 3, 3}, -1.f, 1.f, rng);
  Tensor badBias = randomUniform({3}, -1.f, 1.f, rng);
  Expected<cuda::ConvPlan> f32 =
      cuda::ConvPlan::create({1, 3, 8, 8}, w, badBias, Conv2dParams());
  Expected<cuda::ConvPlan> f16 = cuda::ConvPlan::create(
      {1, 3, 8, 8}, w, badBias, Conv2dParams(), cuda::Precision::F16);
  ASSERT_FALSE(f16.hasValue());
  EXPECT_EQ(f16.status().message(), f32.status().message());
  Conv2dParams sum;
  sum.fuseSum = true;
  Expected<cuda::ConvBackwardPlan> bw = cuda::ConvBackwardPlan::create(
      {1, 3, 8, 8}, {8, 3, 3, 3}, false, sum, cuda::Precision::F16);
  ASSERT_FALSE(bw.hasValue());
  EXPECT_NE(bw.status().message().find("fused sum/ReLU"), std::string::npos);
  Expected<cuda::ConvPlan> unknown =
      cuda::ConvPlan::create({1, 3, 8, 8}, w, Tensor(), Conv2dParams(),
                             static_cast<cuda::Precision>(2));
  ASSERT_FALSE(unknown.hasValue());
  EXPECT_EQ(unknown.status().code(), ErrorCode::InvalidArgument);
  Expected<cuda::ConvBackwardPlan> unknownBw = cuda::ConvBackwardPlan::create(
      {1, 3, 8, 8}, {8, 3, 3, 3}, false, Conv2dParams(),
      static_cast<cuda::Precision>(2));
  ASSERT_FALSE(unknownBw.hasValue());
  EXPECT_NE(unknownBw.status().message().find("unknown precision 2"),
            std::string::npos);
}

TEST(CudaHalfConvHost, NoDeviceIsUnsupported) {
  if (cuda::deviceCount() > 0)
    GTEST_SKIP() << "a device is present: " << cuda::deviceSummary();
  std::mt19937 rng(82);
  Expected<cuda::ConvPlan> c = cuda::ConvPlan::create(
      {1, 3, 8, 8}, randomUniform({8, 3, 3, 3}, -1.f, 1.f, rng), Tensor(),
      Conv2dParams(), cuda::Precision::F16);
  ASSERT_FALSE(c.hasValue());
  EXPECT_EQ(c.status().code(), ErrorCode::Unsupported) << c.status().toString();
  Expected<cuda::ConvBackwardPlan> b = cuda::ConvBackwardPlan::create(
      {1, 3, 8, 8}, {8, 3, 3, 3}, true, Conv2dParams(), cuda::Precision::F16);
  ASSERT_FALSE(b.hasValue());
  EXPECT_EQ(b.status().code(), ErrorCode::Unsupported) << b.status().toString();
}

//===-- forward -----------------------------------------------------------===//

void checkForward(const Layer &l, const Conv2dParams &p, bool withBias,
                  std::mt19937 &rng) {
  Tensor xNchw = randomUniform(l.input, -1.f, 1.f, rng);
  Tensor w = randomUniform(l.weight, -0.5f, 0.5f, rng);
  Tensor b = withBias ? randomUniform({l.weight[0]}, -1.f, 1.f, rng) : Tensor();
  Tensor x = p.srcChannelsLast ? toNhwc(xNchw) : xNchw;
  Expected<cuda::ConvPlan> gpu =
      cuda::ConvPlan::create(x.shape(), w, b, p, cuda::Precision::F16);
  ASSERT_TRUE(gpu.hasValue()) << gpu.status().toString();
  EXPECT_EQ(gpu->precision(), cuda::Precision::F16);
  EXPECT_NE(gpu->implName().find("fp16"), std::string::npos);
  Tensor addend = randomUniform(gpu->outputShape(), -1.f, 1.f, rng);
  Tensor expected = p.fuseSum ? addend.clone() : Tensor();
  ASSERT_OK(cuda::halfref::conv(x, w, b, p, expected));
  ASSERT_EQ(expected.shape(), gpu->outputShape());

  cuda::CudaBuffer dx = toDevice(x);
  cuda::CudaBuffer dy = p.fuseSum ? toDevice(addend) : deviceLike(expected);
  cuda::CudaBuffer ws = workspace(gpu->workspaceBytes());
  ASSERT_OK(gpu->run(dx.as<float>(), dy.as<float>(), ws.data()));
  Tensor got = toHost(dy, expected.shape(), DType::F32);
  EXPECT_TRUE(closeInMaxNorm(expected, got, kConvTolerance))
      << gpu->implName();
  if (!p.fuseSum) { // deterministic engines: the same bits again
    ASSERT_OK(gpu->run(dx.as<float>(), dy.as<float>(), ws.data()));
    EXPECT_TRUE(bitEqual(got, toHost(dy, expected.shape(), DType::F32)));
  }
}

TEST(CudaHalfConv, ForwardMatchesEmulation) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(83);
  for (const Layer &l : layers()) {
    SCOPED_TRACE(l.name);
    checkForward(l, l.params, true, rng);
    checkForward(l, l.params, false, rng);
    Conv2dParams relu = l.params;
    relu.fuseRelu = true;
    checkForward(l, relu, true, rng);
  }
}

TEST(CudaHalfConv, FusedSumAndChannelsLast) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(84);
  for (const Layer &l : layers()) {
    SCOPED_TRACE(l.name);
    Conv2dParams sum = l.params;
    sum.fuseSum = true;
    sum.fuseRelu = true;
    checkForward(l, sum, true, rng);
    for (auto [src, dst] :
         {std::pair<bool, bool>{true, true}, {false, true}, {true, false}}) {
      SCOPED_TRACE(std::string("src ") + (src ? "NHWC" : "NCHW") + ", dst " +
                   (dst ? "NHWC" : "NCHW"));
      Conv2dParams p = l.params;
      p.srcChannelsLast = src;
      p.dstChannelsLast = dst;
      p.fuseRelu = true;
      checkForward(l, p, true, rng);
      p.fuseSum = true;
      checkForward(l, p, true, rng);
    }
  }
}

TEST(CudaHalfConv, UpdateWeightsReCasts) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(85);
  Layer l = layers()[2];
  Tensor x = randomUniform(l.input, -1.f, 1.f, rng);
  Tensor w = randomUniform(l.weight, -0.5f, 0.5f, rng);
  Tensor b = randomUniform({l.weight[0]}, -1.f, 1.f, rng);
  Expected<cuda::ConvPlan> gpu =
      cuda::ConvPlan::create(l.input, w, b, l.params, cuda::Precision::F16);
  ASSERT_TRUE(gpu.hasValue()) << gpu.status().toString();
  cuda::CudaBuffer dx = toDevice(x);
  cuda::CudaBuffer ws = workspace(gpu->workspaceBytes());
  for (bool fromDevice : {false, true}) {
    SCOPED_TRACE(fromDevice ? "updateWeightsDevice" : "updateWeights");
    Tensor w2 = randomUniform(l.weight, -0.5f, 0.5f, rng);
    Tensor b2 = randomUniform({l.weight[0]}, -1.f, 1.f, rng);
    Tensor expected;
    ASSERT_OK(cuda::halfref::conv(x, w2, b2, l.params, expected));
    cuda::CudaBuffer dw2 = toDevice(w2), db2 = toDevice(b2);
    if (fromDevice)
      ASSERT_OK(gpu->updateWeightsDevice(dw2.as<float>(), db2.as<float>()));
    else
      ASSERT_OK(gpu->updateWeights(w2, b2));
    cuda::CudaBuffer dy = deviceLike(expected);
    ASSERT_OK(gpu->run(dx.as<float>(), dy.as<float>(), ws.data()));
    EXPECT_TRUE(closeInMaxNorm(
        expected, toHost(dy, expected.shape(), DType::F32), kConvTolerance));
  }
}

TEST(CudaHalfConv, RoundsOperandsAndResultToHalf) {
  QRT_SKIP_WITHOUT_GPU();
  // x = 1 + 2^-12 rounds to 1 and w = 1: every interior output of a 3x3
  // convolution over 16 channels is 144, exact in fp16 (fp32 compute would
  // give 144 (1 + 2^-12)); + the bias 0.1f in the fp32 epilogue.
  Conv2dParams p;
  Tensor x = filled({2, 16, 6, 6}, 1.f + 0x1p-12f);
  Tensor w = filled({8, 16, 3, 3}, 1.f), b = filled({8}, 0.1f);
  Expected<cuda::ConvPlan> gpu =
      cuda::ConvPlan::create(x.shape(), w, b, p, cuda::Precision::F16);
  ASSERT_TRUE(gpu.hasValue()) << gpu.status().toString();
  cuda::CudaBuffer dx = toDevice(x), dy = workspace(2 * 8 * 4 * 4 * 4);
  cuda::CudaBuffer ws = workspace(gpu->workspaceBytes());
  ASSERT_OK(gpu->run(dx.as<float>(), dy.as<float>(), ws.data()));
  Tensor got = toHost(dy, {2, 8, 4, 4}, DType::F32);
  for (int64_t i = 0; i < got.numel(); ++i)
    ASSERT_EQ(got.data<float>()[i], 144.f + 0.1f) << i;

  // Backward weights: dw = Σ_{N,OH,OW} x dy = 32 * 1 * 2 = 64 exactly, with
  // dy = 2 + 2^-11 rounding to 2; dbias = 32 (2 + 2^-11) from the fp32 dy.
  Expected<cuda::ConvBackwardPlan> bw = cuda::ConvBackwardPlan::create(
      x.shape(), w.shape(), true, p, cuda::Precision::F16);
  ASSERT_TRUE(bw.hasValue()) << bw.status().toString();
  Tensor dyv = filled({2, 8, 4, 4}, 2.f + 0x1p-11f);
  cuda::CudaBuffer gdy = toDevice(dyv), gdw = workspace(w.nbytes()),
                   gdb = workspace(8 * 4);
  cuda::CudaBuffer bws = workspace(bw->workspaceBytes());
  ASSERT_OK(bw->backwardWeights(dx.as<float>(), gdy.as<float>(),
                                gdw.as<float>(), gdb.as<float>(), bws.data()));
  Tensor dw = toHost(gdw, w.shape(), DType::F32);
  for (int64_t i = 0; i < dw.numel(); ++i)
    ASSERT_EQ(dw.data<float>()[i], 64.f) << i;
  Tensor db = toHost(gdb, {8}, DType::F32);
  for (int64_t i = 0; i < 8; ++i)
    EXPECT_EQ(db.data<float>()[i], 32.f * (2.f + 0x1p-11f));
}

//===-- backward ----------------------------------------------------------===//

TEST(CudaHalfConv, BackwardMatchesEmulation) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(86);
  for (const Layer &l : layers()) {
    SCOPED_TRACE(l.name);
    Tensor x = randomUniform(l.input, -1.f, 1.f, rng);
    Tensor w = randomUniform(l.weight, -0.5f, 0.5f, rng);
    Expected<cuda::ConvBackwardPlan> gpu = cuda::ConvBackwardPlan::create(
        l.input, l.weight, true, l.params, cuda::Precision::F16);
    ASSERT_TRUE(gpu.hasValue()) << gpu.status().toString();
    EXPECT_NE(gpu->implName().find("fp16"), std::string::npos);
    // A loss-scaled gradient, well inside fp16's range.
    Tensor dy = randomUniform(gpu->outputShape(), -64.f, 64.f, rng);
    Tensor dx, dw, db;
    ASSERT_OK(cuda::halfref::convBackwardData(l.input, dy, w, l.params, dx));
    ASSERT_OK(cuda::halfref::convBackwardWeights(x, dy, l.weight, true,
                                                 l.params, dw, db));
    cuda::CudaBuffer gx = toDevice(x), gw = toDevice(w), gdy = toDevice(dy);
    cuda::CudaBuffer gdx = deviceLike(dx), gdw = deviceLike(dw),
                     gdb = deviceLike(db);
    cuda::CudaBuffer ws = workspace(gpu->workspaceBytes());
    ASSERT_OK(gpu->backwardData(gdy.as<float>(), gw.as<float>(),
                                gdx.as<float>(), ws.data()));
    ASSERT_OK(gpu->backwardWeights(gx.as<float>(), gdy.as<float>(),
                                   gdw.as<float>(), gdb.as<float>(),
                                   ws.data()));
    EXPECT_TRUE(closeInMaxNorm(dx, toHost(gdx, dx.shape(), DType::F32),
                               kConvTolerance))
        << gpu->implName();
    Tensor gotDw = toHost(gdw, dw.shape(), DType::F32);
    EXPECT_TRUE(closeInMaxNorm(dw, gotDw, kConvTolerance)) << gpu->implName();
    EXPECT_TRUE(closeInMaxNorm(db, toHost(gdb, db.shape(), DType::F32), 1e-4));
    ASSERT_OK(gpu->backwardWeights(gx.as<float>(), gdy.as<float>(),
                                   gdw.as<float>(), gdb.as<float>(),
                                   ws.data()));
    EXPECT_TRUE(bitEqual(gotDw, toHost(gdw, dw.shape(), DType::F32)));
  }
}

} // namespace
