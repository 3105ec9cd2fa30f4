//===- CudaGemmTest.cpp - cuBLASLt linear plans vs the CPU plans ----------===//
//
// qrt::cuda::LinearPlan, Int8LinearPlan and LinearBackwardPlan (Gemm.h)
// against qrt's CPU plans on seeded random data: int8 accumulators identical,
// fp32 forward within 1e-5 and backward within 1e-4 of the tensor's largest
// magnitude (closeInMaxNorm; a different summation order). Skips without a
// device.
//
//===----------------------------------------------------------------------===//

#include "CudaPlanTestUtil.h"
#include "runtime/BackwardConv.h"
#include "runtime/IntKernels.h"
#include "runtime/cuda/Gemm.h"

using namespace qrt;
using namespace qrt::test;

namespace {

TEST(CudaGemm, LinearMatchesCpu) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(21);
  struct Case {
    Shape in;
    int64_t m;
    bool bias, relu;
  };
  for (Case c :
       {Case{{8, 64}, 10, true, false}, Case{{3, 17}, 5, true, true},
        Case{{1, 512}, 10, false, false}, Case{{64, 256}, 128, false, true}}) {
    SCOPED_TRACE(shapeToString(c.in) + " -> " + std::to_string(c.m));
    Tensor x = randomUniform(c.in, -1.f, 1.f, rng);
    Tensor w = randomUniform({c.m, c.in[1]}, -0.5f, 0.5f, rng);
    Tensor b = c.bias ? randomUniform({c.m}, -1.f, 1.f, rng) : Tensor();
    Expected<LinearPlan> cpu = LinearPlan::create(c.in, w, b, c.relu);
    ASSERT_TRUE(cpu.hasValue()) << cpu.status().toString();
    Tensor expected;
    ASSERT_OK(cpu->run(x, expected));
    Expected<cuda::LinearPlan> gpu =
        cuda::LinearPlan::create(c.in, w, b, c.relu);
    ASSERT_TRUE(gpu.hasValue()) << gpu.status().toString();
    cuda::CudaBuffer dx = toDevice(x), dy = deviceLike(expected);
    cuda::CudaBuffer ws = workspace(gpu->workspaceBytes());
    ASSERT_OK(gpu->run(dx.as<float>(), dy.as<float>(), ws.data()));
    EXPECT_TRUE(closeInMaxNorm(expected,
                               toHost(dy, expected.shape(), DType::F32), 1e-5))
        << gpu->implName();

    // updateWeights: a second set of weights through the same plan.
    Tensor w2 = randomUniform({c.m, c.in[1]}, -0.5f, 0.5f, rng);
    Tensor b2 = c.bias ? randomUniform({c.m}, -1.f, 1.f, rng) : Tensor();
    ASSERT_OK(cpu->updateWeights(w2, b2));
    ASSERT_OK(gpu->updateWeights(w2, b2));
    ASSERT_OK(cpu->run(x, expected));
    ASSERT_OK(gpu->run(dx.as<float>(), dy.as<float>(), ws.data()));
    EXPECT_TRUE(closeInMaxNorm(expected,
                               toHost(dy, expected.shape(), DType::F32), 1e-5));
  }
}

TEST(CudaGemm, Int8LinearAccumulatorsAreIdentical) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(22);
  struct Case {
    Shape in;
    int64_t m;
    DType dtype;
    int32_t zx;
    bool bias;
  };
  for (Case c : {Case{{8, 64}, 10, DType::U8, 128, true},
                 Case{{3, 17}, 5, DType::U8, 3, true},
                 Case{{5, 33}, 7, DType::I8, -9, false},
                 Case{{64, 512}, 100, DType::U8, 0, true},
                 Case{{2, 4096}, 10, DType::U8, 255, true}}) {
    SCOPED_TRACE(shapeToString(c.in) + " -> " + std::to_string(c.m) + " zx " +
                 std::to_string(c.zx));
    Tensor x = c.dtype == DType::U8 ? randomInt<uint8_t>(c.in, 0, 255, rng)
                                    : randomInt<int8_t>(c.in, -128, 127, rng);
    Tensor w = randomInt<int8_t>({c.m, c.in[1]}, -128, 127, rng);
    Tensor b =
        c.bias ? randomInt<int32_t>({c.m}, -1 << 20, 1 << 20, rng) : Tensor();
    Expected<Int8LinearPlan> cpu =
        Int8LinearPlan::create(c.in, c.dtype, w, b, c.zx);
    ASSERT_TRUE(cpu.hasValue()) << cpu.status().toString();
    Tensor expected;
    ASSERT_OK(cpu->runAccumulate(x, expected));
    Expected<cuda::Int8LinearPlan> gpu =
        cuda::Int8LinearPlan::create(c.in, c.dtype, w, b, c.zx);
    ASSERT_TRUE(gpu.hasValue()) << gpu.status().toString();
    cuda::CudaBuffer dx = toDevice(x), dacc = deviceLike(expected);
    cuda::CudaBuffer ws = workspace(gpu->workspaceBytes());
    ASSERT_OK(gpu->runAccumulate(dx.data(), dacc.as<int32_t>(), ws.data()));
    EXPECT_TRUE(bitEqual(expected, toHost(dacc, expected.shape(), DType::I32)))
        << gpu->implName();
  }
}

TEST(CudaGemm, LinearBackwardMatchesCpu) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(23);
  for (auto [n, k, m] : {std::tuple<int64_t, int64_t, int64_t>{8, 64, 10},
                         {3, 17, 5},
                         {64, 256, 128}}) {
    SCOPED_TRACE(std::to_string(n) + "x" + std::to_string(k) + " -> " +
                 std::to_string(m));
    Tensor x = randomUniform({n, k}, -1.f, 1.f, rng);
    Tensor w = randomUniform({m, k}, -0.5f, 0.5f, rng);
    Tensor dy = randomUniform({n, m}, -1.f, 1.f, rng);
    Expected<LinearBackwardPlan> cpu =
        LinearBackwardPlan::create({n, k}, {m, k}, true);
    ASSERT_TRUE(cpu.hasValue()) << cpu.status().toString();
    Tensor dx, dw, db;
    ASSERT_OK(cpu->backwardData(dy, w, dx));
    ASSERT_OK(cpu->backwardWeights(x, dy, dw, db));
    Expected<cuda::LinearBackwardPlan> gpu =
        cuda::LinearBackwardPlan::create({n, k}, {m, k}, true);
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
    EXPECT_TRUE(closeInMaxNorm(dw, toHost(gdw, dw.shape(), DType::F32), 1e-4));
    EXPECT_TRUE(closeInMaxNorm(db, toHost(gdb, db.shape(), DType::F32), 1e-4));
    // Deterministic: a second run gives the same bits.
    Tensor first = toHost(gdw, dw.shape(), DType::F32);
    ASSERT_OK(gpu->backwardWeights(gx.as<float>(), gdy.as<float>(),
                                   gdw.as<float>(), gdb.as<float>(),
                                   ws.data()));
    EXPECT_TRUE(bitEqual(first, toHost(gdw, dw.shape(), DType::F32)));
  }
}

} // namespace
