//===- CudaInferenceTest.cpp - InferenceKernels.h's exec kernels vs the CPU ===//
//
// The kernels of runtime/cuda/ExecElementwise.cpp, ExecRequant.cpp and
// ExecTensorOps.cpp run as plan steps (a one-step qrt::cuda::exec::Context)
// against the CPU's qrt::exec kernel of the same name on the same seeded
// operands: bit for bit (qadd, requantize, storage_cast, sub / mul / div,
// prelu, leaky_relu, hard_sigmoid, hard_swish, batch_norm, concat,
// transpose; NaNs compare as NaNs, their payload is the hardware's), within
// 1e-5 relative for the device-libm kernels (sigmoid, softmax) and within
// 1e-5 of Σ|a||b| for the cuBLASLt matmul. The comparisons skip without a
// device; the argument checks, which need none, run everywhere.
//
//===----------------------------------------------------------------------===//

#include "CudaTestUtil.h"
#include "runtime/ElementMath.h"
#include "runtime/Exec.h"
#include "runtime/cuda/Exec.h"
#include "runtime/cuda/InferenceKernels.h"

#include <array>
#include <cmath>
#include <limits>

using namespace qrt;
using namespace qrt::test;
namespace qe = qrt::exec;
namespace ce = qrt::cuda::exec;

namespace {

template <typename P>
using CpuKernel = void (*)(qe::Context &, const qe::StepIO &, const P &);
template <typename P>
using CudaKernel = void (*)(ce::Context &, const qe::StepIO &, const P &);

/// The step's result on the CPU and on the device, for operands `inputs`
/// (kNoSlot where a Tensor is undefined: an absent optional operand).
struct Results {
  Tensor cpu, gpu;
};
template <typename P>
Results runBoth(CpuKernel<P> cpu, CudaKernel<P> gpu, const P &p,
                const std::vector<Tensor> &inputs) {
  qe::StepIO io;
  io.what = "step";
  qe::Slot out = (qe::Slot)inputs.size();
  for (size_t i = 0; i < inputs.size(); ++i)
    io.in.push_back(inputs[i].defined() ? (qe::Slot)i : qe::kNoSlot);
  io.out = {out};
  Results r;

  qe::Context c;
  c.resize(inputs.size() + 1, 1);
  for (size_t i = 0; i < inputs.size(); ++i)
    c[(qe::Slot)i] = inputs[i];
  c.beginRun(0);
  cpu(c, io, p);
  Status s = c.endRun();
  EXPECT_TRUE(s.isOk()) << "CPU: " << s.toString();
  r.cpu = c[out];

  ce::Context g;
  g.resize(inputs.size() + 1, 1);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined())
      continue;
    Expected<ce::DeviceTensor> d = ce::upload(inputs[i], g.stream());
    EXPECT_TRUE(d.hasValue()) << d.status().toString();
    if (d)
      g[(qe::Slot)i] = *d;
  }
  g.beginRun(0);
  gpu(g, io, p);
  s = g.endRun();
  EXPECT_TRUE(s.isOk()) << "CUDA: " << s.toString();
  if (s && g[out].defined()) {
    Expected<Tensor> h = ce::download(g[out], g.stream());
    EXPECT_TRUE(h.hasValue()) << h.status().toString();
    if (h)
      r.gpu = std::move(*h);
  }
  return r;
}

/// Bit-equal, except that any NaN equals any NaN (x86 and the GPU make
/// NaNs of different payloads).
::testing::AssertionResult sameValues(const Tensor &expected,
                                      const Tensor &actual) {
  if (!actual.defined() || expected.dtype() != DType::F32)
    return bitEqual(expected, actual);
  if (expected.shape() != actual.shape())
    return ::testing::AssertionFailure() << "shape differs";
  Tensor a = expected.clone(), b = actual.clone();
  float *pa = a.data<float>(), *pb = b.data<float>();
  for (int64_t i = 0; i < a.numel(); ++i)
    if (std::isnan(pa[i]) && std::isnan(pb[i]))
      pa[i] = pb[i] = 0.f;
  return bitEqual(a, b);
}

