//===- CudaTrainTest.cpp - TrainKernels.h against qrt's CPU kernels -------===//
//
// Every kernel of runtime/cuda/TrainKernels.h on seeded random data against
// the CPU kernel it mirrors: bit for bit where docs/codegen.md says so
// (elementwise, data movement, storage, pooling and its gradients, MSE,
// SGD, the quantizers' dx), within a stated relative tolerance for the sums
// the CPU splits by thread or lane (1e-5) and for the device-libm kernels
// (1e-5 for softmax cross-entropy, Adam, DoReFa weights, AdaRound). The
// comparisons skip without a device; the argument checks run everywhere.
//
//===----------------------------------------------------------------------===//

#include "CudaTestUtil.h"
#include "runtime/Elementwise.h"
#include "runtime/IntKernels.h"
#include "runtime/ShapeOps.h"
#include "runtime/TrainOps.h"
#include "runtime/cuda/TrainKernels.h"

#include <cmath>

using namespace qrt;
using namespace qrt::test;
using cuda::CudaBuffer;

namespace {

/// |a - b| <= rel * max(|a|, |b|) + abs per element (NaNs must match).
::testing::AssertionResult near(const Tensor &expected, const Tensor &actual,
                                double rel, double abs = 1e-30) {
  if (expected.shape() != actual.shape())
    return ::testing::AssertionFailure() << "shape differs";
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

CudaBuffer workspace(size_t bytes) {
  Expected<CudaBuffer> b = CudaBuffer::allocate(bytes);
  EXPECT_TRUE(b.hasValue()) << b.status().toString();
  return b ? std::move(*b) : CudaBuffer();
}
CudaBuffer deviceFloats(const Shape &s) {
  return deviceLike(Tensor::empty(s, DType::F32));
}
Tensor hostF32(const CudaBuffer &b, const Shape &s) {
  return toHost(b, s, DType::F32);
}
float hostScalar(const CudaBuffer &b) {
  return hostF32(b, {1}).data<float>()[0];
}
const float *cf(const CudaBuffer &b) { return b.as<const float>(); }
float *f(const CudaBuffer &b) { return b.as<float>(); }

/// Random values with the specials a kernel must pass through as the CPU.
Tensor input(const Shape &s, std::mt19937 &rng, float range = 3.f) {
  return quantizerInput(s, range, 0.25f, rng);
}

} // namespace

//===-- Elementwise and data movement ---------------------------------------===//

TEST(CudaTrain, ElementwiseBitExact) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(11);
  Shape s{4, 6, 5, 7};
  Tensor x = input(s, rng), dy = input(s, rng);
  CudaBuffer dX = toDevice(x), dDy = toDevice(dy), out = deviceLike(x);
  for (auto [aShape, bShape] : std::vector<std::pair<Shape, Shape>>{
           {s, s}, {s, {6, 1, 1}}, {{1, 6, 1, 7}, {4, 1, 5, 1}}, {{7}, s}}) {
    Tensor a = input(aShape, rng), b = input(bShape, rng), expected;
    ASSERT_OK(qrt::add(a, b, expected));
    CudaBuffer da = toDevice(a), db = toDevice(b), dyv = deviceLike(expected);
    ASSERT_OK(cuda::add(cf(da), aShape, cf(db), bShape, f(dyv)));
    EXPECT_TRUE(bitEqual(expected, hostF32(dyv, expected.shape())));
  }
  Tensor expected;
  ASSERT_OK(qrt::clip(x, -1.f, 2.5f, expected));
  ASSERT_OK(cuda::clip(cf(dX), -1.f, 2.5f, x.numel(), f(out)));
  EXPECT_TRUE(bitEqual(expected, hostF32(out, s)));
  ASSERT_OK(reluBackward(x, dy, expected));
  ASSERT_OK(cuda::reluGrad(cf(dX), cf(dDy), x.numel(), f(out)));
  EXPECT_TRUE(bitEqual(expected, hostF32(out, s)));
  ASSERT_OK(clipBackward(x, 0.f, 6.f, dy, expected));
  ASSERT_OK(cuda::clipGrad(cf(dX), cf(dDy), 0.f, 6.f, x.numel(), f(out)));
  EXPECT_TRUE(bitEqual(expected, hostF32(out, s)));
}

