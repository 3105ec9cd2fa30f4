//===- QuantTorchTest.cpp - fake-quant forward and grads vs LibTorch ------===//
//
// Oracles: torch.fake_quantize_per_{tensor,channel}_affine, and each
// quantizer written in ATen ops with autograd for the gradients (STE via
// `(round(v) - v).detach() + v`, LSQ's grad scale via
// `(s - s*g).detach() + s*g`). Forward values must match exactly except
// where x/s lies within 1e-4 of a rounding tie (torch multiplies by 1/s, we
// divide by s). Gradients: 1e-5 relative per element, 1e-4 on the reduced
// scale/alpha gradients (sums of ~1000 terms in different orders).
//
//===----------------------------------------------------------------------===//

#include "TorchUtil.h"
#include "runtime/FakeQuant.h"
#include "runtime/QuantMath.h"

using namespace qrt;
using namespace qrt::test;
namespace qm = qrt::qmath;

namespace {

at::Tensor roundSte(const at::Tensor &v) {
  return (v.round() - v).detach() + v;
}

/// Fraction of elements that differ, excluding near-ties of v = x/s.
void expectEqualAwayFromTies(const Tensor &ours, const at::Tensor &ref,
                             const at::Tensor &v) {
  at::Tensor frac = (v - v.floor() - 0.5).abs();
  at::Tensor nearTie = frac < 1e-4;
  at::Tensor diff = (toTorch(ours) - ref).abs() > 1e-6 * (ref.abs() + 1);
  EXPECT_EQ((diff & ~nearTie).sum().item<int64_t>(), 0);
}

TEST(FakeQuantAffine, PerTensorMatchesTorch) {
  torch::manual_seed(1);
  at::Tensor x = torch::randn({4, 8, 5, 5}) * 3;
  for (float scale : {0.0625f, 0.037f}) { // power of two: exact in both
    for (int zp : {0, 10, -5}) {
      at::Tensor ref =
          at::fake_quantize_per_tensor_affine(x, scale, zp, -128, 127);
      Tensor y;
      ASSERT_OK(fakeQuantAffine(
          fromTorch(x), Tensor::fromVector<float>({1}, {scale}),
          Tensor::fromVector<float>({1}, {float(zp)}),
          QuantRange::fromBits(8, true), Granularity::perTensor(), y));
      if (scale == 0.0625f)
        EXPECT_TRUE(toTorch(y).equal(ref));
      else
        expectEqualAwayFromTies(y, ref, x / scale);
    }
  }
  // Unsigned 4-bit.
  at::Tensor ref = at::fake_quantize_per_tensor_affine(x, 0.25, 3, 0, 15);
  Tensor y;
  ASSERT_OK(fakeQuantAffine(
      fromTorch(x), Tensor::fromVector<float>({1}, {0.25f}),
      Tensor::fromVector<float>({1}, {3.f}), QuantRange::fromBits(4, false),
      Granularity::perTensor(), y));
  EXPECT_TRUE(toTorch(y).equal(ref));
}

TEST(FakeQuantAffine, PerChannelAndGroupsMatchTorch) {
  torch::manual_seed(2);
  at::Tensor x = torch::randn({6, 4, 3, 3});
  for (int64_t axis : {0, 1}) {
    int64_t c = x.size(axis);
    at::Tensor s = torch::rand({c}) * 0.1 + 0.01;
    at::Tensor z = torch::randint(-3, 4, {c}, at::kInt);
    at::Tensor ref =
        at::fake_quantize_per_channel_affine(x, s, z, axis, -128, 127);
    Tensor y;
    ASSERT_OK(fakeQuantAffine(
        fromTorch(x), fromTorch(s), fromTorch(z.to(at::kFloat)),
        QuantRange::fromBits(8, true), Granularity::perChannel(axis, c), y));
    expectEqualAwayFromTies(y, ref,
                            x / s.view(axis == 0
                                           ? std::vector<int64_t>{c, 1, 1, 1}
                                           : std::vector<int64_t>{1, c, 1, 1}));
  }
  // 3 groups of 2 output channels == per-channel with repeated params.
  at::Tensor sg = torch::tensor({0.05f, 0.125f, 0.25f});
  at::Tensor zg = torch::zeros({3}, at::kInt);
  at::Tensor ref = at::fake_quantize_per_channel_affine(
      x, sg.repeat_interleave(2), zg.repeat_interleave(2), 0, -8, 7);
  Tensor y;
  ASSERT_OK(
      fakeQuantAffine(fromTorch(x), fromTorch(sg), fromTorch(zg.to(at::kFloat)),
                      QuantRange::fromBits(4, true), Granularity{0, 3}, y));
  expectEqualAwayFromTies(y, ref,
                          x / sg.repeat_interleave(2).view({6, 1, 1, 1}));
  Tensor bad;
  EXPECT_FALSE(fakeQuantAffine(fromTorch(x), fromTorch(torch::ones({4})),
                               fromTorch(torch::zeros({4})),
                               QuantRange::fromBits(8, true), Granularity{0, 4},
                               bad)
                   .isOk());
}

TEST(Lsq, ForwardAndGradsMatchAutograd) {
  torch::manual_seed(3);
  for (bool perChannel : {false, true}) {
    at::Tensor x = torch::randn({8, 3, 4, 4});
    at::Tensor s0 =
        perChannel ? torch::rand({8}) * 0.2 + 0.05 : torch::tensor({0.13f});
    float qn = 8, qp = 7; // 4-bit signed
    float g = qm::lsqGradScale(x.numel() / (perChannel ? 8 : 1), qp);
    at::Tensor xv = x.clone().requires_grad_(true);
    at::Tensor sv = s0.clone().requires_grad_(true);
    at::Tensor sg = (sv - sv * g).detach() + sv * g;
    at::Tensor sb = perChannel ? sg.view({8, 1, 1, 1}) : sg;
    at::Tensor ref = roundSte(at::clamp(xv / sb, -qn, qp)) * sb;
    torch::manual_seed(4);
    at::Tensor dy = torch::randn_like(x);
    ref.backward(dy);

    Granularity gr =
        perChannel ? Granularity::perChannel(0, 8) : Granularity::perTensor();
    Tensor y, dx, ds;
    ASSERT_OK(lsqForward(fromTorch(x), fromTorch(s0), qn, qp, gr, y));
    expectEqualAwayFromTies(y, ref.detach(),
                            (x / (perChannel ? s0.view({8, 1, 1, 1}) : s0)));
    ASSERT_OK(lsqBackward(fromTorch(x), fromTorch(s0), qn, qp, gr, g,
                          fromTorch(dy), dx, ds));
    EXPECT_LE(maxRelError(dx, xv.grad()), 1e-6);
    EXPECT_LE(maxRelError(ds, sv.grad()), 1e-4) << toTorch(ds) << sv.grad();
  }
}

TEST(LsqPlus, ScalarGradsMatchAutograd) {
  torch::manual_seed(5);
  at::Tensor x = torch::randn({500}) * 2;
  float s = 0.3f, beta = 0.4f, qn = 4, qp = 3;
  at::Tensor xv = x.clone().requires_grad_(true);
  at::Tensor sv = torch::tensor({s}).requires_grad_(true);
  at::Tensor bv = torch::tensor({beta}).requires_grad_(true);
  at::Tensor ref = roundSte(at::clamp((xv - bv) / sv, -qn, qp)) * sv + bv;
  ref.sum().backward();
  std::vector<float> gx(500);
  double gs = 0, gb = 0;
  for (int i = 0; i < 500; ++i) {
    float xi = x[i].item<float>();
    gx[i] = qm::lsqPlusGradX(xi, s, beta, qn, qp);
    gs += qm::lsqPlusGradS(xi, s, beta, qn, qp);
    gb += qm::lsqPlusGradBeta(xi, s, beta, qn, qp);
  }
  EXPECT_LE(maxRelError(Tensor::fromVector<float>({500}, gx), xv.grad()), 1e-6);
  EXPECT_NEAR(gs, sv.grad().item<double>(), 1e-4 * (std::fabs(gs) + 1));
  EXPECT_NEAR(gb, bv.grad().item<double>(), 1e-4 * (std::fabs(gb) + 1));
  Tensor y;
  ASSERT_OK(lsqPlusForward(fromTorch(x), Tensor::fromVector<float>({1}, {s}),
                           Tensor::fromVector<float>({1}, {beta}), qn, qp,
                           Granularity::perTensor(), y));
  expectEqualAwayFromTies(y, ref.detach(), (x - beta) / s);
}

TEST(Pact, ForwardAndGradsMatchAutograd) {
  torch::manual_seed(6);
  at::Tensor x = torch::randn({2, 4, 6, 6}) * 2;
  at::Tensor a0 = torch::tensor({1.5f});
  int bits = 3;
  float n = 7;
  at::Tensor xv = x.clone().requires_grad_(true);
  at::Tensor av = a0.clone().requires_grad_(true);
  // PACT with STE through the rounding: x̂ = y + (Q(y) - y).detach().
  at::Tensor yv = at::minimum(at::relu(xv), av);
  at::Tensor q = (yv * n / av).round() * av / n;
  at::Tensor ref = yv + (q - yv).detach();
  torch::manual_seed(7);
  at::Tensor dy = torch::randn_like(x);
  ref.backward(dy);
  Tensor y, dx, da;
  ASSERT_OK(pactForward(fromTorch(x), fromTorch(a0), bits,
                        Granularity::perTensor(), y));
  expectEqualAwayFromTies(y, q.detach(), at::clamp(x, 0, 1.5) * n / 1.5);
  ASSERT_OK(pactBackward(fromTorch(x), fromTorch(a0), Granularity::perTensor(),
                         fromTorch(dy), dx, da));
  EXPECT_LE(maxRelError(dx, xv.grad()), 1e-6);
  EXPECT_LE(maxRelError(da, av.grad()), 1e-4);
}

TEST(DoReFa, MatchesAtenFormulas) {
  torch::manual_seed(8);
  at::Tensor x = torch::randn({3, 4, 5, 5});
  for (int bits : {2, 4}) {
    float n = (1 << bits) - 1;
    Tensor ya;
    ASSERT_OK(dorefaActivation(fromTorch(x), 1.f, bits, ya));
    at::Tensor refA = (at::clamp(x, 0, 1) * n).round() / n;
    expectEqualAwayFromTies(ya, refA, at::clamp(x, 0, 1) * n);
    // Weights per output channel.
    at::Tensor t = at::tanh(x);
    at::Tensor m = t.abs().amax({1, 2, 3}, true);
    at::Tensor r = t / (2 * m) + 0.5;
    at::Tensor refW = 2 * ((r * n).round() / n) - 1;
    Tensor yw;
    ASSERT_OK(
        dorefaWeight(fromTorch(x), bits, Granularity::perChannel(0, 3), yw));
    expectEqualAwayFromTies(yw, refW, r * n);
  }
  Tensor y1;
  ASSERT_OK(dorefaWeight(fromTorch(x), 1, Granularity::perTensor(), y1));
  at::Tensor ref1 = x.abs().mean() * at::where(x >= 0, 1.0, -1.0);
  EXPECT_LE(maxRelError(y1, ref1), 1e-6);
}

TEST(Xnor, WeightsAndSignGrads) {
  torch::manual_seed(9);
  at::Tensor w = torch::randn({4, 3, 3, 3});
  Tensor y;
  ASSERT_OK(xnorWeight(fromTorch(w), Granularity::perChannel(0, 4), y));
  at::Tensor alpha = w.abs().mean({1, 2, 3}, true);
  EXPECT_LE(maxRelError(y, alpha * at::where(w >= 0, 1.0, -1.0)), 1e-6);
  Tensor s;
  ASSERT_OK(signActivation(fromTorch(w), s));
  EXPECT_TRUE(toTorch(s).equal(at::where(w >= 0, 1.0, -1.0).to(at::kFloat)));

  // Bi-Real approx sign as a polynomial; its autograd derivative is the
  // triangle. Clipped STE = derivative of hardtanh.
  at::Tensor x = (torch::rand({1000}) * 4 - 2).requires_grad_(true);
  at::Tensor approx = at::where(
      x < -1, -torch::ones_like(x),
      at::where(x < 0, x * x + 2 * x,
                at::where(x < 1, -x * x + 2 * x, torch::ones_like(x))));
  approx.sum().backward();
  at::Tensor x2 = x.detach().clone().requires_grad_(true);
  at::hardtanh(x2).sum().backward();
  for (int64_t i = 0; i < 1000; ++i) {
    float xi = x[i].item<float>();
    EXPECT_NEAR(qm::signGradTriangle(xi), x.grad()[i].item<float>(), 1e-6);
    EXPECT_EQ(qm::signGradSteClipped(xi), x2.grad()[i].item<float>());
  }
}

TEST(NonUniform, ForwardAndGradsMatchAutograd) {
  torch::manual_seed(10);
  at::Tensor x = torch::rand({2000}) * 2.5 - 0.3;
  std::vector<float> alpha = {2.f, 1.5f, 1.2f};
  std::vector<at::Tensor> av;
  for (float a : alpha)
    av.push_back(torch::tensor({a}).requires_grad_(true));
  at::Tensor xv = x.clone().requires_grad_(true);
  at::Tensor t = torch::zeros({1});
  at::Tensor y = torch::zeros_like(x);
  for (auto &a : av) {
    y = y + roundSte(at::clamp((xv - t) * a, 0, 1));
    t = t + 1.0 / a;
  }
  y.sum().backward();
  Tensor ours;
  ASSERT_OK(nonUniformForward(fromTorch(x),
                              Tensor::fromVector<float>({3}, alpha), ours));
  EXPECT_LE(maxRelError(ours, y.detach()), 0);
  std::vector<float> gx(2000);
  std::vector<double> ga(3, 0.0);
  for (int64_t i = 0; i < 2000; ++i) {
    float xi = x[i].item<float>();
    gx[i] = qm::nonUniformGradX(xi, alpha.data(), 3);
    for (int j = 0; j < 3; ++j)
      ga[j] += qm::nonUniformGradAlpha(xi, alpha.data(), 3, j);
  }
  EXPECT_LE(maxRelError(Tensor::fromVector<float>({2000}, gx), xv.grad()),
            1e-5);
  for (int j = 0; j < 3; ++j)
    EXPECT_NEAR(ga[j], av[j].grad().item<double>(),
                1e-4 * (std::fabs(ga[j]) + 1))
        << j;
}

TEST(AdaRound, ForwardGradAndInit) {
  torch::manual_seed(11);
  at::Tensor w = torch::randn({4, 10}) * 0.3;
  at::Tensor v = torch::randn({4, 10}) * 3;
  float s = 0.05f;
  at::Tensor vv = v.clone().requires_grad_(true);
  at::Tensor h = at::clamp(at::sigmoid(vv) * 1.2 - 0.1, 0, 1);
  at::Tensor ref = at::clamp((w / s).floor() + h, -8, 7) * s;
  ref.sum().backward();
  Tensor y;
  ASSERT_OK(adaroundForward(fromTorch(w), Tensor::fromVector<float>({1}, {s}),
                            Tensor::fromVector<float>({1}, {0.f}), fromTorch(v),
                            QuantRange::fromBits(4, true),
                            Granularity::perTensor(), false, y));
  EXPECT_LE(maxRelError(y, ref.detach()), 1e-6);
  // Without a zero point (an undefined tensor) the grid is the same.
  Tensor y0;
  ASSERT_OK(adaroundForward(fromTorch(w), Tensor::fromVector<float>({1}, {s}),
                            Tensor(), fromTorch(v),
                            QuantRange::fromBits(4, true),
                            Granularity::perTensor(), false, y0));
  EXPECT_LE(maxRelError(y0, ref.detach()), 1e-6);
  // dŵ/dV = s h'(V) inside the clamp.
  at::Tensor inside = (((w / s).floor() + h.detach()) > -8) &
                      (((w / s).floor() + h.detach()) < 7);
  for (int64_t i = 0; i < 40; ++i) {
    float vi = v.view(-1)[i].item<float>();
    float expect =
        inside.view(-1)[i].item<bool>() ? s * qm::adaroundHGrad(vi) : 0.f;
    EXPECT_NEAR(expect, vv.grad().view(-1)[i].item<float>(), 1e-6);
  }
  // Init: h(V0) reproduces the fractional part; regularizer derivative.
  for (float wi : {0.012f, -0.033f, 0.2f}) {
    float v0 = qm::adaroundInitV(wi, s);
    float frac = wi / s - std::floor(wi / s);
    EXPECT_NEAR(qm::adaroundH(v0), frac, 1e-5);
  }
  at::Tensor hh = torch::tensor({0.2f, 0.7f, 0.95f}).requires_grad_(true);
  (1 - (2 * hh - 1).abs().pow(3.0)).sum().backward();
  for (int i = 0; i < 3; ++i) {
    float hi = hh[i].item<float>();
    EXPECT_NEAR(qm::adaroundRegGradH(hi, 3.f), hh.grad()[i].item<float>(),
                1e-5);
  }
}

} // namespace