/// |cpu - gpu| <= tol[i] per element (`tol` of the result's shape).
::testing::AssertionResult within(const Tensor &expected, const Tensor &actual,
                                  const std::vector<double> &tol) {
  if (!actual.defined() || expected.shape() != actual.shape())
    return ::testing::AssertionFailure() << "shape differs";
  const float *a = expected.data<float>(), *b = actual.data<float>();
  for (int64_t i = 0; i < expected.numel(); ++i)
    if (!(std::fabs((double)a[i] - b[i]) <= tol[i]))
      return ::testing::AssertionFailure()
             << "element " << i << ": CPU " << a[i] << ", CUDA " << b[i]
             << ", tolerance " << tol[i];
  return ::testing::AssertionSuccess();
}
std::vector<double> relative(const Tensor &t, double rel) {
  std::vector<double> tol(t.numel());
  for (int64_t i = 0; i < t.numel(); ++i)
    tol[i] = rel * std::fabs(t.data<float>()[i]) + 1e-30;
  return tol;
}

Tensor u8(const Shape &s, std::mt19937 &rng) {
  return randomInt<uint8_t>(s, 0, 255, rng);
}
Tensor i8(const Shape &s, std::mt19937 &rng) {
  return randomInt<int8_t>(s, -128, 127, rng);
}

} // namespace

//===-- The shared element functions, on the host ------------------------===//
//
// ElementMath.h's functions that the CPU and CUDA kernels both call,
// against the definitions they implement.

TEST(ElementMathHost, QAddValueIsOnnxDequantizeAddQuantize) {
  // ONNX: y = saturate(round_half_even(relu?(fl(fl((a - za) sa) +
  // fl((b - zb) sb))) / sy) + zy), every pair of u8 values, for grids with
  // ties (power-of-two scales), ResNet-18's and a narrow ReLU'd range.
  struct Grid {
    float za, sa, zb, sb, zy, sy, qmin, qmax;
    bool relu;
  };
  for (const Grid &g : std::vector<Grid>{
           {128, 0.5f, 3, 0.25f, 7, 1.f, 0, 255, false},
           {158, 0.027151138f, 0, 0.0073542786f, 0, 0.01516545f, 0, 255,
            false},
           {100, 0.125f, 90, 0.375f, 3, 0.5f, 0, 15, true}}) {
    for (int a = 0; a < 256; ++a)
      for (int b = 0; b < 256; ++b) {
        float v = float((float(a) - g.za) * g.sa) + float((float(b) - g.zb) * g.sb);
        if (g.relu)
          v = std::max(v, 0.f);
        double q = std::nearbyint(double(v / g.sy)) + g.zy;
        int32_t expected = (int32_t)std::min<double>(
            std::max<double>(q, g.qmin), g.qmax);
        ASSERT_EQ(emath::qaddValue(float(a), g.za, g.sa, float(b), g.zb, g.sb,
                                   g.zy, g.sy, g.qmin, g.qmax, g.relu),
                  expected)
            << a << " + " << b;
      }
  }
  // With ReLU a negative sum is the output zero point.
  EXPECT_EQ(emath::qaddValue(0, 10, 1, 0, 0, 1, 5, 1, 0, 255, true), 5);
}

TEST(ElementMathHost, ActivationsAndBatchNormFollowTheirDefinitions) {
  const float inf = std::numeric_limits<float>::infinity();
  for (float v : {-7.f, -3.f, -1.5f, -0.f, 0.f, 0.75f, 3.f, 9.f}) {
    // hard_swish (PyTorch): x relu6(x + 3) / 6; hard_sigmoid (ONNX).
    double r6 = std::min(std::max(double(v) + 3, 0.0), 6.0);
    EXPECT_FLOAT_EQ(emath::hardSwish(v), float(v * r6 / 6)) << v;
    double hs = std::min(std::max(0.2 * v + 0.5, 0.0), 1.0);
    EXPECT_FLOAT_EQ(emath::hardSigmoid(v, 0.2f, 0.5f), float(hs)) << v;
    EXPECT_FLOAT_EQ(emath::sigmoid(v), float(1 / (1 + std::exp(-double(v)))));
    EXPECT_EQ(emath::leakyRelu(v, 0.1f), v >= 0 ? v : 0.1f * v);
  }
  EXPECT_EQ(emath::sigmoid(-inf), 0.f);
  EXPECT_EQ(emath::sigmoid(inf), 1.f);
  EXPECT_TRUE(std::isnan(emath::leakyRelu(std::nanf(""), 0.1f)));
  // y = (x - mean) / sqrt(var + eps) * scale + bias, folded per channel.
  float a = emath::batchNormScale(1.5f, 3.f, 1e-5f);
  float b = emath::batchNormShift(0.25f, -2.f, a);
  for (float x : {-4.f, 0.f, 2.5f})
    EXPECT_NEAR(emath::affine(x, a, b),
                (x + 2.0) / std::sqrt(3.0 + 1e-5) * 1.5 + 0.25, 1e-5);
  EXPECT_EQ(emath::centered(255, 128), 127);
  EXPECT_EQ(emath::centered(-128, 127), -255);
  EXPECT_EQ(emath::div(1.f, 0.f), inf);
}