TEST(CudaTrain, PadAndItsGradientsBitExact) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(12);
  Shape xs{3, 4, 9, 8};
  Tensor x = input(xs, rng);
  std::vector<int64_t> pads{0, 1, 2, 1, 0, 0, 1, 2};
  Tensor expected;
  ASSERT_OK(padConstant(x, pads, 0.5, expected));
  CudaBuffer dX = toDevice(x), out = deviceLike(expected);
  ASSERT_OK(cuda::pad(dX.data(), xs, DType::F32, pads, 0.5, out.data()));
  EXPECT_TRUE(bitEqual(expected, toHost(out, expected.shape(), DType::F32)));
  Tensor q = randomInt<uint8_t>(xs, 0, 255, rng), expectedQ;
  ASSERT_OK(padConstant(q, pads, 7.0, expectedQ));
  CudaBuffer dQ = toDevice(q), outQ = deviceLike(expectedQ);
  ASSERT_OK(cuda::pad(dQ.data(), xs, DType::U8, pads, 7.0, outQ.data()));
  EXPECT_TRUE(bitEqual(expectedQ, toHost(outQ, expectedQ.shape(), DType::U8)));

  // pad_grad with a crop, alone and fused with the add and the ReLU mask.
  std::vector<int64_t> gpads{0, 1, 2, -1, 0, 0, 1, 2};
  Shape ds{3, 5, 12, 9};
  Tensor dy = input(ds, rng), addend = input(xs, rng), reluY = input(xs, rng);
  CudaBuffer dDy = toDevice(dy), dA = toDevice(addend), dR = toDevice(reluY),
             dx = deviceLike(x);
  for (int variant = 0; variant < 4; ++variant) {
    const Tensor *a = variant & 1 ? &addend : nullptr;
    bool relu = variant & 2;
    Tensor cpu;
    if (relu)
      ASSERT_OK(padBackwardAddReluBackward(xs, gpads, dy, a, reluY, cpu));
    else if (a)
      continue; // the CPU has no add-only form
    else
      ASSERT_OK(padBackward(xs, gpads, dy, cpu));
    ASSERT_OK(cuda::padGrad(cf(dDy), xs, gpads, a ? cf(dA) : nullptr,
                            relu ? cf(dR) : nullptr, f(dx)));
    EXPECT_TRUE(bitEqual(cpu, hostF32(dx, xs))) << "variant " << variant;
  }
  // slice = the exec kernel's pad_grad of (start, rest).
  std::vector<int64_t> spads(8, 0);
  spads[1] = 1;
  spads[5] = 1;
  Tensor sliced;
  ASSERT_OK(padBackward({3, 2, 9, 8}, spads, x, sliced));
  CudaBuffer dS = deviceLike(sliced);
  ASSERT_OK(cuda::slice(cf(dX), xs, 1, 1, 2, f(dS)));
  EXPECT_TRUE(bitEqual(sliced, hostF32(dS, sliced.shape())));
}

TEST(CudaTrain, QuantizeDequantizeBitExact) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(13);
  Shape xs{4, 6, 5, 5};
  Tensor x = randomUniform(xs, -40.f, 40.f, rng);
  for (int64_t i = 0; i < x.numel(); i += 7)
    x.data<float>()[i] = 0.125f * (float)(i % 300 - 150); // ties
  for (DType dt : {DType::I8, DType::U8})
    for (Granularity g : {Granularity::perTensor(), Granularity{1, 6}}) {
      Tensor s = params(g.numGroups, 0.05f, 0.5f, rng);
      Tensor z = Tensor::zeros({g.numGroups}, DType::F32);
      z.data<float>()[0] = dt == DType::U8 ? 128.f : 3.f;
      QuantRange r = QuantRange::fromBits(8, dt == DType::I8, true);
      Tensor q;
      ASSERT_OK(qrt::quantize(x, s, z, g, dt, r, q));
      Expected<cuda::GroupShape> gs = cuda::groupShapeOf(xs, g);
      ASSERT_TRUE(gs.hasValue());
      CudaBuffer dX = toDevice(x), dS = toDevice(s), dZ = toDevice(z),
                 dQ = deviceLike(q);
      ASSERT_OK(cuda::quantize(cf(dX), cf(dS), cf(dZ), r, *gs, dt, dQ.data()));
      EXPECT_TRUE(bitEqual(q, toHost(dQ, xs, dt)));
      Tensor back;
      ASSERT_OK(qrt::dequantize(q, s, z, g, back));
      CudaBuffer dB = deviceLike(back);
      ASSERT_OK(cuda::dequantize(dQ.data(), dt, cf(dS), cf(dZ), *gs, f(dB)));
      EXPECT_TRUE(bitEqual(back, hostF32(dB, xs)));
    }
}

