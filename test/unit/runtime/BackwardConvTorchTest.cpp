//===- BackwardConvTorchTest.cpp - conv2d / linear backward vs autograd ---===//
//
// Oracle: at::conv2d / at::linear with autograd. Tolerance 1e-5 relative
// (|a - b| / (|b| + 1)), as for the forward convolution.
//
//===----------------------------------------------------------------------===//

#include "TorchUtil.h"
#include "runtime/BackwardConv.h"

using namespace qrt;
using namespace qrt::test;

namespace {

struct ConvCase {
  std::vector<int64_t> in, w;
  int64_t stride, pad, dil, groups;
  bool bias;
};

TEST(BackwardConv, MatchesAutograd) {
  torch::manual_seed(11);
  for (const ConvCase &c : {
           ConvCase{{2, 3, 9, 9}, {4, 3, 3, 3}, 1, 1, 1, 1, true},
           ConvCase{{2, 4, 10, 11}, {6, 4, 3, 3}, 2, 1, 1, 1, true}, // stride 2
           ConvCase{{1, 6, 8, 8}, {6, 2, 3, 3}, 1, 0, 1, 3, false},  // groups
           ConvCase{{2, 8, 9, 7}, {8, 1, 3, 3}, 2, 1, 1, 8, true}, // depthwise
           ConvCase{{1, 3, 12, 12}, {5, 3, 3, 3}, 1, 2, 2, 1, true}, // dilation
           ConvCase{{3, 16, 7, 7}, {32, 16, 1, 1}, 1, 0, 1, 1, true}, // 1x1
           ConvCase{{2, 3, 16, 16}, {8, 3, 5, 5}, 2, 2, 1, 1, false},
       }) {
    at::Tensor x = torch::randn(c.in).requires_grad_(true);
    at::Tensor w = torch::randn(c.w).requires_grad_(true);
    at::Tensor b = torch::randn({c.w[0]}).requires_grad_(true);
    at::Tensor y =
        at::conv2d(x, w, c.bias ? b : at::Tensor(), {c.stride, c.stride},
                   {c.pad, c.pad}, {c.dil, c.dil}, c.groups);
    at::Tensor dy = torch::randn(y.sizes());
    y.backward(dy);

    Conv2dParams p;
    p.strideH = p.strideW = c.stride;
    p.padTop = p.padLeft = p.padBottom = p.padRight = c.pad;
    p.dilationH = p.dilationW = c.dil;
    p.groups = c.groups;
    auto plan =
        ConvBackwardPlan::create(Shape(c.in.begin(), c.in.end()),
                                 Shape(c.w.begin(), c.w.end()), c.bias, p);
    ASSERT_TRUE(plan.hasValue()) << plan.status().toString();
    Tensor qdy = fromTorch(dy), qw = fromTorch(w.detach()),
           qx = fromTorch(x.detach());
    // Two runs: the cached primitives and reorders are reusable.
    for (int rep = 0; rep < 2; ++rep) {
      Tensor dx, dw, db;
      ASSERT_OK(plan->backwardData(qdy, qw, dx));
      ASSERT_OK(plan->backwardWeights(qx, qdy, dw, db));
      std::string what = plan->implName() +
                         " case in[1]=" + std::to_string(c.in[1]) +
                         " g=" + std::to_string(c.groups);
      EXPECT_LE(maxRelError(dx, x.grad()), 1e-5) << what;
      EXPECT_LE(maxRelError(dw, w.grad()), 1e-5) << what;
      if (c.bias)
        EXPECT_LE(maxRelError(db, b.grad()), 1e-5) << what;
      else
        EXPECT_FALSE(db.defined());
    }
  }
}

TEST(BackwardConv, AsymmetricPadsAndErrors) {
  torch::manual_seed(12);
  at::Tensor x = torch::randn({1, 2, 7, 8}).requires_grad_(true);
  at::Tensor w = torch::randn({3, 2, 3, 3}).requires_grad_(true);
  // pads [t, l, b, r] = [1, 0, 2, 1]: the oracle pads explicitly.
  at::Tensor y = at::conv2d(at::constant_pad_nd(x, {0, 1, 1, 2}), w);
  at::Tensor dy = torch::randn(y.sizes());
  y.backward(dy);
  Conv2dParams p;
  p.padTop = 1;
  p.padBottom = 2;
  p.padRight = 1;
  auto plan = ConvBackwardPlan::create({1, 2, 7, 8}, {3, 2, 3, 3}, false, p);
  ASSERT_TRUE(plan.hasValue()) << plan.status().toString();
  Tensor dx, dw, db;
  ASSERT_OK(plan->backwardData(fromTorch(dy), fromTorch(w.detach()), dx));
  ASSERT_OK(
      plan->backwardWeights(fromTorch(x.detach()), fromTorch(dy), dw, db));
  EXPECT_LE(maxRelError(dx, x.grad()), 1e-5);
  EXPECT_LE(maxRelError(dw, w.grad()), 1e-5);

  Tensor bad = Tensor::zeros({1, 3, 5, 5}, DType::F32);
  EXPECT_EQ(plan->backwardData(bad, fromTorch(w.detach()), dx).code(),
            ErrorCode::InvalidArgument);
  Conv2dParams cl;
  cl.srcChannelsLast = true;
  EXPECT_FALSE(ConvBackwardPlan::create({1, 2, 7, 8}, {3, 2, 3, 3}, false, cl));
}

TEST(BackwardLinear, MatchesAutograd) {
  torch::manual_seed(13);
  for (bool bias : {true, false}) {
    at::Tensor x = torch::randn({8, 37}).requires_grad_(true);
    at::Tensor w = torch::randn({10, 37}).requires_grad_(true);
    at::Tensor b = torch::randn({10}).requires_grad_(true);
    at::Tensor y = at::linear(x, w, bias ? b : at::Tensor());
    at::Tensor dy = torch::randn(y.sizes());
    y.backward(dy);
    auto plan = LinearBackwardPlan::create({8, 37}, {10, 37}, bias);
    ASSERT_TRUE(plan.hasValue()) << plan.status().toString();
    Tensor dx, dw, db;
    ASSERT_OK(plan->backwardData(fromTorch(dy), fromTorch(w.detach()), dx));
    ASSERT_OK(
        plan->backwardWeights(fromTorch(x.detach()), fromTorch(dy), dw, db));
    EXPECT_LE(maxRelError(dx, x.grad()), 1e-5);
    EXPECT_LE(maxRelError(dw, w.grad()), 1e-5);
    if (bias)
      EXPECT_LE(maxRelError(db, b.grad()), 1e-5);
  }
  EXPECT_FALSE(LinearBackwardPlan::create({8, 37}, {10, 36}, true));
}

} // namespace