//===-- Integer ops ------------------------------------------------------===//

TEST(CudaInference, QAddBitExact) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(21);
  Shape s{2, 64, 7, 9};
  // ResNet-18's first residual add, a signed mix with ties (scales of
  // powers of two), and a sub-8-bit output range with ReLU.
  struct Case {
    DType a, b;
    qe::QAddParams p;
  };
  std::vector<Case> cases;
  qe::QAddParams resnet;
  resnet.sa = 0.027151138f, resnet.za = 158;
  resnet.sb = 0.0073542786f, resnet.zb = 0;
  resnet.sy = 0.01516545f, resnet.zy = 0;
  cases.push_back({DType::U8, DType::U8, resnet});
  qe::QAddParams ties;
  ties.sa = 0.5f, ties.za = 3, ties.sb = 0.25f, ties.zb = -7;
  ties.sy = 1.f, ties.zy = 5, ties.outputDType = DType::I8;
  cases.push_back({DType::I8, DType::U8, ties});
  cases.push_back({DType::U8, DType::I8, ties});
  qe::QAddParams narrow = ties;
  narrow.relu = true, narrow.qmin = -8, narrow.qmax = 7, narrow.zy = -2;
  cases.push_back({DType::I8, DType::I8, narrow});
  narrow.outputDType = DType::U8, narrow.qmin = 0, narrow.qmax = 15;
  narrow.zy = 3;
  cases.push_back({DType::U8, DType::U8, narrow});
  for (const Case &c : cases) {
    Tensor a = c.a == DType::U8 ? u8(s, rng) : i8(s, rng);
    Tensor b = c.b == DType::U8 ? u8(s, rng) : i8(s, rng);
    Results r = runBoth<qe::QAddParams>(qe::qadd, ce::qadd, c.p, {a, b});
    EXPECT_TRUE(bitEqual(r.cpu, r.gpu));
  }
}

TEST(CudaInference, RequantizeBitExact) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(22);
  Shape s{2, 6, 5, 7};
  qe::RescaleParams p;
  p.inputZeroPoint = 121;
  for (double m : {0.37, 0.81, 1.7, 0.0123, 0.5, 0.25})
    p.options.multipliers.push_back(computeMultiplier(m).value());
  p.options.outputZeroPoint = 9;
  p.options.outputDType = DType::I8;
  Results r = runBoth<qe::RescaleParams>(qe::requantize, ce::requantize, p,
                                         {u8(s, rng)});
  EXPECT_TRUE(bitEqual(r.cpu, r.gpu));
  // Per tensor, ReLU, a residual, u8 output.
  p.options.multipliers = {computeMultiplier(0.625).value()};
  p.options.relu = true;
  p.options.outputDType = DType::U8;
  p.options.residualZeroPoint = -3;
  p.options.residualMultiplier = computeMultiplier(0.4).value();
  p.inputZeroPoint = -5;
  r = runBoth<qe::RescaleParams>(qe::requantize, ce::requantize, p,
                                 {i8(s, rng), i8(s, rng)});
  EXPECT_TRUE(bitEqual(r.cpu, r.gpu));
}

TEST(CudaInference, StorageCastBitExact) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(23);
  qe::StorageCastParams p;
  p.dtype = DType::I8;
  Results r = runBoth<qe::StorageCastParams>(qe::storage_cast, ce::storage_cast,
                                             p, {u8({3, 17}, rng)});
  EXPECT_TRUE(bitEqual(r.cpu, r.gpu));
}

//===-- Float elementwise ------------------------------------------------===//