//===-- Pooling -------------------------------------------------------------===//

TEST(CudaTrain, PoolingAndGradientsBitExact) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(14);
  Shape xs{3, 5, 13, 11};
  Tensor x = randomUniform(xs, -3.f, 3.f, rng);
  for (int64_t i = 0; i < x.numel(); i += 5) // ties inside windows
    x.data<float>()[i] = 1.f;
  Pool2dParams ps[4];
  ps[0].kernelH = ps[0].kernelW = 3;
  ps[0].strideH = ps[0].strideW = 2;
  ps[0].padTop = ps[0].padLeft = ps[0].padBottom = ps[0].padRight = 1;
  ps[1] = ps[0];
  ps[1].ceilMode = true;
  ps[1].countIncludePad = true;
  ps[2].kernelH = 2;
  ps[2].kernelW = 3;
  ps[2].strideW = 2;
  ps[2].padBottom = 1;
  ps[3] = ps[0];
  ps[3].dilationH = 2;
  CudaBuffer dX = toDevice(x), dx = deviceLike(x);
  for (int i = 0; i < 4; ++i) {
    Tensor y, dxCpu;
    ASSERT_OK(maxPool2d(x, ps[i], y));
    CudaBuffer dY = deviceLike(y);
    ASSERT_OK(cuda::maxPool2d(cf(dX), xs, ps[i], f(dY)));
    EXPECT_TRUE(bitEqual(y, hostF32(dY, y.shape()))) << "max " << i;
    Tensor dy = randomUniform(y.shape(), -1.f, 1.f, rng);
    CudaBuffer dDy = toDevice(dy);
    ASSERT_OK(maxPool2dBackward(x, ps[i], dy, dxCpu));
    ASSERT_OK(cuda::maxPool2dGrad(cf(dX), xs, ps[i], cf(dDy), f(dx)));
    EXPECT_TRUE(bitEqual(dxCpu, hostF32(dx, xs))) << "max grad " << i;
    if (i == 3)
      continue; // average pooling has no dilation
    ASSERT_OK(avgPool2d(x, ps[i], y));
    ASSERT_OK(cuda::avgPool2d(cf(dX), xs, ps[i], f(dY)));
    EXPECT_TRUE(bitEqual(y, hostF32(dY, y.shape()))) << "avg " << i;
    ASSERT_OK(avgPool2dBackward(xs, ps[i], dy, dxCpu));
    ASSERT_OK(cuda::avgPool2dGrad(xs, ps[i], cf(dDy), f(dx)));
    EXPECT_TRUE(bitEqual(dxCpu, hostF32(dx, xs))) << "avg grad " << i;
  }
  Tensor g, gdx;
  ASSERT_OK(globalAvgPool(x, g));
  CudaBuffer dG = deviceLike(g);
  ASSERT_OK(cuda::globalAvgPool(cf(dX), xs, f(dG)));
  EXPECT_TRUE(bitEqual(g, hostF32(dG, g.shape())));
  ASSERT_OK(globalAvgPoolBackward(xs, g, gdx));
  ASSERT_OK(cuda::globalAvgPoolGrad(cf(dG), xs, f(dx)));
  EXPECT_TRUE(bitEqual(gdx, hostF32(dx, xs)));

  for (bool cl : {false, true})
    for (DType dt : {DType::U8, DType::I8}) {
      Shape stored = cl ? Shape{3, 13, 11, 5} : xs;
      Tensor q = dt == DType::U8 ? randomInt<uint8_t>(stored, 0, 255, rng)
                                 : randomInt<int8_t>(stored, -128, 127, rng);
      Tensor y;
      ASSERT_OK(maxPool2dInt8(q, ps[0], cl, y));
      CudaBuffer dQ = toDevice(q), dY = deviceLike(y);
      ASSERT_OK(cuda::maxPool2dInt8(dQ.data(), stored, dt, ps[0], cl,
                                    dY.data()));
      EXPECT_TRUE(bitEqual(y, toHost(dY, y.shape(), dt)));
    }
}

//===-- Sums -----------------------------------------------------------------===//

