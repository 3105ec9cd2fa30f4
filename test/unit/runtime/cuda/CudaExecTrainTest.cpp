//===- CudaExecTrainTest.cpp - the device's training kernels vs the CPU's -===//
//
// runtime/cuda/ExecTrain.cpp against runtime/ExecTrain.cpp, step for step:
// the same StepIO and parameters on a qrt::exec::Context (host tensors) and
// a qrt::cuda::exec::Context (device tensors).
//
// Everywhere, without a device: a bad operand fails the device kernel with
// the CPU kernel's error, word for word and prefixed with the step's name
// (the checks run on the host before anything is queued; the device
// operands here are shapes without bytes), and a kernel whose operands are
// fine fails with a Status, not a crash, when there is no device.
//
// On a device: representative kernels on seeded data. Bit for bit where
// TrainKernels.h says so (the quantizers' dx, SGD); within 1e-5 relative
// for the double two-stage sums (batch-norm statistics, LSQ's dscale); the
// cuDNN conv gradients within 1e-4 of the tensor's largest value (another
// summation order; CudaConvTest's bound), and the same bits on a second run
// (deterministic engines, the cached plan).
//
//===----------------------------------------------------------------------===//

#include "CudaPlanTestUtil.h"
#include "runtime/Exec.h"
#include "runtime/cuda/Exec.h"

#include <cmath>

using namespace qrt;
using namespace qrt::test;
namespace qe = qrt::exec;
namespace ce = qrt::cuda::exec;

namespace {

/// |a - b| <= rel * max(|a|, |b|) + abs per element (NaNs must match).
::testing::AssertionResult near(const Tensor &expected, const Tensor &actual,
                                double rel, double abs = 1e-30) {
  if (expected.shape() != actual.shape())
    return ::testing::AssertionFailure()
           << "shape " << shapeToString(actual.shape()) << ", expected "
           << shapeToString(expected.shape());
  const float *a = expected.data<float>(), *b = actual.data<float>();
  for (int64_t i = 0; i < expected.numel(); ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) {
      if (std::isnan(a[i]) != std::isnan(b[i]))
        return ::testing::AssertionFailure() << "NaN differs at " << i;
      continue;
    }
    double d = std::fabs((double)a[i] - b[i]);
    if (d > rel * std::max(std::fabs(a[i]), std::fabs(b[i])) + abs)
      return ::testing::AssertionFailure()
             << "element " << i << ": CPU " << a[i] << ", CUDA " << b[i];
  }
  return ::testing::AssertionSuccess();
}

/// A device tensor of t's shape and dtype without bytes (defined: it has an
/// owner), for the checks that read shapes only.
ce::DeviceTensor shapeOnly(const Tensor &t) {
  ce::DeviceTensor d;
  d.owner = std::make_shared<cuda::CudaBuffer>();
  d.shape = t.shape();
  d.dtype = t.dtype();
  return d;
}

/// One step on both back ends: slots 0..n-1 the operands (an undefined
/// tensor: a slot left undefined), then the results. The device operands
/// are uploaded, or with `upload` false shapes without bytes (no device
/// needed: for the checks, which read shapes only).
struct TwinStep {
  qe::Context cpu;
  ce::Context gpu;
  qe::StepIO io;

  TwinStep(const std::vector<Tensor> &operands, size_t numResults,
           bool upload) {
    size_t n = operands.size() + numResults;
    cpu.resize(n, 1);
    gpu.resize(n, 1);
    io.what = "step7: qnn.test";
    for (size_t i = 0; i < operands.size(); ++i) {
      const Tensor &t = operands[i];
      io.in.push_back((qe::Slot)i);
      if (!t.defined())
        continue;
      cpu[(qe::Slot)i] = t;
      if (!upload) {
        gpu[(qe::Slot)i] = shapeOnly(t);
        continue;
      }
      Expected<ce::DeviceTensor> d = ce::upload(t, gpu.stream());
      EXPECT_TRUE(d.hasValue()) << d.status().toString();
      if (d)
        gpu[(qe::Slot)i] = std::move(*d);
    }
    for (size_t r = 0; r < numResults; ++r)
      io.out.push_back((qe::Slot)(operands.size() + r));
  }