TEST(CudaInference, BinaryOpsBitExact) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(24);
  Shape s{4, 6, 5, 7};
  for (auto [aShape, bShape] : std::vector<std::pair<Shape, Shape>>{
           {s, s}, {s, {6, 1, 1}}, {{1, 6, 1, 7}, {4, 1, 5, 1}}, {{7}, s}}) {
    Tensor a = quantizerInput(aShape, 3.f, 0.25f, rng);
    Tensor b = quantizerInput(bShape, 3.f, 0.25f, rng);
    for (auto [cpu, gpu] :
         std::vector<std::pair<CpuKernel<qe::NoParams>,
                               CudaKernel<qe::NoParams>>>{
             {qe::add, ce::add},
             {qe::sub, ce::sub},
             {qe::mul, ce::mul},
             {qe::div, ce::div}}) {
      Results r = runBoth<qe::NoParams>(cpu, gpu, {}, {a, b});
      EXPECT_TRUE(sameValues(r.cpu, r.gpu))
          << shapeToString(aShape) << " " << shapeToString(bShape);
    }
  }
}

TEST(CudaInference, PreluAndActivationsBitExact) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(25);
  Shape s{3, 8, 5, 6};
  Tensor x = quantizerInput(s, 8.f, 0.25f, rng);
  for (Shape slope : std::vector<Shape>{{8}, {8, 1, 1}, {1}, {6}}) {
    Results r = runBoth<qe::NoParams>(qe::prelu, ce::prelu, {},
                                      {x, randomUniform(slope, -1, 1, rng)});
    EXPECT_TRUE(sameValues(r.cpu, r.gpu)) << shapeToString(slope);
  }
  Results r = runBoth<qe::NoParams>(qe::hard_swish, ce::hard_swish, {}, {x});
  EXPECT_TRUE(sameValues(r.cpu, r.gpu));
  r = runBoth<qe::HardSigmoidParams>(qe::hard_sigmoid, ce::hard_sigmoid,
                                     {1.f / 6.f, 0.5f}, {x});
  EXPECT_TRUE(sameValues(r.cpu, r.gpu));
  r = runBoth<qe::LeakyReluParams>(qe::leaky_relu, ce::leaky_relu, {0.01f},
                                   {x});
  EXPECT_TRUE(sameValues(r.cpu, r.gpu));
}

TEST(CudaInference, SigmoidAndSoftmaxWithin1e5) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(26);
  Tensor x = randomUniform({3, 10, 4, 5}, -12.f, 12.f, rng);
  Results r = runBoth<qe::NoParams>(qe::sigmoid, ce::sigmoid, {}, {x});
  EXPECT_TRUE(within(r.cpu, r.gpu, relative(r.cpu, 1e-5)));
  for (int64_t axis : {-1, 1, 0}) {
    r = runBoth<qe::AxisParams>(qe::softmax, ce::softmax, {axis}, {x});
    EXPECT_TRUE(within(r.cpu, r.gpu, relative(r.cpu, 1e-5))) << axis;
  }
  Tensor logits = randomUniform({4, 1000}, -20.f, 20.f, rng);
  r = runBoth<qe::AxisParams>(qe::softmax, ce::softmax, {-1}, {logits});
  EXPECT_TRUE(within(r.cpu, r.gpu, relative(r.cpu, 1e-5)));
}

TEST(CudaInference, SiluGeluErfWithin1e5) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(31);
  Tensor x = randomUniform({3, 10, 4, 5}, -8.f, 8.f, rng);
  Results r = runBoth<qe::NoParams>(qe::silu, ce::silu, {}, {x});
  EXPECT_TRUE(within(r.cpu, r.gpu, relative(r.cpu, 1e-5)));
  for (bool tanh : {false, true}) {
    r = runBoth<qe::GeluParams>(qe::gelu, ce::gelu, {tanh}, {x});
    EXPECT_TRUE(within(r.cpu, r.gpu, relative(r.cpu, 1e-5))) << tanh;
  }
  r = runBoth<qe::NoParams>(qe::erf, ce::erf, {}, {x});
  EXPECT_TRUE(within(r.cpu, r.gpu, relative(r.cpu, 1e-5)));
}