TEST(CudaTrain, ReduceToAndBiasGradWithinTolerance) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(15);
  Shape xs{16, 8, 12, 10};
  Tensor x = randomUniform(xs, -1.f, 1.f, rng);
  CudaBuffer dX = toDevice(x);
  for (Shape out : std::vector<Shape>{
           {8, 1, 1}, {1, 8, 12, 1}, {12, 10}, {1}, {16, 1, 1, 10}}) {
    Tensor cpu;
    ASSERT_OK(reduceSumToShape(x, out, cpu));
    size_t bytes = cuda::reduceToWorkspaceBytes(xs, out);
    CudaBuffer w = workspace(bytes), dY = deviceLike(cpu);
    ASSERT_OK(cuda::reduceTo(cf(dX), xs, out, f(dY), w.data(), bytes));
    EXPECT_TRUE(near(cpu, hostF32(dY, out), 1e-5, 1e-6))
        << shapeToString(out);
  }
  Tensor keep;
  ASSERT_OK(reduceSumToShape(x, {8, 1, 1}, keep));
  size_t bytes = cuda::biasGradWorkspaceBytes(xs);
  CudaBuffer w = workspace(bytes), db = deviceFloats({8});
  ASSERT_OK(cuda::biasGrad(cf(dX), xs, f(db), w.data(), bytes));
  Expected<Tensor> flat = keep.reshape({8});
  ASSERT_TRUE(flat.hasValue());
  EXPECT_TRUE(near(*flat, hostF32(db, {8}), 1e-5, 1e-6));
}

TEST(CudaTrain, BatchNormTrainingWithinTolerance) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(16);
  Shape xs{8, 5, 7, 9};
  Tensor x = randomUniform(xs, -2.f, 3.f, rng), gamma = params(5, 0.5f, 2.f, rng),
         beta = params(5, -1.f, 1.f, rng), rm = params(5, -1.f, 1.f, rng),
         rv = params(5, 0.5f, 2.f, rng);
  Tensor rmCpu = rm.clone(), rvCpu = rv.clone(), y, mean, invstd;
  ASSERT_OK(batchNormTrainForward(x, gamma, beta, rmCpu, rvCpu, 0.1f, 1e-5f, y,
                                  mean, invstd));
  CudaBuffer dX = toDevice(x), dG = toDevice(gamma), dB = toDevice(beta),
             dRm = toDevice(rm), dRv = toDevice(rv), dY = deviceLike(x),
             dMean = deviceFloats({5}), dInv = deviceFloats({5});
  size_t bytes = cuda::batchNormTrainWorkspaceBytes(xs);
  CudaBuffer w = workspace(bytes);
  ASSERT_OK(cuda::batchNormTrain(cf(dX), xs, cf(dG), cf(dB), cf(dRm), cf(dRv),
                                 0.1f, 1e-5f, f(dY), f(dMean), f(dInv),
                                 f(dRm), f(dRv), w.data(), bytes));
  EXPECT_TRUE(near(y, hostF32(dY, xs), 1e-5, 1e-6));
  EXPECT_TRUE(near(mean, hostF32(dMean, {5}), 1e-5, 1e-7));
  EXPECT_TRUE(near(invstd, hostF32(dInv, {5}), 1e-5));
  EXPECT_TRUE(near(rmCpu, hostF32(dRm, {5}), 1e-5, 1e-7));
  EXPECT_TRUE(near(rvCpu, hostF32(dRv, {5}), 1e-5));

  Tensor dy = randomUniform(xs, -1.f, 1.f, rng), dx, dg, dbeta;
  ASSERT_OK(batchNormTrainBackward(x, gamma, mean, invstd, dy, dx, dg, dbeta));
  CudaBuffer dDy = toDevice(dy), dMeanCpu = toDevice(mean),
             dInvCpu = toDevice(invstd), dDx = deviceLike(x),
             dDg = deviceFloats({5}), dDb = deviceFloats({5});
  size_t gbytes = cuda::batchNormGradWorkspaceBytes(xs);
  CudaBuffer gw = workspace(gbytes);
  ASSERT_OK(cuda::batchNormGrad(cf(dX), xs, cf(dG), cf(dMeanCpu), cf(dInvCpu),
                                cf(dDy), f(dDx), f(dDg), f(dDb), gw.data(),
                                gbytes));
  EXPECT_TRUE(near(dx, hostF32(dDx, xs), 1e-5, 1e-6));
  EXPECT_TRUE(near(dg, hostF32(dDg, {5}), 1e-5, 1e-6));
  EXPECT_TRUE(near(dbeta, hostF32(dDb, {5}), 1e-5, 1e-6));
}