  template <typename P>
  void run(void (*onCpu)(qe::Context &, const qe::StepIO &, const P &),
           void (*onGpu)(ce::Context &, const qe::StepIO &, const P &),
           const P &p) {
    onCpu(cpu, io, p);
    onGpu(gpu, io, p);
  }
  /// Both runs' statuses (each context's first error, cleared).
  std::pair<Status, Status> end() { return {cpu.endRun(), gpu.endRun()}; }

  const Tensor &cpuResult(size_t r) { return cpu[io.out[r]]; }
  Tensor gpuResult(size_t r) {
    Expected<Tensor> h = ce::download(gpu[io.out[r]], gpu.stream());
    EXPECT_TRUE(h.hasValue()) << h.status().toString();
    return h ? std::move(*h) : Tensor();
  }
};

Tensor f32(const Shape &s) { return Tensor::zeros(s, DType::F32); }
Tensor scalar(float v) { return Tensor::fromVector<float>({}, {v}); }

/// The step fails on both back ends with the same error, which names the
/// step; `fragment` is part of it (the case is the one meant).
template <typename P>
void expectSameError(void (*onCpu)(qe::Context &, const qe::StepIO &,
                                   const P &),
                     void (*onGpu)(ce::Context &, const qe::StepIO &,
                                   const P &),
                     const std::vector<Tensor> &operands, size_t numResults,
                     const P &p, const std::string &fragment) {
  SCOPED_TRACE(fragment);
  TwinStep step(operands, numResults, /*upload=*/false);
  step.run(onCpu, onGpu, p);
  auto [cpu, gpu] = step.end();
  ASSERT_FALSE(cpu.isOk()) << "the CPU kernel accepted the operands";
  EXPECT_NE(cpu.message().find(fragment), std::string::npos) << cpu.toString();
  EXPECT_EQ(gpu.code(), cpu.code()) << gpu.toString();
  EXPECT_EQ(gpu.message(), cpu.message());
  EXPECT_EQ(gpu.message().rfind("step7: qnn.test: ", 0), 0u) << gpu.toString();
}

//===-- Without a device --------------------------------------------------===//