// The weight quantizers computed on a host copy (DoReFa, XNOR, AdaRound):
// the CPU kernel's bits.
TEST(CudaInference, WeightFakeQuantOnTheHostIsTheCpus) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(32);
  Tensor w = randomUniform({8, 4, 3, 3}, -1.f, 1.f, rng);
  qe::FakeQuantParams p;
  p.axis = 0;
  for (qe::FakeQuantKind k :
       {qe::FakeQuantKind::DorefaWeight, qe::FakeQuantKind::XnorWeight}) {
    p.kind = k;
    p.bits = 3;
    Results r = runBoth<qe::FakeQuantParams>(qe::fake_quant, ce::fake_quant,
                                             p, {w});
    EXPECT_TRUE(sameValues(r.cpu, r.gpu)) << (int)k;
  }
  p.kind = qe::FakeQuantKind::Adaround;
  p.range = QuantRange::fromBits(4, true);
  Tensor scale = randomUniform({8}, 0.05f, 0.2f, rng);
  Tensor zero = Tensor::zeros({8}, DType::F32);
  Tensor v = randomUniform({8, 4, 3, 3}, -3.f, 3.f, rng);
  for (bool hardened : {true, false}) {
    p.hardened = hardened;
    Results r = runBoth<qe::FakeQuantParams>(
        qe::fake_quant, ce::fake_quant, p, {w, scale, zero, Tensor(), Tensor(), v});
    EXPECT_TRUE(sameValues(r.cpu, r.gpu)) << hardened;
  }
}

TEST(CudaInference, ReduceMeanWithin1e5) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(33);
  Tensor x = randomUniform({3, 6, 5, 7}, -4.f, 4.f, rng);
  for (std::vector<int64_t> axes : std::vector<std::vector<int64_t>>{
           {2, 3}, {1}, {0, 2}, {0, 1, 2, 3}, {3}})
    for (bool keep : {true, false}) {
      Results r = runBoth<qe::ReduceParams>(qe::reduce_mean, ce::reduce_mean,
                                            {axes, keep}, {x});
      EXPECT_TRUE(within(r.cpu, r.gpu, relative(r.cpu, 1e-5)))
          << axes.size() << keep;
    }
}

TEST(CudaInference, BatchNormBitExact) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(27);
  Shape s{3, 7, 6, 5};
  Tensor x = quantizerInput(s, 4.f, 0.25f, rng);
  Results r = runBoth<qe::BatchNormParams>(
      qe::batch_norm, ce::batch_norm, {1e-3f},
      {x, params(7, -2, 2, rng), params(7, -1, 1, rng), params(7, -1, 1, rng),
       params(7, 0.01f, 3, rng)});
  EXPECT_TRUE(sameValues(r.cpu, r.gpu));
}

//===-- Matmul and data movement -----------------------------------------===//

TEST(CudaInference, MatmulWithin1e5) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(28);
  // ResNet-18's classifier, and odd sizes.
  for (auto [m, k, n] : std::vector<std::array<int64_t, 3>>{
           {1, 512, 1000}, {7, 33, 5}, {64, 128, 96}}) {
    Tensor a = randomUniform({m, k}, -1, 1, rng);
    Tensor b = randomUniform({k, n}, -1, 1, rng);
    Results r = runBoth<qe::NoParams>(qe::matmul, ce::matmul, {}, {a, b});
    // The bound of a reordered f32 sum: 1e-5 of Σ_k |a||b|.
    std::vector<double> tol(m * n);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (int64_t q = 0; q < k; ++q)
          sum += std::fabs(a.data<float>()[i * k + q] *
                           (double)b.data<float>()[q * n + j]);
        tol[i * n + j] = 1e-5 * sum;
      }
    EXPECT_TRUE(within(r.cpu, r.gpu, tol)) << m << "x" << k << "x" << n;
  }
}

TEST(CudaInference, ConcatAndTransposeBitExact) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(29);
  for (int64_t axis : {1, -1, 0}) {
    Results r = runBoth<qe::AxisParams>(
        qe::concat, ce::concat, {axis},
        {u8({2, 3, 4}, rng), u8({2, 3, 4}, rng), u8({2, 3, 4}, rng)});
    EXPECT_TRUE(bitEqual(r.cpu, r.gpu)) << axis;
  }
  Results r = runBoth<qe::AxisParams>(
      qe::concat, ce::concat, {1},
      {randomUniform({2, 5, 3}, -1, 1, rng), randomUniform({2, 1, 3}, -1, 1, rng),
       randomUniform({2, 4, 3}, -1, 1, rng)});
  EXPECT_TRUE(bitEqual(r.cpu, r.gpu));
  Tensor x = randomUniform({2, 3, 4, 5}, -1, 1, rng);
  for (std::vector<int64_t> perm : std::vector<std::vector<int64_t>>{
           {0, 2, 3, 1}, {0, 3, 1, 2}, {3, 2, 1, 0}}) {
    r = runBoth<qe::TransposeParams>(qe::transpose, ce::transpose, {perm},
                                     {x});
    EXPECT_TRUE(bitEqual(r.cpu, r.gpu));
  }
  r = runBoth<qe::TransposeParams>(qe::transpose, ce::transpose, {{1, 0}},
                                   {i8({9, 13}, rng)});
  EXPECT_TRUE(bitEqual(r.cpu, r.gpu));
}