TEST(CudaTrain, Losses) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(17);
  Tensor logits = randomUniform({32, 10}, -6.f, 6.f, rng);
  Tensor labels = randomInt<int64_t>({32}, 0, 9, rng);
  float loss = 0.f;
  Tensor grad;
  ASSERT_OK(softmaxCrossEntropy(logits, labels, loss, grad));
  CudaBuffer dL = toDevice(logits), dLab = toDevice(labels),
             dLoss = deviceFloats({1}), dG = deviceLike(grad);
  size_t bytes = cuda::softmaxCrossEntropyWorkspaceBytes(32);
  CudaBuffer w = workspace(bytes);
  ASSERT_OK(cuda::softmaxCrossEntropy(cf(dL), 32, 10, dLab.data(), DType::I64,
                                      f(dLoss), f(dG), w.data(), bytes));
  EXPECT_NEAR(loss, hostScalar(dLoss), 1e-5 * std::fabs(loss));
  EXPECT_TRUE(near(grad, hostF32(dG, {32, 10}), 1e-5, 1e-8));

  Tensor p = randomUniform({50000}, -2.f, 2.f, rng),
         t = randomUniform({50000}, -2.f, 2.f, rng), dp;
  ASSERT_OK(mseLoss(p, t, loss, dp));
  CudaBuffer dP = toDevice(p), dT = toDevice(t), dDp = deviceLike(p);
  size_t mbytes = cuda::mseLossWorkspaceBytes(50000);
  CudaBuffer mw = workspace(mbytes);
  ASSERT_OK(cuda::mseLoss(cf(dP), cf(dT), 50000, f(dLoss), f(dDp), mw.data(),
                          mbytes));
  EXPECT_EQ(loss, hostScalar(dLoss)); // the CPU's chunks and order
  EXPECT_TRUE(bitEqual(dp, hostF32(dDp, {50000})));
}

//===-- Optimizers -------------------------------------------------------------===//

TEST(CudaTrain, SgdBitExactAdamWithinTolerance) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(18);
  int64_t n = 3000;
  Tensor lr = Tensor::fromVector<float>({1}, {0.05f});
  CudaBuffer dLr = toDevice(lr);
  for (int v = 0; v < 4; ++v) {
    SgdOptions o;
    o.weightDecay = v ? 5e-4f : 0.f;
    o.momentum = v == 0 ? 0.f : 0.9f;
    o.dampening = v == 1 ? 0.1f : 0.f;
    o.nesterov = v == 3;
    Tensor p = randomUniform({n}, -1.f, 1.f, rng),
           g = randomUniform({n}, -1.f, 1.f, rng);
    CudaBuffer dP = toDevice(p), dG = toDevice(g), dBuf = deviceLike(p);
    SgdState st;
    SgdOptions cpu = o;
    cpu.lr = 0.05f;
    for (int step = 0; step < 3; ++step) {
      ASSERT_OK(sgdStep(p, g, st, cpu));
      ASSERT_OK(cuda::sgdUpdate(cf(dP), cf(dG), cf(dBuf), cf(dLr), n, o,
                                step == 0, f(dP), f(dBuf)));
    }
    EXPECT_TRUE(bitEqual(p, hostF32(dP, {n}))) << "sgd variant " << v;
    if (st.momentumBuffer.defined())
      EXPECT_TRUE(bitEqual(st.momentumBuffer, hostF32(dBuf, {n})));
  }
  for (bool ams : {false, true}) {
    AdamOptions o;
    o.lr = 1e-3f;
    o.weightDecay = 1e-4f;
    o.amsgrad = ams;
    Tensor p = randomUniform({n}, -1.f, 1.f, rng),
           g = randomUniform({n}, -1.f, 1.f, rng);
    CudaBuffer dP = toDevice(p), dG = toDevice(g),
               dM = toDevice(Tensor::zeros({n}, DType::F32)),
               dV = toDevice(Tensor::zeros({n}, DType::F32)),
               dAdamLr = toDevice(Tensor::fromVector<float>({1}, {1e-3f}));
    Tensor pc = p.clone(), m = Tensor::zeros({n}, DType::F32),
           vv = Tensor::zeros({n}, DType::F32);
    for (int step = 1; step <= 4; ++step) {
      // As exec::adam_update runs it: no max buffer, 1-based step operand.
      AdamState st;
      st.expAvg = m;
      st.expAvgSq = vv;
      st.step = step - 1;
      ASSERT_OK(adamStep(pc, g, st, o));
      CudaBuffer dStep = toDevice(Tensor::fromVector<float>({1}, {(float)step}));
      ASSERT_OK(cuda::adamUpdate(cf(dP), cf(dG), cf(dM), cf(dV), nullptr,
                                 cf(dAdamLr), cf(dStep), n, o, f(dP), f(dM),
                                 f(dV)));
    }
    EXPECT_TRUE(near(pc, hostF32(dP, {n}), 1e-6)) << "amsgrad " << ams;
    EXPECT_TRUE(bitEqual(m, hostF32(dM, {n})));
    EXPECT_TRUE(bitEqual(vv, hostF32(dV, {n})));
  }
}