// model-quantization's `adaptive` weight normalization (models/quant.py,
// the weight branch of quantization.forward):
//   std, mean = torch.std_mean(x.data.reshape(quant_group, -1, 1, 1, 1), 1)
//   x = (x - mean) / (std + __EPS__)        # __EPS__ = 0
// quant_group = out_channels by default (per channel along axis 0); `mean`
// is the centring alone. Then the seed's LSQ weight path on the result.
TEST(WeightNorm, MatchesSeedStdMean) {
  torch::manual_seed(7);
  at::Tensor w = torch::randn({8, 6, 3, 3}) * 0.2 + 0.05;
  auto seed = [&](int64_t groups, bool var) {
    // (The seed's `x - mean` broadcasts over [out, ...] only for one group
    // per channel or one in all; groups of channels subtract per group.)
    at::Tensor wg = w.reshape({groups, -1});
    auto sm = torch::std_mean(wg, {1}, /*unbiased=*/true, /*keepdim=*/true);
    at::Tensor std = std::get<0>(sm), mean = std::get<1>(sm);
    at::Tensor y = wg - mean;
    if (var)
      y = y / (std + 0);
    return y.reshape(w.sizes());
  };
  struct Case {
    Granularity g;
    int64_t groups;
  };
  for (Case c : {Case{Granularity::perChannel(0, 8), 8},
                 Case{Granularity{0, 2}, 2},
                 Case{Granularity::perTensor(), 1}}) {
    for (bool var : {false, true}) {
      SCOPED_TRACE("groups " + std::to_string(c.groups) +
                   (var ? " var-mean" : " mean"));
      at::Tensor ref = seed(c.groups, var);
      Tensor y;
      std::vector<float> sd;
      ASSERT_OK(weightNormalize(fromTorch(w),
                                var ? WeightNorm::VarMean : WeightNorm::Mean,
                                c.g, y, &sd));
      EXPECT_LT(maxRelError(y, ref), 2e-6);
      EXPECT_EQ((int64_t)sd.size(), c.groups);
      if (var) {
        at::Tensor refStd =
            std::get<0>(torch::std_mean(w.reshape({c.groups, -1}), {1}));
        for (int64_t k = 0; k < c.groups; ++k)
          EXPECT_NEAR(sd[k], refStd[k].item<float>(),
                      2e-6 * refStd[k].item<float>());
      }
    }
  }
  // Then the seed's LSQ weight path (4 bits, clip_val a per channel):
  // levels round((clamp(x / a, -1, 1) + 1) / 2 * 15) of the normalized x.
  at::Tensor a = torch::full({8, 1, 1, 1}, 1.5f);
  auto levelsOf = [&](const at::Tensor &x) {
    return ((torch::clamp(x / a, -1, 1) + 1) / 2 * 15);
  };
  Tensor n;
  ASSERT_OK(weightNormalize(fromTorch(w), WeightNorm::VarMean,
                            Granularity::perChannel(0, 8), n));
  at::Tensor u = levelsOf(seed(8, true));
  at::Tensor nearTie = (u - u.floor() - 0.5).abs() < 1e-4;
  at::Tensor differ = levelsOf(toTorch(n)).round() != u.round();
  EXPECT_EQ((differ & ~nearTie).sum().item<int64_t>(), 0);
}

// A constant group: std 0, so var-mean divides 0 by 0 as PyTorch does
// (__EPS__ = 0); a one-element group's unbiased std is NaN.
TEST(WeightNorm, DegenerateGroupsAsTorch) {
  Tensor w = Tensor::fromVector<float>({2, 2}, {0.5f, 0.5f, 1.f, 3.f});
  Tensor y;
  ASSERT_OK(weightNormalize(w, WeightNorm::VarMean,
                            Granularity::perChannel(0, 2), y));
  EXPECT_TRUE(std::isnan(y.data<float>()[0]));
  EXPECT_FLOAT_EQ(y.data<float>()[2], -1.f / std::sqrt(2.f));
  EXPECT_FLOAT_EQ(y.data<float>()[3], 1.f / std::sqrt(2.f));
  ASSERT_OK(weightNormalize(w, WeightNorm::Mean,
                            Granularity::perChannel(0, 2), y));
  EXPECT_EQ(y.data<float>()[0], 0.f);
  EXPECT_EQ(y.data<float>()[3], 1.f);
}
