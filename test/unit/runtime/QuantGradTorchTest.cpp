//===- QuantGradTorchTest.cpp - quantizer surrogate gradients vs autograd -===//
//
// Oracle: each quantizer written independently in ATen ops, with the
// surrogate expressed the PyTorch way (STE `(round(v) - v).detach() + v`,
// LSQ's grad scale `(s - s*g).detach() + s*g`, a sign whose backward is
// the surrogate's), differentiated by autograd. Per tensor and per channel.
// Smooth parts (DoReFa's tanh normalization, AdaRound's h(V) and its
// regularizer) are also checked against central finite differences.
// Tolerances: 1e-5 relative per element, 1e-4 on reduced parameter
// gradients (sums of ~1000 terms in different orders).
//
//===----------------------------------------------------------------------===//

#include "TorchUtil.h"
#include "runtime/FakeQuant.h"
#include "runtime/QuantMath.h"

#include <cmath>
#include <random>

using namespace qrt;
using namespace qrt::test;
namespace qm = qrt::qmath;

namespace {

at::Tensor roundSte(const at::Tensor &v) {
  return (v.round() - v).detach() + v;
}
/// Gradient scale trick: value s, gradient g * ds.
at::Tensor gradScaled(const at::Tensor &s, double g) {
  return (s - s * g).detach() + s * g;
}
at::Tensor sign01(const at::Tensor &w) {
  return at::where(w >= 0, at::ones_like(w), -at::ones_like(w));
}
/// sign(w) in the forward, the surrogate's derivative in the backward.
at::Tensor signSurrogate(const at::Tensor &w, GradType t) {
  at::Tensor approx;
  if (t == GradType::Ste)
    approx = w;
  else if (t == GradType::ClippedSte)
    approx = w.clamp(-1, 1);
  else // Bi-Real: 2w + w² on [-1, 0), 2w - w² on [0, 1), ±1 outside
    approx =
        at::where(w < -1, -at::ones_like(w),
                  at::where(w < 0, 2 * w + w * w,
                            at::where(w < 1, 2 * w - w * w, at::ones_like(w))));
  return (sign01(w) - approx).detach() + approx;
}

/// [groups] view of a parameter shaped for broadcasting.
at::Tensor flat(const at::Tensor &t) { return t.reshape({-1}); }

/// Parameter shape broadcasting against x for per-tensor / per-channel.
std::vector<int64_t> paramShape(const at::Tensor &x, bool perChannel,
                                int64_t axis) {
  std::vector<int64_t> s(x.dim(), 1);
  if (perChannel)
    s[axis] = x.size(axis);
  return s;
}
Granularity gran(const at::Tensor &x, bool perChannel, int64_t axis) {
  return perChannel ? Granularity::perChannel(axis, x.size(axis))
                    : Granularity::perTensor();
}
std::vector<int64_t> reduceDims(const at::Tensor &x, bool perChannel,
                                int64_t axis) {
  std::vector<int64_t> d;
  for (int64_t i = 0; i < x.dim(); ++i)
    if (!perChannel || i != axis)
      d.push_back(i);
  return d;
}

TEST(QuantGrad, AffineSte) {
  torch::manual_seed(31);
  at::Tensor x = torch::randn({4, 6, 5, 5}) * 3;
  at::Tensor dy = torch::randn(x.sizes());
  // Per channel (axis 1) via ATen's own fake quant and its STE backward.
  at::Tensor s = torch::rand({6}) * 0.05 + 0.01;
  at::Tensor z = torch::randint(-10, 10, {6}, at::kInt);
  at::Tensor xr = x.clone().requires_grad_(true);
  at::fake_quantize_per_channel_affine(xr, s, z, 1, -128, 127).backward(dy);
  Tensor dx;
  ASSERT_OK(fakeQuantAffineBackward(
      fromTorch(x), fromTorch(s), fromTorch(z.to(at::kFloat)),
      QuantRange::fromBits(8, true), Granularity::perChannel(1, 6),
      fromTorch(dy), dx));
  EXPECT_EQ(maxRelError(dx, xr.grad()), 0);
  // Per tensor.
  at::Tensor xt = x.clone().requires_grad_(true);
  at::fake_quantize_per_tensor_affine(xt, 0.02, 3, 0, 255).backward(dy);
  Tensor dxt;
  ASSERT_OK(fakeQuantAffineBackward(
      fromTorch(x), Tensor::fromVector<float>({1}, {0.02f}),
      Tensor::fromVector<float>({1}, {3.f}), QuantRange::fromBits(8, false),
      Granularity::perTensor(), fromTorch(dy), dxt));
  EXPECT_EQ(maxRelError(dxt, xt.grad()), 0);
}

TEST(QuantGrad, LsqGradScaleVariants) {
  torch::manual_seed(32);
  at::Tensor w = torch::randn({8, 4, 3, 3});
  at::Tensor dy = torch::randn(w.sizes());
  const float qn = 8, qp = 7; // 4-bit signed
  double fan = 4 * 3 * 3;
  for (bool perChannel : {false, true}) {
    double nElem = double(w.numel()) / (perChannel ? 8 : 1);
    for (GradScaleMode mode :
         {GradScaleMode::None, GradScaleMode::Lsq, GradScaleMode::FanScale,
          GradScaleMode::ScaleFan, GradScaleMode::ElementScale,
          GradScaleMode::ScaleElement}) {
      float g = qm::gradScaleFactor(mode, fan, nElem, qp, 0.5f);
      at::Tensor s0 =
          (w.abs().mean(reduceDims(w, perChannel, 0), true) * 2 / std::sqrt(qp))
              .reshape(paramShape(w, perChannel, 0));
      at::Tensor s = s0.clone().requires_grad_(true);
      at::Tensor xr = w.clone().requires_grad_(true);
      at::Tensor sg = gradScaled(s, g);
      (roundSte((xr / sg).clamp(-qn, qp)) * sg).backward(dy);
      Tensor dx, ds;
      ASSERT_OK(lsqBackward(fromTorch(w), fromTorch(flat(s0)), qn, qp,
                            gran(w, perChannel, 0), g, fromTorch(dy), dx, ds));
      EXPECT_LE(maxRelError(dx, xr.grad()), 1e-5);
      EXPECT_LE(maxRelError(ds, flat(s.grad())), 1e-4)
          << int(mode) << perChannel;
    }
  }
  EXPECT_FLOAT_EQ(qm::gradScaleFactor(GradScaleMode::FanScale, 36, 0, 7, 0.5f),
                  3.f);
  EXPECT_FLOAT_EQ(
      qm::gradScaleFactor(GradScaleMode::ScaleElement, 0, 100, 7, 0.5f), 0.05f);
  EXPECT_FLOAT_EQ(qm::gradScaleFactor(GradScaleMode::Lsq, 0, 28, 7), 1.f / 14);
}

TEST(QuantGrad, LsqQuantGroups) {
  // quant_group: 8 output channels in 4 groups of 2 consecutive channels.
  torch::manual_seed(42);
  at::Tensor w = torch::randn({8, 4, 3, 3});
  at::Tensor dy = torch::randn(w.sizes());
  const float qn = 4, qp = 3;
  float g = qm::lsqGradScale(w.numel() / 4, qp);
  at::Tensor s0 = torch::rand({4}) * 0.3 + 0.2;
  at::Tensor s = s0.clone().requires_grad_(true);
  at::Tensor xr = w.clone().requires_grad_(true);
  at::Tensor sg = gradScaled(s, g).repeat_interleave(2).reshape({8, 1, 1, 1});
  (roundSte((xr / sg).clamp(-qn, qp)) * sg).backward(dy);
  Tensor dx, ds;
  ASSERT_OK(lsqBackward(fromTorch(w), fromTorch(s0), qn, qp, Granularity{0, 4},
                        g, fromTorch(dy), dx, ds));
  EXPECT_LE(maxRelError(dx, xr.grad()), 1e-5);
  EXPECT_LE(maxRelError(ds, s.grad()), 1e-4);
}

TEST(QuantGrad, LsqPlus) {
  torch::manual_seed(33);
  at::Tensor x = torch::randn({4, 6, 5, 5}) * 2 + 0.3;
  at::Tensor dy = torch::randn(x.sizes());
  const float qn = 0, qp = 15;
  for (bool perChannel : {false, true}) {
    auto shape = paramShape(x, perChannel, 1);
    at::Tensor s0 = torch::rand(shape) * 0.2 + 0.1;
    at::Tensor b0 = torch::randn(shape) * 0.3 - 0.5;
    double g = 1.0 / std::sqrt(150.0 * qp);
    at::Tensor s = s0.clone().requires_grad_(true);
    at::Tensor b = b0.clone().requires_grad_(true);
    at::Tensor xr = x.clone().requires_grad_(true);
    at::Tensor sg = gradScaled(s, g), bg = gradScaled(b, g);
    (roundSte(((xr - bg) / sg).clamp(-qn, qp)) * sg + bg).backward(dy);
    Tensor dx, ds, db;
    ASSERT_OK(lsqPlusBackward(
        fromTorch(x), fromTorch(flat(s0)), fromTorch(flat(b0)), qn, qp,
        gran(x, perChannel, 1), float(g), fromTorch(dy), dx, ds, db));
    EXPECT_LE(maxRelError(dx, xr.grad()), 1e-5);
    EXPECT_LE(maxRelError(ds, flat(s.grad())), 1e-4);
    EXPECT_LE(maxRelError(db, flat(b.grad())), 1e-4);
  }
}

TEST(QuantGrad, DorefaActivation) {
  torch::manual_seed(34);
  at::Tensor x = torch::randn({2, 3, 8, 8}) * 2;
  at::Tensor dy = torch::randn(x.sizes());
  const float clip = 1.5f;
  const int bits = 3;
  at::Tensor xr = x.clone().requires_grad_(true);
  double n = (1 << bits) - 1;
  (roundSte(xr.clamp(0, clip) / clip * n) / n * clip).backward(dy);
  Tensor dx;
  ASSERT_OK(dorefaActivationBackward(fromTorch(x), clip, fromTorch(dy), dx));
  EXPECT_LE(maxRelError(dx, xr.grad()), 1e-6);
}

/// The seeds' DoReFa weight quantizer in ATen: the max is not detached.
at::Tensor dorefaWeightTorch(const at::Tensor &w, int bits, bool perChannel,
                             bool maxConst) {
  at::Tensor t = w.tanh();
  at::Tensor m = perChannel ? t.abs().amax({1, 2, 3}, true) : t.abs().max();
  if (maxConst)
    m = m.detach();
  at::Tensor r = t / (2 * m) + 0.5;
  double n = (1 << bits) - 1;
  return 2 * (roundSte(r * n) / n) - 1;
}

TEST(QuantGrad, DorefaWeight) {
  torch::manual_seed(35);
  at::Tensor w = torch::randn({6, 3, 3, 3});
  at::Tensor dy = torch::randn(w.sizes());
  for (bool perChannel : {false, true})
    for (bool maxConst : {false, true}) {
      at::Tensor wr = w.clone().requires_grad_(true);
      dorefaWeightTorch(wr, 4, perChannel, maxConst).backward(dy);
      Tensor dx;
      ASSERT_OK(dorefaWeightBackward(fromTorch(w), 4, gran(w, perChannel, 0),
                                     maxConst, fromTorch(dy), dx));
      EXPECT_LE(maxRelError(dx, wr.grad()), 1e-5) << perChannel << maxConst;
    }
  // b = 1: the seeds' DorefaParamsBinarizationSTE passes dy through.
  Tensor dx1;
  ASSERT_OK(dorefaWeightBackward(fromTorch(w), 1, Granularity::perTensor(),
                                 false, fromTorch(dy), dx1));
  EXPECT_EQ(maxRelError(dx1, dy), 0);
}

TEST(QuantGrad, DorefaWeightFiniteDifferences) {
  // With STE on the rounding the gradient is that of the smooth map
  // w -> 2 w' - 1, w' = tanh(w) / (2 max|tanh w|) + 1/2 (max included).
  std::mt19937 rng(36);
  std::normal_distribution<double> nd;
  const int64_t oc = 3, per = 12;
  std::vector<float> wv(oc * per), dyv(oc * per);
  for (auto &v : wv)
    v = float(nd(rng));
  for (auto &v : dyv)
    v = float(nd(rng));
  auto objective = [&](const std::vector<double> &w) {
    double f = 0;
    for (int64_t k = 0; k < oc; ++k) {
      double m = 0;
      for (int64_t i = 0; i < per; ++i)
        m = std::max(m, std::fabs(std::tanh(w[k * per + i])));
      for (int64_t i = 0; i < per; ++i)
        f += dyv[k * per + i] * (std::tanh(w[k * per + i]) / m);
    }
    return f; // 2 w' - 1 = tanh(w) / M
  };
  Tensor dx;
  ASSERT_OK(dorefaWeightBackward(Tensor::fromVector<float>({oc, per}, wv), 3,
                                 Granularity::perChannel(0, oc), false,
                                 Tensor::fromVector<float>({oc, per}, dyv),
                                 dx));
  std::vector<double> w(wv.begin(), wv.end());
  for (int64_t j = 0; j < oc * per; ++j) {
    const double eps = 1e-6;
    std::vector<double> wp = w, wm = w;
    wp[j] += eps;
    wm[j] -= eps;
    double fd = (objective(wp) - objective(wm)) / (2 * eps);
    EXPECT_NEAR(dx.data<float>()[j], fd, 1e-4 * (1 + std::fabs(fd))) << j;
  }
}

TEST(QuantGrad, XnorAndSign) {
  torch::manual_seed(37);
  at::Tensor w = torch::randn({6, 4, 3, 3}) * 0.8;
  at::Tensor dy = torch::randn(w.sizes());
  for (GradType t : {GradType::Ste, GradType::ClippedSte, GradType::Triangle}) {
    for (bool perChannel : {false, true}) {
      at::Tensor alpha =
          w.abs().mean(reduceDims(w, perChannel, 0), true).detach();
      for (bool scaleByAlpha : {true, false}) {
        at::Tensor wr = w.clone().requires_grad_(true);
        at::Tensor y = signSurrogate(wr, t);
        if (scaleByAlpha)
          y = alpha * y;
        y.backward(dy);
        Tensor dx;
        ASSERT_OK(xnorWeightBackward(fromTorch(w), gran(w, perChannel, 0), t,
                                     scaleByAlpha, fromTorch(dy), dx));
        EXPECT_LE(maxRelError(dx, wr.grad()), 1e-6)
            << int(t) << perChannel << scaleByAlpha;
      }
      // XNOR++: learnable gamma per group.
      at::Tensor g0 = torch::rand(paramShape(w, perChannel, 0)) + 0.5;
      at::Tensor g = g0.clone().requires_grad_(true);
      at::Tensor wr = w.clone().requires_grad_(true);
      (g * signSurrogate(wr, t)).backward(dy);
      Tensor dx, dg;
      ASSERT_OK(xnorWeightScaledBackward(fromTorch(w), fromTorch(flat(g0)),
                                         gran(w, perChannel, 0), t,
                                         fromTorch(dy), dx, dg));
      EXPECT_LE(maxRelError(dx, wr.grad()), 1e-6);
      EXPECT_LE(maxRelError(dg, flat(g.grad())), 1e-5);
    }
    // Binary activations.
    at::Tensor x = torch::randn({2, 3, 7, 7}) * 1.5;
    at::Tensor dya = torch::randn(x.sizes());
    at::Tensor xr = x.clone().requires_grad_(true);
    signSurrogate(xr, t).backward(dya);
    Tensor dx;
    ASSERT_OK(signActivationBackward(fromTorch(x), t, fromTorch(dya), dx));
    EXPECT_LE(maxRelError(dx, xr.grad()), 1e-6) << int(t);
  }
}

/// LQ-Nets QEM step in ATen: all 2^K levels, nearest by argmin, then the
/// least-squares basis, per group (rows of x2d).
at::Tensor lqQemTorch(const at::Tensor &x2d, const at::Tensor &basis,
                      bool signedCodes, double momentum) {
  int64_t k = basis.size(1), nl = 1 << k;
  at::Tensor bits = torch::empty({nl, k}, at::kDouble);
  for (int64_t c = 0; c < nl; ++c)
    for (int64_t j = 0; j < k; ++j)
      bits[c][j] = ((c >> j) & 1) ? 1.0 : (signedCodes ? -1.0 : 0.0);
  at::Tensor out = basis.to(at::kDouble).clone();
  for (int64_t gi = 0; gi < basis.size(0); ++gi) {
    at::Tensor levels = bits.matmul(basis[gi].to(at::kDouble)); // [nl]
    at::Tensor xv = x2d[gi].to(at::kDouble);                    // [n]
    at::Tensor idx = (xv.unsqueeze(1) - levels.unsqueeze(0)).abs().argmin(1);
    at::Tensor b = bits.index_select(0, idx); // [n, K]
    at::Tensor v = at::linalg_solve(b.t().matmul(b), b.t().matmul(xv));
    out[gi] = momentum * out[gi] + (1 - momentum) * v;
  }
  return out.to(at::kFloat);
}

TEST(QuantGrad, LqNetsBasisUpdateAndSte) {
  torch::manual_seed(38);
  for (bool signedCodes : {true, false})
    for (int64_t groups : {1, 4}) {
      at::Tensor w = torch::randn({4, 50}) * 0.7;
      if (!signedCodes)
        w = w.abs();
      at::Tensor basis0 = signedCodes
                              ? torch::tensor({0.2f, 0.4f}).repeat({groups, 1})
                              : torch::tensor({0.3f, 0.6f}).repeat({groups, 1});
      at::Tensor ref = lqQemTorch(groups == 1 ? w.reshape({1, -1}) : w, basis0,
                                  signedCodes, 0.9);
      Tensor basis = fromTorch(basis0);
      Granularity g = groups == 1 ? Granularity::perTensor()
                                  : Granularity::perChannel(0, 4);
      ASSERT_OK(lqnetBasisUpdate(fromTorch(w), basis, signedCodes, g, 0.9f));
      EXPECT_LE(maxRelError(basis, ref), 1e-5) << signedCodes << groups;
    }
  // A degenerate group (all values equal: one code only) keeps its basis.
  Tensor basis = Tensor::fromVector<float>({1, 2}, {0.2f, 0.4f});
  ASSERT_OK(lqnetBasisUpdate(Tensor::fromVector<float>({3}, {0.f, 0.f, 0.f}),
                             basis, false, Granularity::perTensor(), 0.5f));
  EXPECT_EQ(basis.data<float>()[0], 0.2f);
  // STE to x.
  Tensor dy = Tensor::fromVector<float>({3}, {1.f, -2.f, 3.f}), dx;
  ASSERT_OK(lqnetBackward(dy, dx));
  EXPECT_EQ(dx.data<float>()[1], -2.f);
}

// The seeds' LqNet_fm.backward: grad_output with every element at or above
// the group's largest level (sorted levels of codes x basis) zeroed.
TEST(QuantGrad, LqNetsActivationMasksAboveTheTopLevel) {
  torch::manual_seed(40);
  at::Tensor x = torch::rand({2, 3, 5, 5}) * 4.0 - 0.5;
  at::Tensor dy = torch::randn({2, 3, 5, 5});
  at::Tensor basis0 = torch::tensor({{0.3f, 0.6f}, {0.5f, 1.0f}, {0.2f, 0.5f}});
  at::Tensor codes = torch::tensor({{0.f, 0.f}, {1.f, 0.f}, {0.f, 1.f}, {1.f, 1.f}});
  for (int64_t groups : {1, 3}) {
    at::Tensor b = groups == 1 ? basis0.slice(0, 0, 1) : basis0;
    at::Tensor top = std::get<0>(codes.matmul(b.t()).sort(0)).select(0, 3);
    at::Tensor clip = groups == 1 ? top.expand({3}) : top; // per channel
    at::Tensor mask = x.ge(clip.view({1, 3, 1, 1}));
    at::Tensor ref = dy.masked_fill(mask, 0);
    Granularity g = groups == 1 ? Granularity::perTensor()
                                : Granularity::perChannel(1, 3);
    Tensor dx;
    ASSERT_OK(lqnetActivationBackward(fromTorch(x), fromTorch(b.contiguous()),
                                      false, g, fromTorch(dy), dx));
    EXPECT_EQ(maxRelError(dx, ref), 0.0) << groups;
    EXPECT_GT(mask.sum().item<int64_t>(), 0);
  }
}

TEST(QuantGrad, NonUniform) {
  torch::manual_seed(39);
  at::Tensor x = torch::rand({3, 4, 9, 9}) * 2.5 - 0.5;
  at::Tensor dy = torch::randn(x.sizes());
  // A negative slope: the seed's `alpha.abs()` (training moves the slopes
  // through 0).
  std::vector<float> alphaV = {2.f, -1.5f, 3.f};
  at::Tensor a = torch::tensor(alphaV).requires_grad_(true);
  at::Tensor xr = x.clone().requires_grad_(true);
  at::Tensor t = torch::zeros({});
  at::Tensor y = torch::zeros_like(x);
  for (int64_t i = 0; i < 3; ++i) {
    y = y + roundSte(((xr - t) * a[i].abs()).clamp(0, 1));
    t = t + 1 / a[i].abs();
  }
  y.backward(dy);
  Tensor fy, dx, da;
  ASSERT_OK(nonUniformForward(fromTorch(x),
                              Tensor::fromVector<float>({3}, alphaV), fy));
  EXPECT_EQ(maxRelError(fy, y.detach()), 0.0);
  ASSERT_OK(nonUniformBackward(fromTorch(x),
                               Tensor::fromVector<float>({3}, alphaV),
                               fromTorch(dy), dx, da));
  EXPECT_LE(maxRelError(dx, xr.grad()), 1e-5);
  EXPECT_LE(maxRelError(da, a.grad()), 1e-4);
}

// The ternary (weight) form, as models/quant.py's weight branch:
// y = RoundSTE(clamp(x |a0|, -1, 0)) + RoundSTE(clamp(x |a1|, 0, 1)), per
// tensor. The forward exactly (values -1 / 0 / 1, ties x |a| = -0.5 / 0.5
// go to 0 under round half to even, as torch.round), dx and dalpha against
// autograd.
TEST(QuantGrad, NonUniformTernary) {
  torch::manual_seed(41);
  at::Tensor x = torch::randn({6, 3, 3, 3}) * 0.4;
  // Exact ties on both sides: 0.5 / 2.5 = 0.2, -0.5 / 1.25 = -0.4.
  x.view({-1})[0] = 0.2f;
  x.view({-1})[1] = -0.4f;
  at::Tensor dy = torch::randn(x.sizes());
  // A negative slope (training moves them through 0): the seed's |alpha|.
  std::vector<float> alphaV = {-1.25f, 2.5f};
  at::Tensor a = torch::tensor(alphaV).requires_grad_(true);
  at::Tensor xr = x.clone().requires_grad_(true);
  at::Tensor y = roundSte((xr * a[0].abs()).clamp(-1, 0)) +
                 roundSte((xr * a[1].abs()).clamp(0, 1));
  y.backward(dy);
  Tensor fy, dx, da;
  Tensor alpha = Tensor::fromVector<float>({2}, alphaV);
  ASSERT_OK(nonUniformTernaryForward(fromTorch(x), alpha, fy));
  EXPECT_EQ(maxRelError(fy, y.detach()), 0.0);
  EXPECT_EQ(fy.data<float>()[0], 0.f);
  EXPECT_EQ(fy.data<float>()[1], 0.f);
  EXPECT_GT((y.detach() == -1).sum().item<int64_t>(), 0);
  EXPECT_GT((y.detach() == 1).sum().item<int64_t>(), 0);
  ASSERT_OK(nonUniformTernaryBackward(fromTorch(x), alpha, fromTorch(dy), dx,
                                      da));
  EXPECT_LE(maxRelError(dx, xr.grad()), 1e-5);
  EXPECT_LE(maxRelError(da, a.grad()), 1e-4);
  // Three slopes are not the ternary form.
  EXPECT_FALSE(nonUniformTernaryForward(
                   fromTorch(x), Tensor::fromVector<float>({3}, {1, 1, 1}), fy)
                   .isOk());
}

TEST(QuantGrad, AdaRound) {
  torch::manual_seed(40);
  const float zeta = qm::kAdaRoundZeta, gamma = qm::kAdaRoundGamma;
  at::Tensor w = torch::randn({6, 3, 3, 3}) * 0.5;
  at::Tensor dy = torch::randn(w.sizes());
  at::Tensor v0 = torch::randn(w.sizes()) * 3;
  for (bool perChannel : {false, true}) {
    at::Tensor s = (torch::rand(paramShape(w, perChannel, 0)) * 0.02 + 0.02);
    at::Tensor z = torch::zeros(paramShape(w, perChannel, 0));
    at::Tensor v = v0.clone().requires_grad_(true);
    at::Tensor h = (v.sigmoid() * (zeta - gamma) + gamma).clamp(0, 1);
    // 4-bit: some elements hit the clamp.
    (s * ((w / s).floor() + h + z).clamp(-8, 7) - z * s).backward(dy);
    Tensor dv;
    ASSERT_OK(adaroundBackward(fromTorch(w), fromTorch(flat(s)),
                               fromTorch(flat(z)), fromTorch(v0),
                               QuantRange::fromBits(4, true),
                               gran(w, perChannel, 0), fromTorch(dy), dv));
    EXPECT_LE(maxRelError(dv, v.grad()), 1e-5) << perChannel;
  }
  // Regularizer λ Σ (1 - |2h - 1|^β).
  for (float beta : {20.f, 8.f, 2.f}) {
    at::Tensor v = v0.clone().requires_grad_(true);
    at::Tensor h = (v.sigmoid() * (zeta - gamma) + gamma).clamp(0, 1);
    at::Tensor reg = 0.01 * (1 - (2 * h - 1).abs().pow(beta)).sum();
    reg.backward();
    float loss = 0;
    Tensor dv;
    ASSERT_OK(adaroundRegularizer(fromTorch(v0), beta, 0.01f, loss, dv));
    EXPECT_NEAR(loss, reg.item<float>(), 1e-5 * (1 + std::fabs(loss)));
    EXPECT_LE(maxRelError(dv, v.grad()), 1e-5) << beta;
  }
}

TEST(QuantGrad, AdaRoundFiniteDifferences) {
  std::mt19937 rng(41);
  std::uniform_real_distribution<float> uv(-2.f, 2.f); // h strictly inside
  const float s = 0.05f, eps = 1e-2f;
  Tensor scale = Tensor::fromVector<float>({1}, {s});
  Tensor zp = Tensor::fromVector<float>({1}, {0.f});
  QuantRange r = QuantRange::fromBits(8, true);
  for (int trial = 0; trial < 20; ++trial) {
    float wv = uv(rng) * 0.3f, vv = uv(rng);
    Tensor w = Tensor::fromVector<float>({1}, {wv});
    auto fwd = [&](float v) {
      Tensor y;
      EXPECT_TRUE(adaroundForward(w, scale, zp,
                                  Tensor::fromVector<float>({1}, {v}), r,
                                  Granularity::perTensor(), false, y)
                      .isOk());
      return double(y.data<float>()[0]);
    };
    Tensor dv;
    ASSERT_OK(adaroundBackward(
        w, scale, zp, Tensor::fromVector<float>({1}, {vv}), r,
        Granularity::perTensor(), Tensor::fromVector<float>({1}, {1.f}), dv));
    double fd = (fwd(vv + eps) - fwd(vv - eps)) / (2 * eps);
    EXPECT_NEAR(dv.data<float>()[0], fd, 2e-3 * s + 1e-3 * std::fabs(fd)) << vv;
    // Regularizer, one element at a time.
    for (float beta : {2.f, 5.f}) {
      auto reg = [&](float v) {
        float loss = 0;
        Tensor g;
        EXPECT_TRUE(adaroundRegularizer(Tensor::fromVector<float>({1}, {v}),
                                        beta, 1.f, loss, g)
                        .isOk());
        return double(loss);
      };
      float loss = 0;
      Tensor g;
      ASSERT_OK(adaroundRegularizer(Tensor::fromVector<float>({1}, {vv}), beta,
                                    1.f, loss, g));
      double fdr = (reg(vv + eps) - reg(vv - eps)) / (2 * eps);
      EXPECT_NEAR(g.data<float>()[0], fdr, 2e-3 + 1e-2 * std::fabs(fdr))
          << vv << " beta " << beta;
    }
  }
}

// model-quantization's `adaptive` in training (models/quant.py):
//   std, mean = torch.std_mean(x.data.reshape(quant_group, -1, 1, 1, 1), 1)
//   x = (x - mean) / (std + __EPS__)
// The statistics come from x.data, so autograd sees constants: the
// gradient through var-mean is dy / std, through mean dy. qrt's
// fake_quant_grad step composes weightNormalize, the method's backward at
// the normalized weight and weightNormalizeBackward; here with LSQ (per
// channel step sizes) against autograd on the seed's code.
TEST(QuantGrad, AdaptiveNormalizationThenLsq) {
  torch::manual_seed(20);
  at::Tensor w = torch::randn({8, 4, 3, 3}) * 0.1 + 0.02;
  at::Tensor dy = torch::randn(w.sizes());
  const float qn = 8, qp = 7;
  for (bool var : {true, false}) {
    for (bool perChannel : {true, false}) {
      SCOPED_TRACE(std::string(var ? "var-mean" : "mean") +
                   (perChannel ? " per channel" : " per tensor"));
      int64_t groups = perChannel ? 8 : 1;
      at::Tensor s0 = perChannel ? torch::rand({8}) * 0.2 + 0.2
                                 : torch::full({1}, 0.3f);
      float g = qm::lsqGradScale(w.numel() / groups, qp);
      at::Tensor s = s0.clone().requires_grad_(true);
      at::Tensor xr = w.clone().requires_grad_(true);
      auto sm = torch::std_mean(xr.detach().reshape({groups, -1}), {1},
                                /*unbiased=*/true, /*keepdim=*/true);
      at::Tensor sd = std::get<0>(sm), mean = std::get<1>(sm);
      at::Tensor xn = xr.reshape({groups, -1}) - mean;
      if (var)
        xn = xn / (sd + 0);
      xn = xn.reshape(w.sizes());
      at::Tensor sg = gradScaled(s, g);
      if (perChannel)
        sg = sg.reshape({8, 1, 1, 1});
      (roundSte((xn / sg).clamp(-qn, qp)) * sg).backward(dy);

      Granularity gran =
          perChannel ? Granularity::perChannel(0, 8) : Granularity::perTensor();
      WeightNorm kind = var ? WeightNorm::VarMean : WeightNorm::Mean;
      Tensor n, dx, ds;
      std::vector<float> stds;
      ASSERT_OK(weightNormalize(fromTorch(w), kind, gran, n, &stds));
      ASSERT_OK(lsqBackward(n, fromTorch(s0), qn, qp, gran, g, fromTorch(dy),
                            dx, ds));
      ASSERT_OK(weightNormalizeBackward(stds, kind, gran, dx));
      EXPECT_LE(maxRelError(dx, xr.grad()), 1e-5);
      EXPECT_LE(maxRelError(ds, s.grad().reshape({groups})), 1e-4);
    }
  }
}

} // namespace
