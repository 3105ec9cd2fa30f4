//===- ConvTorchTest.cpp - conv2d / linear / matmul vs LibTorch -----------===//
//
// Tolerance: 1e-5 relative (|a-b| / (|b|+1)); both sides accumulate in f32
// with different orders, inputs are in [-1, 1] and K <= 600.
//
//===----------------------------------------------------------------------===//

#include "TorchUtil.h"
#include "runtime/Conv.h"
#include "runtime/Elementwise.h"

#include <cstring>

using namespace qrt;
using namespace qrt::test;

namespace {

struct ConvCase {
  const char *name;
  Shape input; // N C H W
  int64_t outC, kh, kw;
  Conv2dParams p;
  bool bias;
};

void PrintTo(const ConvCase &c, std::ostream *os) { *os << c.name; }

class ConvVsTorch : public ::testing::TestWithParam<ConvCase> {};

TEST_P(ConvVsTorch, MatchesAtenConv2d) {
  const ConvCase &c = GetParam();
  torch::manual_seed(7);
  at::Tensor x =
      torch::rand({c.input[0], c.input[1], c.input[2], c.input[3]}) * 2 - 1;
  at::Tensor w =
      torch::rand({c.outC, c.input[1] / c.p.groups, c.kh, c.kw}) * 2 - 1;
  at::Tensor b = torch::rand({c.outC}) * 2 - 1;

  // Torch pads symmetrically; apply asymmetric pads explicitly first.
  at::Tensor xp = at::constant_pad_nd(
      x, {c.p.padLeft, c.p.padRight, c.p.padTop, c.p.padBottom}, 0.0);
  at::Tensor ref = at::conv2d(
      xp, w, c.bias ? b : at::Tensor(),
      at::IntArrayRef{c.p.strideH, c.p.strideW}, at::IntArrayRef{0, 0},
      at::IntArrayRef{c.p.dilationH, c.p.dilationW}, c.p.groups);
  if (c.p.fuseRelu)
    ref = at::relu(ref);

  Tensor qb = c.bias ? fromTorch(b) : Tensor();
  Expected<ConvPlan> plan = ConvPlan::create(c.input, fromTorch(w), qb, c.p);
  ASSERT_TRUE(plan.hasValue()) << plan.status().toString();
  EXPECT_EQ(plan->outputShape(), Shape(ref.sizes().begin(), ref.sizes().end()));
  Tensor y;
  ASSERT_OK(plan->run(fromTorch(x), y));
  EXPECT_LT(maxRelError(y, ref), 1e-5) << plan->implName();

  // Second run into the preallocated output: cached weights still valid.
  at::Tensor x2 = torch::rand_like(x);
  at::Tensor ref2 = at::conv2d(
      at::constant_pad_nd(
          x2, {c.p.padLeft, c.p.padRight, c.p.padTop, c.p.padBottom}, 0.0),
      w, c.bias ? b : at::Tensor(), at::IntArrayRef{c.p.strideH, c.p.strideW},
      at::IntArrayRef{0, 0}, at::IntArrayRef{c.p.dilationH, c.p.dilationW},
      c.p.groups);
  if (c.p.fuseRelu)
    ref2 = at::relu(ref2);
  ASSERT_OK(plan->run(fromTorch(x2), y));
  EXPECT_LT(maxRelError(y, ref2), 1e-5);

  // New weights into the same plan (training): only the reorder reruns.
  at::Tensor w3 = torch::rand_like(w) * 2 - 1, b3 = torch::rand_like(b);
  ASSERT_OK(plan->updateWeights(fromTorch(w3), c.bias ? fromTorch(b3) : Tensor()));
  at::Tensor ref3 = at::conv2d(
      at::constant_pad_nd(
          x2, {c.p.padLeft, c.p.padRight, c.p.padTop, c.p.padBottom}, 0.0),
      w3, c.bias ? b3 : at::Tensor(), at::IntArrayRef{c.p.strideH, c.p.strideW},
      at::IntArrayRef{0, 0}, at::IntArrayRef{c.p.dilationH, c.p.dilationW},
      c.p.groups);
  if (c.p.fuseRelu)
    ref3 = at::relu(ref3);
  ASSERT_OK(plan->run(fromTorch(x2), y));
  EXPECT_LT(maxRelError(y, ref3), 1e-5);
  // Weights of another shape are refused.
  EXPECT_FALSE(plan->updateWeights(fromTorch(w3.narrow(0, 0, 1)), Tensor()));
}

Conv2dParams params(int64_t s, int64_t d, std::array<int64_t, 4> pad, int64_t g,
                    bool relu) {
  Conv2dParams p;
  p.strideH = p.strideW = s;
  p.dilationH = p.dilationW = d;
  p.padTop = pad[0];
  p.padLeft = pad[1];
  p.padBottom = pad[2];
  p.padRight = pad[3];
  p.groups = g;
  p.fuseRelu = relu;
  return p;
}

INSTANTIATE_TEST_SUITE_P(
    Conv, ConvVsTorch,
    ::testing::
        Values(
            ConvCase{"plain3x3",
                     {2, 3, 9, 11},
                     8,
                     3,
                     3,
                     params(1, 1, {1, 1, 1, 1}, 1, false),
                     true},
            ConvCase{"noBias",
                     {1, 16, 8, 8},
                     32,
                     1,
                     1,
                     params(1, 1, {0, 0, 0, 0}, 1, false),
                     false},
            ConvCase{"stride2",
                     {2, 8, 15, 15},
                     16,
                     3,
                     3,
                     params(2, 1, {1, 1, 1, 1}, 1, true),
                     true},
            ConvCase{"dilation2",
                     {1, 4, 12, 10},
                     6,
                     3,
                     3,
                     params(1, 2, {2, 2, 2, 2}, 1, false),
                     true},
            ConvCase{"groups2",
                     {2, 8, 7, 7},
                     12,
                     3,
                     3,
                     params(1, 1, {1, 1, 1, 1}, 2, false),
                     true},
            ConvCase{"depthwise",
                     {2, 32, 10, 10},
                     32,
                     3,
                     3,
                     params(1, 1, {1, 1, 1, 1}, 32, true),
                     true},
            ConvCase{"depthwiseStride2",
                     {1, 16, 9, 9},
                     16,
                     5,
                     5,
                     params(2, 1, {2, 2, 2, 2}, 16, false),
                     true},
            ConvCase{"asymmetricPads",
                     {1, 3, 8, 9},
                     5,
                     3,
                     2,
                     params(1, 1, {0, 2, 1, 0}, 1, false),
                     true},
            ConvCase{
                "asymStrideDil",
                {2, 6, 13, 11},
                9,
                3,
                3,
                [] {
                  Conv2dParams p = params(1, 1, {1, 0, 2, 3}, 3, true);
                  p.strideH = 2;
                  p.strideW = 3;
                  p.dilationH = 2;
                  return p;
                }(),
                true}),
    [](const auto &info) { return std::string(info.param.name); });

TEST(ConvPlan, RejectsBadShapes) {
  Tensor w = Tensor::zeros({4, 3, 3, 3}, DType::F32);
  Conv2dParams p;
  EXPECT_EQ(ConvPlan::create({1, 4, 8, 8}, w, Tensor(), p).status().code(),
            ErrorCode::InvalidArgument);
  p.groups = 2;
  EXPECT_FALSE(ConvPlan::create({1, 3, 8, 8}, w, Tensor(), p).hasValue());
  p.groups = 1;
  EXPECT_FALSE(ConvPlan::create({1, 3, 2, 2}, w, Tensor(), p).hasValue());
  Expected<ConvPlan> ok = ConvPlan::create({1, 3, 8, 8}, w, Tensor(), p);
  ASSERT_TRUE(ok.hasValue());
  Tensor y;
  EXPECT_FALSE(ok->run(Tensor::zeros({2, 3, 8, 8}, DType::F32), y).isOk());
  Tensor wrongOut = Tensor::zeros({1, 4, 5, 5}, DType::F32);
  EXPECT_FALSE(
      ok->run(Tensor::zeros({1, 3, 8, 8}, DType::F32), wrongOut).isOk());
}

// Residual block tail: y = relu(conv(x) + r) through the sum post-op, with
// every combination of NCHW / channels-last (NHWC) input and output.
TEST(ConvPlan, FusedSumReluMatchesAten) {
  torch::manual_seed(11);
  at::Tensor x = torch::rand({2, 16, 10, 9}) * 2 - 1;
  at::Tensor w = torch::rand({24, 16, 3, 3}) * 2 - 1;
  at::Tensor b = torch::rand({24}) * 2 - 1;
  for (bool relu : {false, true})
    for (bool srcCL : {false, true})
      for (bool dstCL : {false, true}) {
        SCOPED_TRACE(std::string("relu ") + (relu ? "1" : "0") + " srcCL " +
                     (srcCL ? "1" : "0") + " dstCL " + (dstCL ? "1" : "0"));
        at::Tensor r = torch::rand({2, 24, 5, 5}) * 4 - 2;
        at::Tensor ref =
            at::conv2d(x, w, b, at::IntArrayRef{2, 2}, at::IntArrayRef{1, 1}) +
            r;
        if (relu)
          ref = at::relu(ref);
        Conv2dParams p = params(2, 1, {1, 1, 1, 1}, 1, relu);
        p.fuseSum = true;
        p.srcChannelsLast = srcCL;
        p.dstChannelsLast = dstCL;
        at::Tensor xs = srcCL ? x.permute({0, 2, 3, 1}).contiguous() : x;
        Shape inShape(xs.sizes().begin(), xs.sizes().end());
        Expected<ConvPlan> plan =
            ConvPlan::create(inShape, fromTorch(w), fromTorch(b), p);
        ASSERT_TRUE(plan.hasValue()) << plan.status().toString();
        at::Tensor rs = dstCL ? r.permute({0, 2, 3, 1}).contiguous() : r;
        EXPECT_EQ(plan->outputShape(), Shape(rs.sizes().begin(), rs.sizes().end()));
        for (int rep = 0; rep < 2; ++rep) { // second run: cached primitive
          Tensor y = fromTorch(rs);         // the addend, accumulated into
          ASSERT_OK(plan->run(fromTorch(xs), y));
          at::Tensor got = toTorch(y);
          if (dstCL)
            got = got.permute({0, 3, 1, 2}).contiguous();
          EXPECT_LT(maxRelError(fromTorch(got), ref), 1e-5) << plan->implName();
        }
        // The sum needs its addend: an undefined y is an error.
        Tensor none;
        EXPECT_EQ(plan->run(fromTorch(xs), none).code(),
                  ErrorCode::InvalidArgument);
      }
}

// A fused clip (ReLU6, MobileNet's) after the bias and an optional sum: the
// same values as the unfused conv followed by qrt's clip kernel, bit for bit
// (oneDNN's eltwise_clip selects as emath::clip does), and ATen's hardtanh
// within the conv's tolerance; NCHW and channels-last.
TEST(ConvPlan, FusedClipIsTheClipStep) {
  torch::manual_seed(5);
  at::Tensor x = torch::rand({2, 16, 10, 9}) * 2 - 1;
  at::Tensor w = torch::rand({24, 16, 3, 3}) * 2 - 1;
  at::Tensor b = torch::rand({24}) * 2 - 1;
  for (bool sum : {false, true})
    for (bool cl : {false, true}) {
      SCOPED_TRACE(std::string("sum ") + (sum ? "1" : "0") + " channels-last " +
                   (cl ? "1" : "0"));
      at::Tensor r = torch::rand({2, 24, 5, 5}) * 4 - 2;
      Conv2dParams p = params(2, 1, {1, 1, 1, 1}, 1, false);
      p.fuseSum = sum;
      p.srcChannelsLast = p.dstChannelsLast = cl;
      at::Tensor xs = cl ? x.permute({0, 2, 3, 1}).contiguous() : x;
      at::Tensor rs = cl ? r.permute({0, 2, 3, 1}).contiguous() : r;
      Shape inShape(xs.sizes().begin(), xs.sizes().end());
      Expected<ConvPlan> plain =
          ConvPlan::create(inShape, fromTorch(w), fromTorch(b), p);
      ASSERT_TRUE(plain.hasValue()) << plain.status().toString();
      p.fuseClip = true;
      p.clipMin = -0.5f;
      p.clipMax = 1.5f;
      Expected<ConvPlan> fused =
          ConvPlan::create(inShape, fromTorch(w), fromTorch(b), p);
      ASSERT_TRUE(fused.hasValue()) << fused.status().toString();
      Tensor y0 = sum ? fromTorch(rs) : Tensor(), y1 = sum ? fromTorch(rs) : Tensor();
      ASSERT_OK(plain->run(fromTorch(xs), y0));
      ASSERT_OK(fused->run(fromTorch(xs), y1));
      Tensor clipped;
      ASSERT_OK(qrt::clip(y0, -0.5f, 1.5f, clipped));
      ASSERT_EQ(clipped.nbytes(), y1.nbytes());
      EXPECT_EQ(std::memcmp(clipped.rawData(), y1.rawData(), y1.nbytes()), 0)
          << fused->implName();
      at::Tensor ref =
          at::conv2d(x, w, b, at::IntArrayRef{2, 2}, at::IntArrayRef{1, 1});
      if (sum)
        ref = ref + r;
      ref = at::hardtanh(ref, -0.5, 1.5);
      at::Tensor got = toTorch(y1);
      if (cl)
        got = got.permute({0, 3, 1, 2}).contiguous();
      EXPECT_LT(maxRelError(fromTorch(got), ref), 1e-5);
      // Clipped values exist on both sides of the range.
      EXPECT_GT((ref == -0.5).sum().item<int64_t>(), 0);
      EXPECT_GT((ref == 1.5).sum().item<int64_t>(), 0);
    }
  // A clip is not fused together with a ReLU, nor with an empty range.
  Conv2dParams bad = params(1, 1, {1, 1, 1, 1}, 1, true);
  bad.fuseClip = true;
  bad.clipMax = 6.f;
  EXPECT_FALSE(ConvPlan::create({1, 16, 8, 8}, fromTorch(w), Tensor(), bad));
  bad.fuseRelu = false;
  bad.clipMin = 2.f;
  bad.clipMax = 1.f;
  EXPECT_FALSE(ConvPlan::create({1, 16, 8, 8}, fromTorch(w), Tensor(), bad));
}

TEST(LinearPlan, MatchesAtenLinear) {
  torch::manual_seed(3);
  for (bool relu : {false, true}) {
    at::Tensor x = torch::randn({5, 600});
    at::Tensor w = torch::randn({37, 600}) * 0.05;
    at::Tensor b = torch::randn({37});
    at::Tensor ref = at::linear(x, w, b);
    if (relu)
      ref = at::relu(ref);
    Expected<LinearPlan> plan =
        LinearPlan::create({5, 600}, fromTorch(w), fromTorch(b), relu);
    ASSERT_TRUE(plan.hasValue()) << plan.status().toString();
    Tensor y;
    ASSERT_OK(plan->run(fromTorch(x), y));
    EXPECT_LT(maxRelError(y, ref), 1e-5);
    // New weights into the same plan.
    at::Tensor w2 = torch::randn({37, 600}) * 0.05, b2 = torch::randn({37});
    ASSERT_OK(plan->updateWeights(fromTorch(w2), fromTorch(b2)));
    at::Tensor ref2 = at::linear(x, w2, b2);
    if (relu)
      ref2 = at::relu(ref2);
    ASSERT_OK(plan->run(fromTorch(x), y));
    EXPECT_LT(maxRelError(y, ref2), 1e-5);
    EXPECT_FALSE(plan->updateWeights(fromTorch(w2), Tensor()));
  }
  // Without bias.
  at::Tensor x = torch::randn({3, 20});
  at::Tensor w = torch::randn({4, 20});
  Expected<LinearPlan> plan =
      LinearPlan::create({3, 20}, fromTorch(w), Tensor());
  ASSERT_TRUE(plan.hasValue());
  Tensor y;
  ASSERT_OK(plan->run(fromTorch(x), y));
  EXPECT_LT(maxRelError(y, at::linear(x, w)), 1e-5);
  EXPECT_FALSE(LinearPlan::create({3, 21}, fromTorch(w), Tensor()).hasValue());
}

TEST(Matmul, MatchesAtenMatmulWithBroadcast) {
  torch::manual_seed(11);
  std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> cases = {
      {{4, 5}, {5, 3}}, {{2, 4, 5}, {5, 3}}, {{2, 1, 4, 5}, {3, 5, 6}},
      {{5}, {5, 3}},    {{2, 4, 5}, {5}},    {{3, 4, 5}, {3, 5, 2}}};
  for (auto &[as, bs] : cases) {
    at::Tensor a = torch::randn(as), b = torch::randn(bs);
    at::Tensor ref = at::matmul(a, b);
    Tensor out;
    ASSERT_OK(matmul(fromTorch(a), fromTorch(b), out));
    EXPECT_LT(maxRelError(out, ref), 1e-5);
  }
  Tensor out;
  EXPECT_FALSE(matmul(fromTorch(torch::randn({2, 3})),
                      fromTorch(torch::randn({4, 2})), out)
                   .isOk());
  EXPECT_FALSE(matmul(fromTorch(torch::randn({2, 2, 3})),
                      fromTorch(torch::randn({3, 3, 2})), out)
                   .isOk());
}

} // namespace
