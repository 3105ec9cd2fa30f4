//===- ElementwiseTorchTest.cpp - activations, broadcast, BN, softmax -----===//
//
// Oracle: ATen ops. Tolerance 1e-6 relative (|a-b|/(|b|+1)) for single-op
// formulas, 1e-5 for libm-based ones (sigmoid, silu, gelu, erf, softmax)
// whose libm differs.
//
//===----------------------------------------------------------------------===//

#include "TorchUtil.h"
#include "runtime/Elementwise.h"

using namespace qrt;
using namespace qrt::test;

namespace {

at::Tensor input() {
  torch::manual_seed(5);
  return torch::randn({2, 3, 7, 9}) * 4;
}

TEST(Activations, MatchAten) {
  at::Tensor x = input();
  Tensor qx = fromTorch(x);
  struct Case {
    const char *name;
    std::function<Status(const Tensor &, Tensor &)> ours;
    at::Tensor ref;
    double tol;
  };
  std::vector<Case> cases = {
      {"relu", [](auto &a, auto &b) { return relu(a, b); }, at::relu(x), 0},
      {"leaky", [](auto &a, auto &b) { return leakyRelu(a, 0.1f, b); },
       at::leaky_relu(x, 0.1), 1e-6},
      {"clip", [](auto &a, auto &b) { return clip(a, -1.5f, 2.f, b); },
       at::clamp(x, -1.5, 2.0), 0},
      {"sigmoid", [](auto &a, auto &b) { return sigmoid(a, b); },
       at::sigmoid(x), 1e-5},
      {"hardSigmoidTorch",
       [](auto &a, auto &b) { return hardSigmoid(a, 1.f / 6, 0.5f, b); },
       at::hardsigmoid(x), 1e-6},
      {"hardSigmoidOnnx",
       [](auto &a, auto &b) { return hardSigmoid(a, 0.2f, 0.5f, b); },
       at::clamp(x * 0.2 + 0.5, 0, 1), 1e-6},
      {"hardSwish", [](auto &a, auto &b) { return hardSwish(a, b); },
       at::hardswish(x), 1e-6},
      {"silu", [](auto &a, auto &b) { return silu(a, b); }, at::silu(x),
       1e-5},
      {"gelu", [](auto &a, auto &b) { return gelu(a, false, b); },
       at::gelu(x), 1e-5},
      {"geluTanh", [](auto &a, auto &b) { return gelu(a, true, b); },
       at::gelu(x, "tanh"), 1e-5},
      {"erf", [](auto &a, auto &b) { return qrt::erf(a, b); }, at::erf(x),
       1e-5},
      {"tanh", [](auto &a, auto &b) { return hyperbolicTangent(a, b); },
       at::tanh(x), 1e-5},
      {"sqrt", [](auto &a, auto &b) { return squareRoot(a, b); },
       at::sqrt(x.abs()), 1e-6},
      {"pow2", [](auto &a, auto &b) { return power(a, 2.f, b); }, at::pow(x, 2),
       1e-6},
      {"pow3", [](auto &a, auto &b) { return power(a, 3.f, b); }, at::pow(x, 3),
       1e-5},
  };
  Tensor absX = fromTorch(x.abs());
  for (auto &c : cases) {
    Tensor y;
    const Tensor &in = c.name == std::string("sqrt") ? absX : qx;
    ASSERT_OK(c.ours(in, y));
    EXPECT_LE(maxRelError(y, c.ref), c.tol) << c.name;
    // In place.
    Tensor inPlace = in.clone();
    ASSERT_OK(c.ours(inPlace, inPlace));
    EXPECT_LE(maxRelError(inPlace, c.ref), c.tol) << c.name << " in place";
  }
}

TEST(Activations, PreluPerChannelAndScalar) {
  at::Tensor x = input();
  at::Tensor slope = torch::tensor({0.1f, -0.3f, 0.7f});
  Tensor y;
  ASSERT_OK(prelu(fromTorch(x), fromTorch(slope), y));
  EXPECT_LE(maxRelError(y, at::prelu(x, slope)), 1e-6);
  at::Tensor one = torch::tensor({0.25f});
  Tensor y1;
  ASSERT_OK(prelu(fromTorch(x), fromTorch(one), y1));
  EXPECT_LE(maxRelError(y1, at::prelu(x, one)), 1e-6);
  Tensor bad;
  EXPECT_FALSE(prelu(fromTorch(x), fromTorch(torch::ones({4})), bad).isOk());
}

TEST(Softmax, EveryAxis) {
  at::Tensor x = input();
  for (int64_t axis : {0, 1, 2, 3, -1}) {
    Tensor y;
    ASSERT_OK(softmax(fromTorch(x), axis, y));
    EXPECT_LE(maxRelError(y, at::softmax(x, axis)), 1e-5) << axis;
  }
  Tensor y;
  EXPECT_FALSE(softmax(fromTorch(x), 4, y).isOk());
}

TEST(Binary, BroadcastingMatchesAten) {
  torch::manual_seed(9);
  std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> shapes = {
      {{2, 3, 4, 5}, {2, 3, 4, 5}}, {{2, 3, 4, 5}, {1, 3, 1, 1}},
      {{2, 3, 4, 5}, {5}},          {{2, 3, 4, 5}, {4, 1}},
      {{3, 1, 5}, {1, 4, 1}},       {{1}, {2, 3}},
      {{2, 3, 4, 5}, {}},           {{4, 1, 6}, {4, 5, 6}},
      {{2, 1, 4, 1}, {1, 3, 1, 5}}};
  for (auto &[as, bs] : shapes) {
    at::Tensor a = torch::randn(as), b = torch::rand(bs) + 0.5;
    Tensor qa = fromTorch(a), qb = fromTorch(b), y;
    ASSERT_OK(add(qa, qb, y));
    EXPECT_LE(maxRelError(y, a + b), 1e-6);
    y = Tensor();
    ASSERT_OK(sub(qa, qb, y));
    EXPECT_LE(maxRelError(y, a - b), 1e-6);
    y = Tensor();
    ASSERT_OK(mul(qa, qb, y));
    EXPECT_LE(maxRelError(y, a * b), 1e-6);
    y = Tensor();
    ASSERT_OK(div(qa, qb, y));
    EXPECT_LE(maxRelError(y, a / b), 1e-6);
    y = Tensor();
    ASSERT_OK(sub(qb, qa, y)); // operand order swapped
    EXPECT_LE(maxRelError(y, b - a), 1e-6);
  }
  Tensor y;
  Status s =
      add(fromTorch(torch::ones({2, 3})), fromTorch(torch::ones({4})), y);
  EXPECT_EQ(s.code(), ErrorCode::InvalidArgument);
  EXPECT_NE(s.message().find("broadcast"), std::string::npos);
}

TEST(BatchNorm, MatchesAtenInference) {
  at::Tensor x = input();
  torch::manual_seed(2);
  at::Tensor g = torch::randn({3}), b = torch::randn({3});
  at::Tensor m = torch::randn({3}), v = torch::rand({3}) + 0.1;
  at::Tensor ref = at::batch_norm(x, g, b, m, v, /*training=*/false, 0.1, 1e-5,
                                  /*cudnn_enabled=*/false);
  Tensor y;
  ASSERT_OK(batchNorm(fromTorch(x), fromTorch(g), fromTorch(b), fromTorch(m),
                      fromTorch(v), 1e-5f, y));
  EXPECT_LE(maxRelError(y, ref), 1e-5);
  Tensor bad;
  EXPECT_FALSE(batchNorm(fromTorch(x), fromTorch(g), fromTorch(b),
                         fromTorch(torch::ones({4})), fromTorch(v), 1e-5f, bad)
                   .isOk());
}

// layer_norm over the last axis, the last two, and all but the batch;
// PyTorch accumulates in float, we in double: 1e-5.
TEST(LayerNorm, MatchesAten) {
  at::Tensor x = input() + 3;
  for (int64_t axis : {3, 2, 1}) {
    std::vector<int64_t> trailing(x.sizes().begin() + axis, x.sizes().end());
    torch::manual_seed(axis);
    at::Tensor g = torch::rand(trailing) + 0.5, b = torch::randn(trailing);
    at::Tensor ref = at::layer_norm(x, trailing, g, b, 1e-6);
    Tensor y;
    ASSERT_OK(layerNorm(fromTorch(x), fromTorch(g), fromTorch(b), axis, 1e-6f,
                        y));
    EXPECT_LE(maxRelError(y, ref), 1e-5) << "axis " << axis;
  }
  Tensor bad;
  at::Tensor g = torch::ones({9});
  EXPECT_FALSE(layerNorm(fromTorch(x), fromTorch(torch::ones({7})),
                         fromTorch(torch::ones({7})), 3, 1e-5f, bad)
                   .isOk());
  EXPECT_FALSE(
      layerNorm(fromTorch(x), fromTorch(g), fromTorch(g), 4, 1e-5f, bad).isOk());
}

// group_norm with 1 (layer norm over C, H, W), 2, 4 and 8 (instance norm)
// groups of 8 channels, on 4-D and 3-D inputs; PyTorch accumulates in float,
// we in double: 1e-5.
TEST(GroupNorm, MatchesAten) {
  torch::manual_seed(6);
  at::Tensor x = torch::randn({2, 8, 5, 7}) * 3 + 1;
  for (at::Tensor in : {x, x.reshape({2, 8, 35})})
    for (int64_t groups : {1, 2, 4, 8}) {
      torch::manual_seed(groups);
      at::Tensor g = torch::rand({8}) + 0.5, b = torch::randn({8});
      at::Tensor ref = at::group_norm(in, groups, g, b, 1e-5);
      Tensor y;
      ASSERT_OK(groupNorm(fromTorch(in), fromTorch(g), fromTorch(b), groups,
                          1e-5f, y));
      EXPECT_LE(maxRelError(y, ref), 1e-5)
          << "groups " << groups << ", rank " << in.dim();
    }
  Tensor bad;
  at::Tensor g = torch::ones({8});
  EXPECT_FALSE(
      groupNorm(fromTorch(x), fromTorch(g), fromTorch(g), 3, 1e-5f, bad).isOk());
  EXPECT_FALSE(groupNorm(fromTorch(x), fromTorch(torch::ones({4})),
                         fromTorch(torch::ones({4})), 2, 1e-5f, bad)
                   .isOk());
}

} // namespace