TEST(CudaExecTrain, BadOperandsFailAsOnTheCpu) {
  qe::NoParams none;
  expectSameError(qe::relu_grad, ce::relu_grad, {f32({2, 3}), f32({3, 2})}, 1,
                  none, "relu_backward: shapes differ");
  expectSameError(qe::relu_grad, ce::relu_grad,
                  {Tensor::zeros({2, 3}, DType::I32), f32({2, 3})}, 1, none,
                  "relu_backward dy must be f32");
  expectSameError(qe::clip_grad, ce::clip_grad, {f32({4}), f32({5})}, 1,
                  qe::ClipParams{0.f, 6.f}, "clip_backward: shapes differ");
  expectSameError(qe::clip, ce::clip, {f32({4})}, 1, qe::ClipParams{1.f, 0.f},
                  "clip: min must be <= max");
  expectSameError(qe::bias_grad, ce::bias_grad, {f32({7})}, 1, none,
                  "bias_grad needs rank >= 2");
  expectSameError(qe::reduce_to, ce::reduce_to, {f32({2, 3})}, 1,
                  qe::ShapeParams{{4}}, "does not broadcast to");
  expectSameError(qe::reduce_to, ce::reduce_to, {f32({3})}, 1,
                  qe::ShapeParams{{2, 3}}, "has more dimensions");
  expectSameError(qe::slice, ce::slice, {f32({2, 5})}, 1,
                  qe::SliceParams{1, 3, {-1, 4}}, "is outside");
  expectSameError(qe::pad_grad, ce::pad_grad, {f32({2, 5})}, 1,
                  qe::PadGradParams{{0, 1, 0, 2}, {-1, 3}},
                  "is not the padded x");
  expectSameError(qe::pad_grad_add_relu, ce::pad_grad_add_relu,
                  {f32({2, 5}), f32({2, 4}), f32({2, 3})}, 1,
                  qe::PadGradParams{{0, 1, 0, 1}, {-1, 3}},
                  "fused operand [2, 4] is not x's");

  Pool2dParams pool;
  pool.kernelH = pool.kernelW = 2;
  pool.strideH = pool.strideW = 2;
  expectSameError(qe::max_pool_grad, ce::max_pool_grad,
                  {f32({1, 2, 3, 3}), f32({1, 2, 4, 4})}, 1,
                  qe::PoolGradParams{pool, {}},
                  "max_pool_backward: dy must be");
  expectSameError(qe::avg_pool_grad, ce::avg_pool_grad, {f32({1, 2, 3, 3})}, 1,
                  qe::PoolGradParams{pool, {-1, 2, 4, 4}},
                  "avg_pool_backward: dy must be");
  expectSameError(qe::global_avg_pool_grad, ce::global_avg_pool_grad,
                  {f32({2, 3, 1, 1})}, 1, qe::ShapeParams{{-1, 4, 5, 5}},
                  "dy must be [N, C, 1, 1]");

  qe::BatchNormTrainParams bn;
  expectSameError(qe::batch_norm_train, ce::batch_norm_train,
                  {f32({1, 3}), f32({3}), f32({3}), f32({3}), f32({3})}, 5, bn,
                  "need more than one value per channel");
  expectSameError(qe::batch_norm_train, ce::batch_norm_train,
                  {f32({2, 3, 2, 2}), f32({4}), f32({3}), f32({3}), f32({3})},
                  5, bn, "batch_norm gamma must have 3 elements");
  expectSameError(qe::batch_norm_train, ce::batch_norm_train,
                  {f32({2, 3, 2, 2}), f32({3}), f32({3}), Tensor(), f32({3})},
                  5, bn, "batch_norm running mean is undefined");
  expectSameError(
      qe::batch_norm_grad, ce::batch_norm_grad,
      {f32({2, 3, 2, 3}), f32({2, 3, 2, 2}), f32({3}), f32({3}), f32({3})}, 3,
      qrt::exec::BatchNormGradParams{}, "batch_norm_backward: shapes differ");

  expectSameError(qe::softmax_cross_entropy, ce::softmax_cross_entropy,
                  {f32({2, 3}), f32({2})}, 2, none,
                  "labels must be i64 or i32 [2]");
  expectSameError(qe::softmax_cross_entropy, ce::softmax_cross_entropy,
                  {f32({2, 3, 1}), Tensor::zeros({2}, DType::I32)}, 2, none,
                  "logits must be [N, C]");
  expectSameError(qe::mse_loss, ce::mse_loss, {f32({4}), f32({5})}, 2, none,
                  "mse: shapes differ");

  // Conv / linear plans refuse bad shapes before they need a device.
  qe::ConvGradParams conv;
  conv.shape = {-1, 3, 8, 8};
  expectSameError(qe::conv2d_grad_input, ce::conv2d_grad_input,
                  {f32({2, 4, 8, 8}), f32({4, 3, 3})}, 1, conv,
                  "conv2d backward: weight must be 4-D");
  expectSameError(qe::linear_grad_input, ce::linear_grad_input,
                  {f32({2, 4}), f32({4, 5, 1})}, 1, qe::ShapeParams{{-1, 5}},
                  "must be [N, K] and [M, K]");

  qe::FakeQuantGradParams lsq;
  lsq.kind = qe::FakeQuantKind::Lsq;
  lsq.range = QuantRange::fromBits(4, true);
  lsq.gradShapes = {{}};
  expectSameError(qe::fake_quant_grad, ce::fake_quant_grad,
                  {f32({2, 8}), f32({2, 8}), f32({2})}, 2, lsq,
                  "lsq scale must have 1 elements");
  expectSameError(qe::fake_quant_grad, ce::fake_quant_grad,
                  {f32({2, 8}), f32({2, 9}), f32({})}, 2, lsq,
                  "lsq backward: dy shape differs from x");
  lsq.gradShapes = {};
  expectSameError(qe::fake_quant_grad, ce::fake_quant_grad,
                  {f32({2, 8}), f32({2, 8}), f32({})}, 1, lsq,
                  "gives 1 parameter gradient(s), the step has 0");
  qe::FakeQuantGradParams nonUniform;
  nonUniform.kind = qe::FakeQuantKind::NonUniform;
  nonUniform.isSigned = false; // the half-range ramps
  nonUniform.gradShapes = {{17}};
  expectSameError(qe::fake_quant_grad, ce::fake_quant_grad,
                  {f32({2, 8}), f32({2, 8}), Tensor(), Tensor(), f32({17})}, 2,
                  nonUniform, "1..16 ramps");
  nonUniform.isSigned = true; // the ternary form takes exactly two slopes
  expectSameError(qe::fake_quant_grad, ce::fake_quant_grad,
                  {f32({2, 8}), f32({2, 8}), Tensor(), Tensor(), f32({17})}, 2,
                  nonUniform, "with 2 slopes, got 17");

  qe::SgdParams sgd;
  sgd.options.momentum = 0.9f;
  expectSameError(qe::sgd_update, ce::sgd_update,
                  {f32({3}), f32({4}), f32({3}), scalar(0.1f)}, 2, sgd,
                  "sgd: param [3] and grad [4] differ");
  expectSameError(qe::sgd_update, ce::sgd_update,
                  {f32({3}), f32({3}), f32({2}), scalar(0.1f)}, 2, sgd,
                  "sgd momentum buffer: preallocated output is");
  qe::AdamParams adam;
  adam.options.beta1 = 1.f;
  expectSameError(
      qe::adam_update, ce::adam_update,
      {f32({3}), f32({3}), f32({3}), f32({3}), scalar(0.1f), scalar(1.f)}, 3,
      adam, "adam: betas must be in [0, 1)");
}

