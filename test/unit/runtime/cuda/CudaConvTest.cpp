//===- CudaConvTest.cpp - cuDNN convolution plans vs the CPU plans --------===//
//
// qrt::cuda::ConvPlan, Int8ConvPlan and ConvBackwardPlan (DnnConv.h) against
// qrt's CPU plans on seeded random data, over a ResNet-8-like set of layers
// (1-channel 3x3 stem, 16 / 32 / 64 channels, stride 2, 1x1 downsample,
// depthwise) and odd geometry (asymmetric pads, dilation, unequal strides):
// int8 accumulators identical (both int8 paths, u8 with nonzero zero points,
// i8), fp32 forward within 1e-5 and backward within 1e-4 of the tensor's
// largest magnitude (closeInMaxNorm). Skips without a device.
//
//===----------------------------------------------------------------------===//

#include "CudaPlanTestUtil.h"
#include "runtime/BackwardConv.h"
#include "runtime/IntKernels.h"
#include "runtime/cuda/DnnConv.h"

using namespace qrt;
using namespace qrt::test;

namespace {

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

std::vector<Layer> resnet8Layers() {
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

//===-- fp32 forward ------------------------------------------------------===//

void checkConv(const Layer &l, Conv2dParams p, std::mt19937 &rng,
               bool withBias) {
  Tensor xNchw = randomUniform(l.input, -1.f, 1.f, rng);
  Tensor w = randomUniform(l.weight, -0.5f, 0.5f, rng);
  Tensor b = withBias ? randomUniform({l.weight[0]}, -1.f, 1.f, rng) : Tensor();
  Tensor x = p.srcChannelsLast ? toNhwc(xNchw) : xNchw;
  Expected<ConvPlan> cpu = ConvPlan::create(x.shape(), w, b, p);
  ASSERT_TRUE(cpu.hasValue()) << cpu.status().toString();
  Tensor addend = randomUniform(cpu->outputShape(), -1.f, 1.f, rng);
  Tensor expected = p.fuseSum ? addend.clone() : Tensor();
  ASSERT_OK(cpu->run(x, expected));

  Expected<cuda::ConvPlan> gpu = cuda::ConvPlan::create(x.shape(), w, b, p);
  ASSERT_TRUE(gpu.hasValue()) << gpu.status().toString();
  ASSERT_EQ(gpu->outputShape(), cpu->outputShape());
  cuda::CudaBuffer dx = toDevice(x);
  cuda::CudaBuffer dy = p.fuseSum ? toDevice(addend) : deviceLike(expected);
  cuda::CudaBuffer ws = workspace(gpu->workspaceBytes());
  ASSERT_OK(gpu->run(dx.as<float>(), dy.as<float>(), ws.data()));
  Tensor got = toHost(dy, expected.shape(), DType::F32);
  EXPECT_TRUE(closeInMaxNorm(expected, got, 1e-5)) << gpu->implName();
  if (!p.fuseSum) { // deterministic: the same bits again
    ASSERT_OK(gpu->run(dx.as<float>(), dy.as<float>(), ws.data()));
    EXPECT_TRUE(bitEqual(got, toHost(dy, expected.shape(), DType::F32)));
  }
}

TEST(CudaConv, Fp32ForwardMatchesCpu) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(31);
  for (const Layer &l : resnet8Layers()) {
    SCOPED_TRACE(l.name);
    checkConv(l, l.params, rng, true);
    checkConv(l, l.params, rng, false);
    Conv2dParams relu = l.params;
    relu.fuseRelu = true;
    checkConv(l, relu, rng, true);
  }
}

TEST(CudaConv, Fp32FusedSumAndChannelsLast) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(32);
  for (const Layer &l : resnet8Layers()) {
    SCOPED_TRACE(l.name);
    Conv2dParams sum = l.params;
    sum.fuseSum = true;
    sum.fuseRelu = true;
    checkConv(l, sum, rng, true);
    for (auto [src, dst] :
         {std::pair<bool, bool>{true, true}, {false, true}, {true, false}}) {
      SCOPED_TRACE(std::string("src ") + (src ? "NHWC" : "NCHW") + ", dst " +
                   (dst ? "NHWC" : "NCHW"));
      Conv2dParams p = l.params;
      p.srcChannelsLast = src;
      p.dstChannelsLast = dst;
      p.fuseRelu = true;
      checkConv(l, p, rng, true);
      p.fuseSum = true;
      checkConv(l, p, rng, true);
    }
  }
}