//===-- Fake-quant backward ------------------------------------------------------===//

namespace {

struct GradCase {
  Shape shape;
  Granularity g;
};
const GradCase kGradCases[] = {
    {{4, 6, 5, 5}, Granularity::perTensor()},
    {{8, 6, 3, 3}, Granularity{0, 8}},
    {{4, 6, 5, 5}, Granularity{1, 3}},
};

} // namespace

TEST(CudaTrain, FakeQuantGradients) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(19);
  for (const GradCase &c : kGradCases) {
    SCOPED_TRACE(shapeToString(c.shape));
    Tensor x = input(c.shape, rng, 4.f), dy = randomUniform(c.shape, -1, 1, rng);
    Expected<cuda::GroupShape> gs = cuda::groupShapeOf(c.shape, c.g);
    ASSERT_TRUE(gs.hasValue());
    int64_t G = c.g.numGroups;
    Tensor s = params(G, 0.05f, 0.3f, rng), beta = params(G, -0.2f, 0.2f, rng),
           z = Tensor::zeros({G}, DType::F32), alpha = params(G, 1.f, 3.f, rng);
    CudaBuffer dX = toDevice(x), dDy = toDevice(dy), dS = toDevice(s),
               dBeta = toDevice(beta), dZ = toDevice(z),
               dAlpha = toDevice(alpha), dDx = deviceLike(x),
               dP0 = deviceFloats({G}), dP1 = deviceFloats({G});
    size_t bytes = std::max({cuda::paramGradWorkspaceBytes(*gs, 2),
                             cuda::dorefaWeightGradWorkspaceBytes(*gs),
                             cuda::xnorWeightGradWorkspaceBytes(*gs),
                             cuda::lqnetWorkspaceBytes(G, 3)});
    CudaBuffer w = workspace(bytes);
    QuantRange r = QuantRange::fromBits(4, true);
    Tensor dx, d0, d1;

    ASSERT_OK(fakeQuantAffineBackward(x, s, z, r, c.g, dy, dx));
    ASSERT_OK(cuda::fakeQuantAffineGrad(cf(dX), cf(dS), cf(dZ), r, *gs,
                                        cf(dDy), f(dDx)));
    EXPECT_TRUE(bitEqual(dx, hostF32(dDx, c.shape))) << "affine";

    ASSERT_OK(lsqBackward(x, s, 8.f, 7.f, c.g, 0.01f, dy, dx, d0));
    ASSERT_OK(cuda::lsqGrad(cf(dX), cf(dS), 8.f, 7.f, *gs, 0.01f, cf(dDy),
                            f(dDx), f(dP0), w.data(), bytes));
    EXPECT_TRUE(bitEqual(dx, hostF32(dDx, c.shape))) << "lsq dx";
    EXPECT_TRUE(near(d0, hostF32(dP0, {G}), 1e-5, 1e-7)) << "lsq ds";

    ASSERT_OK(lsqPlusBackward(x, s, beta, 8.f, 7.f, c.g, 0.01f, dy, dx, d0,
                              d1));
    ASSERT_OK(cuda::lsqPlusGrad(cf(dX), cf(dS), cf(dBeta), 8.f, 7.f, *gs,
                                0.01f, cf(dDy), f(dDx), f(dP0), f(dP1),
                                w.data(), bytes));
    EXPECT_TRUE(bitEqual(dx, hostF32(dDx, c.shape))) << "lsq+ dx";
    EXPECT_TRUE(near(d0, hostF32(dP0, {G}), 1e-5, 1e-7)) << "lsq+ ds";
    EXPECT_TRUE(near(d1, hostF32(dP1, {G}), 1e-5, 1e-7)) << "lsq+ dbeta";

    ASSERT_OK(pactBackward(x, alpha, c.g, dy, dx, d0));
    ASSERT_OK(cuda::pactGrad(cf(dX), cf(dAlpha), *gs, cf(dDy), f(dDx), f(dP0),
                             w.data(), bytes));
    EXPECT_TRUE(bitEqual(dx, hostF32(dDx, c.shape))) << "pact dx";
    EXPECT_TRUE(near(d0, hostF32(dP0, {G}), 1e-5, 1e-6)) << "pact dalpha";

    for (GradType t : {GradType::Ste, GradType::ClippedSte, GradType::Triangle}) {
      ASSERT_OK(xnorWeightBackward(x, c.g, t, true, dy, dx));
      ASSERT_OK(cuda::xnorWeightGrad(cf(dX), *gs, t, true, cf(dDy), f(dDx),
                                     w.data(), bytes));
      EXPECT_TRUE(near(dx, hostF32(dDx, c.shape), 1e-5)) << "xnor";
      ASSERT_OK(xnorWeightScaledBackward(x, s, c.g, t, dy, dx, d0));
      ASSERT_OK(cuda::xnorWeightScaledGrad(cf(dX), cf(dS), *gs, t, cf(dDy),
                                           f(dDx), f(dP0), w.data(), bytes));
      EXPECT_TRUE(bitEqual(dx, hostF32(dDx, c.shape))) << "xnor++ dx";
      EXPECT_TRUE(near(d0, hostF32(dP0, {G}), 1e-5, 1e-6)) << "xnor++ ds";
    }

    Tensor xw = randomUniform(c.shape, -1.5f, 1.5f, rng);
    CudaBuffer dXw = toDevice(xw);
    for (bool constMax : {false, true}) {
      ASSERT_OK(dorefaWeightBackward(xw, 3, c.g, constMax, dy, dx));
      ASSERT_OK(cuda::dorefaWeightGrad(cf(dXw), 3, *gs, constMax, cf(dDy),
                                       f(dDx), w.data(), bytes));
      EXPECT_TRUE(near(dx, hostF32(dDx, c.shape), 1e-5, 1e-6)) << "dorefa w";
    }

    Tensor basis = Tensor::empty({G, 3}, DType::F32);
    for (int64_t k = 0; k < G; ++k)
      for (int j = 0; j < 3; ++j)
        basis.data<float>()[k * 3 + j] = 0.3f * float(1 << j) * (1 + 0.1f * k);
    CudaBuffer dBasis = toDevice(basis);
    ASSERT_OK(lqnetActivationBackward(x, basis, false, c.g, dy, dx));
    ASSERT_OK(cuda::lqnetActivationGrad(cf(dX), cf(dBasis), 3, false, *gs,
                                        cf(dDy), f(dDx), w.data(), bytes));
    EXPECT_TRUE(bitEqual(dx, hostF32(dDx, c.shape))) << "lq-nets act";

    Tensor v = randomUniform(c.shape, -3.f, 3.f, rng);
    CudaBuffer dV = toDevice(v);
    ASSERT_OK(adaroundBackward(x, s, z, v, r, c.g, dy, dx));
    ASSERT_OK(cuda::adaroundGrad(cf(dX), cf(dS), cf(dZ), cf(dV), r, *gs,
                                 cf(dDy), f(dDx)));
    EXPECT_TRUE(near(dx, hostF32(dDx, c.shape), 1e-5, 1e-7)) << "adaround";
  }
}