TEST(CudaExecTrain, UndefinedOperandsAreAStatus) {
  // Operands the plan never bound: an error naming the step, on any machine.
  ce::Context gpu;
  gpu.resize(3, 1);
  qe::StepIO io;
  io.what = "relu3_grad: qnn.relu_grad";
  io.in = {0, 1};
  io.out = {2};
  ce::relu_grad(gpu, io, qe::NoParams{});
  EXPECT_FALSE(gpu.ok());
  // A failed context runs nothing more.
  ce::sgd_update(gpu, io, qe::SgdParams{});
  Status s = gpu.endRun();
  EXPECT_EQ(s.code(), ErrorCode::InvalidArgument) << s.toString();
  EXPECT_EQ(s.message(),
            "relu3_grad: qnn.relu_grad: relu_backward y is undefined");
}

TEST(CudaExecTrain, NoDeviceIsAStatus) {
  if (cuda::deviceCount() > 0)
    GTEST_SKIP() << "a device is present";
  // Good operands: the checks pass and the result's allocation fails.
  TwinStep step({f32({2, 3}), f32({2, 3})}, 1, /*upload=*/false);
  ce::relu_grad(step.gpu, step.io, qe::NoParams{});
  Status s = step.gpu.endRun();
  EXPECT_EQ(s.code(), ErrorCode::Unsupported) << s.toString();
  EXPECT_EQ(s.message().rfind("step7: qnn.test: ", 0), 0u) << s.toString();
}

//===-- On a device -------------------------------------------------------===//

#define ASSERT_BOTH_OK(step)                                                   \
  do {                                                                         \
    auto [cpuStatus, gpuStatus] = (step).end();                                \
    ASSERT_TRUE(cpuStatus.isOk()) << cpuStatus.toString();                     \
    ASSERT_TRUE(gpuStatus.isOk()) << gpuStatus.toString();                     \
  } while (0)

TEST(CudaExecTrain, ConvGradientsMatchTheCpu) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(41);
  qe::ConvGradParams p;
  p.conv.strideH = p.conv.strideW = 2;
  p.conv.padTop = p.conv.padLeft = p.conv.padBottom = p.conv.padRight = 1;
  Tensor x = randomUniform({3, 4, 9, 9}, -1.f, 1.f, rng);
  Tensor w = randomUniform({6, 4, 3, 3}, -0.5f, 0.5f, rng);
  Tensor dy = randomUniform({3, 6, 5, 5}, -1.f, 1.f, rng);

  p.shape = {6, 4, 3, 3};
  TwinStep dw({dy, x}, 1, /*upload=*/true);
  dw.run(qe::conv2d_grad_weight, ce::conv2d_grad_weight, p);
  ASSERT_BOTH_OK(dw);
  Tensor first = dw.gpuResult(0);
  EXPECT_TRUE(closeInMaxNorm(dw.cpuResult(0), first, 1e-4));
  // Again, through the cached plan: the same bits.
  dw.run(qe::conv2d_grad_weight, ce::conv2d_grad_weight, p);
  ASSERT_BOTH_OK(dw);
  EXPECT_TRUE(bitEqual(first, dw.gpuResult(0)));

  // dx's batch completed from dy (-1).
  p.shape = {-1, 4, 9, 9};
  TwinStep dx({dy, w}, 1, /*upload=*/true);
  dx.run(qe::conv2d_grad_input, ce::conv2d_grad_input, p);
  ASSERT_BOTH_OK(dx);
  EXPECT_TRUE(closeInMaxNorm(dx.cpuResult(0), dx.gpuResult(0), 1e-4));
}