//===-- Argument checks (no device needed) -------------------------------===//

TEST(CudaInference, ArgumentErrorsAreTheCpus) {
  float *none = nullptr;
  Status s = cuda::binary(cuda::BinaryOp::Sub, none, {2, 3}, none, {4}, none);
  EXPECT_NE(s.message().find("sub: shapes [2, 3] and [4] do not broadcast"),
            std::string::npos)
      << s.toString();
  s = cuda::prelu(none, {2, 3, 4}, none, {5}, none);
  EXPECT_NE(s.message().find("prelu: slope [5] does not broadcast"),
            std::string::npos)
      << s.toString();
  qe::QAddParams p;
  s = cuda::qadd(none, DType::F32, none, DType::U8, 4, p, none);
  EXPECT_EQ(s.message(), "qadd: operands must be u8 or i8");
  p.outputDType = DType::I32;
  s = cuda::qadd(none, DType::U8, none, DType::U8, 4, p, none);
  EXPECT_EQ(s.message(), "qadd: output must be u8 or i8");
  s = cuda::subtractZeroPoint(none, DType::F32, 4, 0, nullptr);
  EXPECT_EQ(s.message(), "subtractZeroPoint: input must be u8 or i8");
  s = cuda::softmax(none, {2, 3}, 2, none);
  EXPECT_EQ(s.message(), "softmax: axis 2 out of range for rank 2");
  s = cuda::transpose(none, {2, 3}, DType::F32, {0, 0}, none);
  EXPECT_EQ(s.message(), "transpose: perm is not a permutation");
  s = cuda::transpose(none, {2, 3}, DType::F32, {0}, none);
  EXPECT_EQ(s.message(), "transpose: perm has 1 entries for rank 2");
  s = cuda::concat({none, none}, {{2, 3}, {3, 3}}, DType::F32, 1, none);
  EXPECT_EQ(s.message(),
            "concat: input 1 [3, 3] does not match [2, 3] off axis 1");
  Expected<cuda::MatmulPlan> mm = cuda::MatmulPlan::create({2, 3}, {4, 5});
  ASSERT_FALSE(mm.hasValue());
  EXPECT_EQ(mm.status().message(), "matmul: inner dims differ: [2, 3] x [4, 5]");
  mm = cuda::MatmulPlan::create({2, 2, 3}, {3, 5});
  ASSERT_FALSE(mm.hasValue());
  EXPECT_EQ(mm.status().code(), ErrorCode::Unsupported);
}

// Every kernel runtime/cuda/Kernels.def lists (the ones qemit --target cuda
// emits calls to) is defined: taking each one's address makes this test
// fail to link otherwise.
TEST(CudaInference, EveryListedKernelIsDefined) {
  using AnyFn = void (*)();
  std::vector<std::pair<const char *, AnyFn>> listed = {
#define QRT_CUDA_KERNEL(name) {#name, reinterpret_cast<AnyFn>(&ce::name)},
#include "runtime/cuda/Kernels.def"
  };
  EXPECT_GE(listed.size(), 60u);
  for (auto &[name, fn] : listed)
    EXPECT_NE(fn, nullptr) << name;
}

TEST(CudaInference, KernelsDefListsTheInferenceKernels) {
  for (qe::Kernel k :
       {qe::Kernel::qadd, qe::Kernel::requantize, qe::Kernel::storage_cast,
        qe::Kernel::matmul, qe::Kernel::sub, qe::Kernel::mul, qe::Kernel::div,
        qe::Kernel::prelu, qe::Kernel::sigmoid, qe::Kernel::hard_swish,
        qe::Kernel::hard_sigmoid, qe::Kernel::leaky_relu, qe::Kernel::softmax,
        qe::Kernel::batch_norm, qe::Kernel::concat, qe::Kernel::transpose})
    EXPECT_TRUE(ce::onDevice(k)) << qe::kernelName(k);
}