TEST(CudaTrain, PerTensorQuantizerGradientsBitExact) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(20);
  Shape xs{4, 8, 6, 6};
  int64_t n = numElements(xs);
  Tensor x = input(xs, rng, 2.f), dy = randomUniform(xs, -1, 1, rng), dx;
  CudaBuffer dX = toDevice(x), dDy = toDevice(dy), dDx = deviceLike(x);
  ASSERT_OK(dorefaActivationBackward(x, 1.5f, dy, dx));
  ASSERT_OK(cuda::dorefaActivationGrad(cf(dX), 1.5f, n, cf(dDy), f(dDx)));
  EXPECT_TRUE(bitEqual(dx, hostF32(dDx, xs)));
  for (GradType t : {GradType::Ste, GradType::ClippedSte, GradType::Triangle}) {
    ASSERT_OK(signActivationBackward(x, t, dy, dx));
    ASSERT_OK(cuda::signActivationGrad(cf(dX), t, n, cf(dDy), f(dDx)));
    EXPECT_TRUE(bitEqual(dx, hostF32(dDx, xs)));
  }
  ASSERT_OK(lqnetBackward(dy, dx));
  ASSERT_OK(cuda::lqnetGrad(cf(dDy), n, f(dDx)));
  EXPECT_TRUE(bitEqual(dx, hostF32(dDx, xs)));
  Tensor alpha = Tensor::fromVector<float>({3}, {3.f, 2.f, 4.f}), dalpha;
  ASSERT_OK(nonUniformBackward(x, alpha, dy, dx, dalpha));
  size_t bytes = cuda::paramGradWorkspaceBytes(cuda::GroupShape::perTensor(n), 1);
  CudaBuffer w = workspace(bytes), dA = toDevice(alpha), dDa = deviceFloats({3});
  ASSERT_OK(cuda::nonUniformGrad(cf(dX), cf(dA), 3, n, cf(dDy), f(dDx),
                                 f(dDa), w.data(), bytes));
  EXPECT_TRUE(bitEqual(dx, hostF32(dDx, xs)));
  EXPECT_TRUE(near(dalpha, hostF32(dDa, {3}), 1e-5, 1e-6));
}