TEST(CudaExecTrain, BatchNormTrainMatchesTheCpu) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(42);
  Tensor x = randomUniform({4, 5, 6, 7}, -2.f, 3.f, rng);
  Tensor gamma = randomUniform({5}, 0.5f, 1.5f, rng);
  Tensor beta = randomUniform({5}, -0.5f, 0.5f, rng);
  Tensor mean = randomUniform({5}, -0.1f, 0.1f, rng);
  Tensor var = randomUniform({5}, 0.5f, 2.f, rng);
  TwinStep step({x, gamma, beta, mean, var}, 5, /*upload=*/true);
  step.run(qe::batch_norm_train, ce::batch_norm_train,
           qe::BatchNormTrainParams{0.1f, 1e-5f});
  ASSERT_BOTH_OK(step);
  EXPECT_TRUE(near(step.cpuResult(0), step.gpuResult(0), 1e-5, 1e-6));
  for (size_t r = 1; r < 5; ++r) {
    SCOPED_TRACE(r);
    EXPECT_TRUE(near(step.cpuResult(r), step.gpuResult(r), 1e-5, 1e-7));
  }
}

TEST(CudaExecTrain, LsqGradMatchesTheCpu) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(43);
  Tensor x = quantizerInput({4, 8, 3, 3}, 2.f, 0.25f, rng);
  Tensor dy = randomUniform({4, 8, 3, 3}, -1.f, 1.f, rng);
  qe::FakeQuantGradParams p;
  p.kind = qe::FakeQuantKind::Lsq;
  p.bits = 4;
  p.range = QuantRange::fromBits(4, true);
  // Per channel of axis 1 (scale [8]), and per tensor with a scalar scale
  // (a gradient of shape []).
  for (bool perChannel : {true, false}) {
    SCOPED_TRACE(perChannel ? "per channel" : "per tensor");
    p.axis = perChannel ? 1 : -1;
    Tensor scale =
        perChannel ? randomUniform({8}, 0.05f, 0.3f, rng) : scalar(0.125f);
    p.gradShapes = {scale.shape()};
    TwinStep step({x, dy, scale}, 2, /*upload=*/true);
    step.run(qe::fake_quant_grad, ce::fake_quant_grad, p);
    ASSERT_BOTH_OK(step);
    EXPECT_TRUE(bitEqual(step.cpuResult(0), step.gpuResult(0)));
    EXPECT_TRUE(near(step.cpuResult(1), step.gpuResult(1), 1e-5, 1e-8));
  }
}

TEST(CudaExecTrain, SgdUpdateMatchesTheCpu) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(44);
  Tensor param = randomUniform({3000}, -1.f, 1.f, rng);
  Tensor grad = randomUniform({3000}, -0.1f, 0.1f, rng);
  Tensor buffer = randomUniform({3000}, -0.1f, 0.1f, rng);
  qe::SgdParams p;
  p.options.momentum = 0.9f;
  p.options.weightDecay = 5e-4f;
  p.options.nesterov = true;
  TwinStep step({param, grad, buffer, scalar(0.05f)}, 2, /*upload=*/true);
  step.run(qe::sgd_update, ce::sgd_update, p);
  ASSERT_BOTH_OK(step);
  EXPECT_TRUE(bitEqual(step.cpuResult(0), step.gpuResult(0)));
  EXPECT_TRUE(bitEqual(step.cpuResult(1), step.gpuResult(1)));
  // The operands keep their values (value semantics).
  EXPECT_TRUE(bitEqual(param, step.cpu[0]));
  Expected<Tensor> kept = ce::download(step.gpu[0], step.gpu.stream());
  ASSERT_TRUE(kept.hasValue()) << kept.status().toString();
  EXPECT_TRUE(bitEqual(param, *kept));
}

} // namespace