TEST(CudaConv, Fp32UpdateWeights) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(33);
  Layer l = resnet8Layers()[2];
  Tensor x = randomUniform(l.input, -1.f, 1.f, rng);
  Tensor w = randomUniform(l.weight, -0.5f, 0.5f, rng);
  Tensor b = randomUniform({l.weight[0]}, -1.f, 1.f, rng);
  Expected<ConvPlan> cpu = ConvPlan::create(l.input, w, b, l.params);
  Expected<cuda::ConvPlan> gpu =
      cuda::ConvPlan::create(l.input, w, b, l.params);
  ASSERT_TRUE(cpu.hasValue() && gpu.hasValue()) << gpu.status().toString();
  Tensor w2 = randomUniform(l.weight, -0.5f, 0.5f, rng);
  Tensor b2 = randomUniform({l.weight[0]}, -1.f, 1.f, rng);
  ASSERT_OK(cpu->updateWeights(w2, b2));
  // The device path of the update (training: the optimizer's output).
  cuda::CudaBuffer dw2 = toDevice(w2), db2 = toDevice(b2);
  ASSERT_OK(gpu->updateWeightsDevice(dw2.as<float>(), db2.as<float>()));
  Tensor expected;
  ASSERT_OK(cpu->run(x, expected));
  cuda::CudaBuffer dx = toDevice(x), dy = deviceLike(expected);
  cuda::CudaBuffer ws = workspace(gpu->workspaceBytes());
  ASSERT_OK(gpu->run(dx.as<float>(), dy.as<float>(), ws.data()));
  EXPECT_TRUE(
      closeInMaxNorm(expected, toHost(dy, expected.shape(), DType::F32), 1e-5));
  EXPECT_FALSE(gpu->updateWeights(w2, Tensor()).isOk()); // bias required
}

//===-- int8 --------------------------------------------------------------===//

void checkInt8(const Layer &l, Conv2dParams p, DType dtype, int32_t zx,
               cuda::Int8ConvPath path, std::mt19937 &rng) {
  Tensor xNchw = dtype == DType::U8
                     ? randomInt<uint8_t>(l.input, 0, 255, rng)
                     : randomInt<int8_t>(l.input, -128, 127, rng);
  Tensor w = randomInt<int8_t>(l.weight, -128, 127, rng);
  Tensor b = randomInt<int32_t>({l.weight[0]}, -1 << 20, 1 << 20, rng);
  // The CPU plan runs NCHW; channels-last results are its transpose.
  Conv2dParams cpuParams = p;
  cpuParams.srcChannelsLast = cpuParams.dstChannelsLast = false;
  Expected<Int8ConvPlan> cpu =
      Int8ConvPlan::create(l.input, dtype, w, b, cpuParams, zx);
  ASSERT_TRUE(cpu.hasValue()) << cpu.status().toString();
  Tensor expected;
  ASSERT_OK(cpu->runAccumulate(xNchw, expected));
  if (p.dstChannelsLast)
    expected = toNhwc(expected);
  Tensor x = p.srcChannelsLast ? toNhwc(xNchw) : xNchw;

  Expected<cuda::Int8ConvPlan> gpu =
      cuda::Int8ConvPlan::create(x.shape(), dtype, w, b, p, zx, path);
  if (!gpu && path == cuda::Int8ConvPath::Cudnn &&
      gpu.status().code() == ErrorCode::Unsupported) {
    std::printf("  [cuDNN int8 unavailable: %s]\n",
                gpu.status().message().c_str());
    return;
  }
  ASSERT_TRUE(gpu.hasValue()) << gpu.status().toString();
  ASSERT_EQ(gpu->outputShape(), expected.shape());
  cuda::CudaBuffer dx = toDevice(x), dacc = deviceLike(expected);
  cuda::CudaBuffer ws = workspace(gpu->workspaceBytes());
  ASSERT_OK(gpu->runAccumulate(dx.data(), dacc.as<int32_t>(), ws.data()));
  EXPECT_TRUE(bitEqual(expected, toHost(dacc, expected.shape(), DType::I32)))
      << gpu->implName();
}

