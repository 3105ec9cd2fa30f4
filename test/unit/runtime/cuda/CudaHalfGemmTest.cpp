//===- CudaHalfGemmTest.cpp - fp16 linear plans vs their emulation --------===//
//
// The F16 LinearPlan / LinearBackwardPlan (Gemm.h, Precision.h) against the
// host emulation (HalfReference.h: fp16-rounded operands, fp32 CPU plans),
// and the cast kernel against runtime/HalfMath.h. Tolerance: 1e-3 of the
// tensor's largest magnitude (closeInMaxNorm). The emulation rounds what
// the device rounds, and cuBLASLt writes fp32, so what is left is the fp32
// accumulation order of the tensor cores, 10x the fp32 plans' backward
// tolerance (CudaGemmTest.cpp). On values whose fp16 results are exact the
// device must give the emulation's bits. Skips without a device.
//
//===----------------------------------------------------------------------===//

#include "CudaPlanTestUtil.h"
#include "runtime/HalfMath.h"
#include "runtime/cuda/Gemm.h"
#include "runtime/cuda/HalfLaunchInternal.h"
#include "runtime/cuda/HalfReference.h"

using namespace qrt;
using namespace qrt::test;

namespace {

constexpr double kLinearTolerance = 1e-3;

Tensor filled(const Shape &shape, float v) {
  Tensor t = Tensor::empty(shape, DType::F32);
  std::fill(t.data<float>(), t.data<float>() + t.numel(), v);
  return t;
}

TEST(CudaHalfGemm, CastKernelIsHalfMath) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(71);
  // Random bit patterns (NaN included: 0x7fff either way) and specials.
  const int64_t count = int64_t(1) << 22;
  Tensor src = Tensor::empty({count}, DType::F32);
  uint32_t *bits = reinterpret_cast<uint32_t *>(src.data<float>());
  for (int64_t i = 0; i < count; ++i)
    bits[i] = static_cast<uint32_t>(rng());
  const float specials[] = {0.f, -0.f, 65520.f, 65519.99f, 0x1p-25f,
                            0x1.8p-24f, 1.f + 0x1p-11f, 0x1.ffcp-15f};
  for (size_t i = 0; i < sizeof(specials) / sizeof(float); ++i)
    src.data<float>()[i] = specials[i];
  cuda::CudaBuffer dsrc = toDevice(src);
  cuda::CudaBuffer dhalf = workspace(count * 2);
  ASSERT_OK(cuda::detail::launchToHalf(dsrc.as<float>(), count,
                                       dhalf.as<uint16_t>(), nullptr));
  std::vector<uint16_t> got(count);
  ASSERT_OK(cuda::synchronize());
  ASSERT_OK(dhalf.copyToHost(got.data(), count * 2));
  int64_t bad = 0;
  for (int64_t i = 0; i < count; ++i)
    if (got[i] != hmath::floatToHalfBits(src.data<float>()[i]) && bad++ < 3)
      ADD_FAILURE() << "element " << i << std::hex << " bits " << bits[i];
  EXPECT_EQ(bad, 0);
}

TEST(CudaHalfGemm, LinearMatchesEmulation) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(72);
  struct Case {
    Shape in;
    int64_t m;
    bool bias, relu;
  };
  for (Case c :
       {Case{{8, 64}, 10, true, false}, Case{{3, 17}, 5, true, true},
        Case{{1, 512}, 10, false, false}, Case{{64, 256}, 128, false, true},
        Case{{128, 64}, 10, true, false}}) {
    SCOPED_TRACE(shapeToString(c.in) + " -> " + std::to_string(c.m));
    Tensor x = randomUniform(c.in, -1.f, 1.f, rng);
    Tensor w = randomUniform({c.m, c.in[1]}, -0.5f, 0.5f, rng);
    Tensor b = c.bias ? randomUniform({c.m}, -1.f, 1.f, rng) : Tensor();
    Tensor expected;
    ASSERT_OK(cuda::halfref::linear(x, w, b, c.relu, expected));
    Expected<cuda::LinearPlan> gpu = cuda::LinearPlan::create(
        c.in, w, b, c.relu, cuda::Precision::F16);
    ASSERT_TRUE(gpu.hasValue()) << gpu.status().toString();
    EXPECT_EQ(gpu->precision(), cuda::Precision::F16);
    EXPECT_NE(gpu->implName().find("fp16"), std::string::npos);
    cuda::CudaBuffer dx = toDevice(x), dy = deviceLike(expected);
    cuda::CudaBuffer ws = workspace(gpu->workspaceBytes());
    ASSERT_OK(gpu->run(dx.as<float>(), dy.as<float>(), ws.data()));
    Tensor got = toHost(dy, expected.shape(), DType::F32);
    EXPECT_TRUE(closeInMaxNorm(expected, got, kLinearTolerance))
        << gpu->implName();
    ASSERT_OK(gpu->run(dx.as<float>(), dy.as<float>(), ws.data()));
    EXPECT_TRUE(bitEqual(got, toHost(dy, expected.shape(), DType::F32)));

    // New weights from the host, then from the device: both re-cast.
    Tensor w2 = randomUniform({c.m, c.in[1]}, -0.5f, 0.5f, rng);
    Tensor b2 = c.bias ? randomUniform({c.m}, -1.f, 1.f, rng) : Tensor();
    ASSERT_OK(cuda::halfref::linear(x, w2, b2, c.relu, expected));
    ASSERT_OK(gpu->updateWeights(w2, b2));
    ASSERT_OK(gpu->run(dx.as<float>(), dy.as<float>(), ws.data()));
    EXPECT_TRUE(closeInMaxNorm(
        expected, toHost(dy, expected.shape(), DType::F32), kLinearTolerance));
    Tensor w3 = randomUniform({c.m, c.in[1]}, -0.5f, 0.5f, rng);
    ASSERT_OK(cuda::halfref::linear(x, w3, b2, c.relu, expected));
    cuda::CudaBuffer dw3 = toDevice(w3);
    cuda::CudaBuffer db2 = c.bias ? toDevice(b2) : cuda::CudaBuffer();
    ASSERT_OK(gpu->updateWeightsDevice(dw3.as<float>(),
                                       c.bias ? db2.as<float>() : nullptr));
    ASSERT_OK(gpu->run(dx.as<float>(), dy.as<float>(), ws.data()));
    EXPECT_TRUE(closeInMaxNorm(
        expected, toHost(dy, expected.shape(), DType::F32), kLinearTolerance));
  }
}