/// An argument error, found before any launch (a launch without a device
/// would be Unsupported).
#define EXPECT_INVALID(expr)                                                   \
  EXPECT_EQ((expr).code(), ErrorCode::InvalidArgument)

//===-- Argument checks (no device needed) ----------------------------------------===//

TEST(CudaTrainArgs, ShapesAndWorkspacesAreChecked) {
  float *fake = reinterpret_cast<float *>(uintptr_t(256));
  EXPECT_INVALID(cuda::reduceTo(fake, {4, 3}, {5}, fake, fake, 1 << 20));
  EXPECT_EQ(cuda::reduceToWorkspaceBytes({4, 3}, {5}), 0u);
  EXPECT_GT(cuda::reduceToWorkspaceBytes({4, 3, 8}, {3, 1}), 0u);
  Status small = cuda::reduceTo(fake, {64, 3, 8}, {3, 1}, fake, fake, 1);
  EXPECT_INVALID(small);
  EXPECT_NE(small.message().find("workspace"), std::string::npos);
  EXPECT_EQ(cuda::pad(fake, {2, 2}, DType::F32, {0, -1, 0, 0}, 0.0, fake)
                .code(),
            ErrorCode::Unsupported);
  EXPECT_INVALID(cuda::pad(fake, {2, 2}, DType::F32, {0, 1}, 0.0, fake));
  EXPECT_INVALID(cuda::batchNormTrain(fake, {1, 3}, nullptr, nullptr, nullptr,
                                    nullptr, 0.1f, 1e-5f, fake, fake, fake,
                                    nullptr, nullptr, fake, 1 << 20)
                   ); // one value per channel
  SgdOptions bad;
  bad.nesterov = true;
  EXPECT_INVALID(cuda::sgdUpdate(fake, fake, fake, fake, 4, bad, false, fake,
                               fake)
                   );
  EXPECT_INVALID(cuda::clip(fake, 2.f, 1.f, 4, fake));
  EXPECT_INVALID(cuda::add(fake, {2, 3}, fake, {4}, fake));
  EXPECT_INVALID(cuda::slice(fake, {4, 5}, 1, 3, 3, fake));
  EXPECT_INVALID(cuda::quantize(fake, fake, fake, QuantRange{-200.f, 0.f},
                              cuda::GroupShape::perTensor(4), DType::I8, fake)
                   );
  EXPECT_INVALID(cuda::softmaxCrossEntropy(fake, 2, 3, fake, DType::F32, fake,
                                         fake, fake, 1 << 10)
                   );
  EXPECT_INVALID(cuda::nonUniformGrad(fake, fake, 17, 4, fake, fake, fake, fake,
                                    1 << 20)
                   );
  cuda::GroupShape g = cuda::GroupShape::perTensor(64);
  EXPECT_INVALID(cuda::lsqGrad(fake, fake, 8.f, 7.f, g, 1.f, fake, fake, fake,
                             fake, 0)
                   );
  EXPECT_INVALID(cuda::maxPool2dInt8(fake, {1, 2, 4, 4}, DType::F32,
                                   Pool2dParams{}, false, fake)
                   );
}