TEST(CudaConv, Int8AccumulatorsAreIdentical) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(34);
  for (const Layer &l : resnet8Layers())
    for (cuda::Int8ConvPath path :
         {cuda::Int8ConvPath::Auto, cuda::Int8ConvPath::Gemm,
          cuda::Int8ConvPath::Cudnn}) {
      SCOPED_TRACE(std::string(l.name) + ", path " +
                   std::to_string(static_cast<int>(path)));
      checkInt8(l, l.params, DType::U8, 0, path, rng);
      checkInt8(l, l.params, DType::U8, 113, path, rng);
      checkInt8(l, l.params, DType::U8, 255, path, rng);
      checkInt8(l, l.params, DType::I8, -7, path, rng);
    }
}

TEST(CudaConv, Int8ChannelsLast) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(35);
  for (const Layer &l : resnet8Layers())
    for (auto [src, dst] :
         {std::pair<bool, bool>{true, true}, {false, true}, {true, false}}) {
      SCOPED_TRACE(l.name);
      Conv2dParams p = l.params;
      p.srcChannelsLast = src;
      p.dstChannelsLast = dst;
      checkInt8(l, p, DType::U8, 77, cuda::Int8ConvPath::Auto, rng);
      checkInt8(l, p, DType::U8, 77, cuda::Int8ConvPath::Gemm, rng);
    }
}

//===-- fp32 backward -----------------------------------------------------===//

TEST(CudaConv, BackwardMatchesCpu) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(36);
  for (const Layer &l : resnet8Layers()) {
    SCOPED_TRACE(l.name);
    Expected<ConvBackwardPlan> cpu =
        ConvBackwardPlan::create(l.input, l.weight, true, l.params);
    ASSERT_TRUE(cpu.hasValue()) << cpu.status().toString();
    Tensor x = randomUniform(l.input, -1.f, 1.f, rng);
    Tensor w = randomUniform(l.weight, -0.5f, 0.5f, rng);
    Tensor dy = randomUniform(cpu->outputShape(), -1.f, 1.f, rng);
    Tensor dx, dw, db;
    ASSERT_OK(cpu->backwardData(dy, w, dx));
    ASSERT_OK(cpu->backwardWeights(x, dy, dw, db));

    Expected<cuda::ConvBackwardPlan> gpu =
        cuda::ConvBackwardPlan::create(l.input, l.weight, true, l.params);
    ASSERT_TRUE(gpu.hasValue()) << gpu.status().toString();
    cuda::CudaBuffer gx = toDevice(x), gw = toDevice(w), gdy = toDevice(dy);
    cuda::CudaBuffer gdx = deviceLike(dx), gdw = deviceLike(dw),
                     gdb = deviceLike(db);
    cuda::CudaBuffer ws = workspace(gpu->workspaceBytes());
    ASSERT_OK(gpu->backwardData(gdy.as<float>(), gw.as<float>(),
                                gdx.as<float>(), ws.data()));
    ASSERT_OK(gpu->backwardWeights(gx.as<float>(), gdy.as<float>(),
                                   gdw.as<float>(), gdb.as<float>(),
                                   ws.data()));
    EXPECT_TRUE(closeInMaxNorm(dx, toHost(gdx, dx.shape(), DType::F32), 1e-4))
        << gpu->implName();
    Tensor gotDw = toHost(gdw, dw.shape(), DType::F32);
    EXPECT_TRUE(closeInMaxNorm(dw, gotDw, 1e-4)) << gpu->implName();
    EXPECT_TRUE(closeInMaxNorm(db, toHost(gdb, db.shape(), DType::F32), 1e-4));
    // Deterministic engines: the same bits on a second run.
    ASSERT_OK(gpu->backwardWeights(gx.as<float>(), gdy.as<float>(),
                                   gdw.as<float>(), gdb.as<float>(),
                                   ws.data()));
    EXPECT_TRUE(bitEqual(gotDw, toHost(gdw, dw.shape(), DType::F32)));
  }
}

} // namespace