TEST(CudaHalfGemm, LinearRoundsItsOperandsToHalf) {
  QRT_SKIP_WITHOUT_GPU();
  // x = 1 + 2^-12 rounds to 1 and W = 1: y = K + 0.1f exactly (an fp32
  // result; fp32 compute would give K (1 + 2^-12) + 0.1). x = 70000 is
  // beyond fp16: its row is +inf, which a dynamic loss scale detects.
  const int64_t n = 4, k = 64, m = 8;
  Tensor x = filled({n, k}, 1.f + 0x1p-12f);
  x.data<float>()[3 * k + 5] = 70000.f;
  Tensor w = filled({m, k}, 1.f), b = filled({m}, 0.1f);
  Expected<cuda::LinearPlan> gpu =
      cuda::LinearPlan::create({n, k}, w, b, false, cuda::Precision::F16);
  ASSERT_TRUE(gpu.hasValue()) << gpu.status().toString();
  cuda::CudaBuffer dx = toDevice(x), dy = workspace(n * m * 4);
  cuda::CudaBuffer ws = workspace(gpu->workspaceBytes());
  ASSERT_OK(gpu->run(dx.as<float>(), dy.as<float>(), ws.data()));
  Tensor got = toHost(dy, {n, m}, DType::F32);
  for (int64_t i = 0; i < n * m; ++i) {
    if (i / m == 3)
      EXPECT_TRUE(std::isinf(got.data<float>()[i])) << i;
    else
      EXPECT_EQ(got.data<float>()[i], float(k) + 0.1f) << i;
  }
}

TEST(CudaHalfGemm, LinearBackwardMatchesEmulation) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(73);
  for (auto [n, k, m] : {std::tuple<int64_t, int64_t, int64_t>{8, 64, 10},
                         {3, 17, 5},
                         {64, 256, 128},
                         {128, 64, 10}}) {
    SCOPED_TRACE(std::to_string(n) + "x" + std::to_string(k) + " -> " +
                 std::to_string(m));
    Tensor x = randomUniform({n, k}, -1.f, 1.f, rng);
    Tensor w = randomUniform({m, k}, -0.5f, 0.5f, rng);
    // A loss-scaled gradient: large, still well inside fp16's range.
    Tensor dy = randomUniform({n, m}, -1024.f, 1024.f, rng);
    Tensor dx, dw, db;
    ASSERT_OK(cuda::halfref::linearBackwardData(dy, w, dx));
    ASSERT_OK(cuda::halfref::linearBackwardWeights(x, dy, true, dw, db));
    Expected<cuda::LinearBackwardPlan> gpu = cuda::LinearBackwardPlan::create(
        {n, k}, {m, k}, true, cuda::Precision::F16);
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
    EXPECT_TRUE(closeInMaxNorm(dx, toHost(gdx, dx.shape(), DType::F32),
                               kLinearTolerance))
        << gpu->implName();
    Tensor gotDw = toHost(gdw, dw.shape(), DType::F32);
    EXPECT_TRUE(closeInMaxNorm(dw, gotDw, kLinearTolerance));
    EXPECT_TRUE(closeInMaxNorm(db, toHost(gdb, db.shape(), DType::F32), 1e-4));
    ASSERT_OK(gpu->backwardWeights(gx.as<float>(), gdy.as<float>(),
                                   gdw.as<float>(), gdb.as<float>(),
                                   ws.data()));
    EXPECT_TRUE(bitEqual(gotDw, toHost(gdw, dw.shape(), DType::F32)));
  }
}

} // namespace
