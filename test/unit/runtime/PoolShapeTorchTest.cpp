//===- PoolShapeTorchTest.cpp - pooling, resize, data movement vs ATen ----===//
//
// Max pool, concat, pad, transpose and nearest resize must match exactly
// (they select values). Average pool, reduce_mean and bilinear resize: 1e-6
// relative.
//
//===----------------------------------------------------------------------===//

#include "TorchUtil.h"
#include "runtime/Pool.h"
#include "runtime/ShapeOps.h"

using namespace qrt;
using namespace qrt::test;

namespace {

Pool2dParams pool(int64_t k, int64_t s, int64_t pad, bool ceil, bool incl) {
  Pool2dParams p;
  p.kernelH = p.kernelW = k;
  p.strideH = p.strideW = s;
  p.padTop = p.padLeft = p.padBottom = p.padRight = pad;
  p.ceilMode = ceil;
  p.countIncludePad = incl;
  return p;
}

TEST(Pool, MaxAndAvgMatchAten) {
  torch::manual_seed(1);
  for (auto shape : {std::vector<int64_t>{2, 3, 11, 11},
                     std::vector<int64_t>{1, 4, 8, 13}}) {
    at::Tensor x = torch::randn(shape);
    for (int64_t k : {2, 3}) {
      for (int64_t s : {1, 2}) {
        for (int64_t pad : {0, 1}) {
          for (bool ceil : {false, true}) {
            std::string what = "k" + std::to_string(k) + "s" +
                               std::to_string(s) + "p" + std::to_string(pad) +
                               (ceil ? "ceil" : "");
            Tensor y;
            ASSERT_OK(maxPool2d(fromTorch(x), pool(k, s, pad, ceil, false), y));
            at::Tensor ref =
                at::max_pool2d(x, {k, k}, {s, s}, {pad, pad}, {1, 1}, ceil);
            EXPECT_EQ(maxRelError(y, ref), 0) << what;
            for (bool incl : {false, true}) {
              Tensor ya;
              ASSERT_OK(
                  avgPool2d(fromTorch(x), pool(k, s, pad, ceil, incl), ya));
              at::Tensor refA =
                  at::avg_pool2d(x, {k, k}, {s, s}, {pad, pad}, ceil, incl);
              EXPECT_LE(maxRelError(ya, refA), 1e-6) << what << incl;
            }
          }
        }
      }
    }
  }
}

TEST(Pool, DilatedMaxAndAsymmetricPads) {
  torch::manual_seed(4);
  at::Tensor x = torch::randn({1, 2, 10, 9});
  Pool2dParams p = pool(3, 1, 1, false, false);
  p.dilationH = p.dilationW = 2;
  Tensor y;
  ASSERT_OK(maxPool2d(fromTorch(x), p, y));
  EXPECT_EQ(maxRelError(y, at::max_pool2d(x, {3, 3}, {1, 1}, {1, 1}, {2, 2})),
            0);
  // Asymmetric pads: oracle pads explicitly (-inf for max, and average pool
  // excluding pads divides by real elements only: pad with 0 and divide by
  // a pooled ones-mask).
  Pool2dParams a = pool(3, 2, 0, false, false);
  a.padTop = 1;
  a.padLeft = 0;
  a.padBottom = 2;
  a.padRight = 1;
  Tensor ym;
  ASSERT_OK(maxPool2d(fromTorch(x), a, ym));
  at::Tensor xpInf = at::constant_pad_nd(x, {0, 1, 1, 2}, -INFINITY);
  EXPECT_EQ(maxRelError(ym, at::max_pool2d(xpInf, {3, 3}, {2, 2})), 0);
  Tensor ya;
  ASSERT_OK(avgPool2d(fromTorch(x), a, ya));
  at::Tensor sum =
      at::avg_pool2d(at::constant_pad_nd(x, {0, 1, 1, 2}, 0), {3, 3}, {2, 2});
  at::Tensor cnt =
      at::avg_pool2d(at::constant_pad_nd(torch::ones_like(x), {0, 1, 1, 2}, 0),
                     {3, 3}, {2, 2});
  EXPECT_LE(maxRelError(ya, sum / cnt), 1e-6);
}

TEST(Pool, GlobalAvg) {
  torch::manual_seed(8);
  at::Tensor x = torch::randn({3, 5, 7, 6});
  Tensor y;
  ASSERT_OK(globalAvgPool(fromTorch(x), y));
  EXPECT_LE(maxRelError(y, at::adaptive_avg_pool2d(x, {1, 1})), 1e-6);
}

TEST(Pool, ReduceMeanEveryAxisSet) {
  torch::manual_seed(9);
  at::Tensor x = torch::randn({3, 5, 7, 6});
  std::vector<std::vector<int64_t>> sets = {
      {0}, {1}, {3}, {2, 3}, {1, 3}, {0, 2}, {1, 2, 3}, {0, 1, 2, 3}};
  for (const std::vector<int64_t> &axes : sets)
    for (bool keep : {true, false}) {
      Tensor y;
      ASSERT_OK(reduceMean(fromTorch(x), axes, keep, y));
      at::Tensor ref = at::mean(x, axes, keep);
      ASSERT_EQ(y.shape(), Shape(ref.sizes().begin(), ref.sizes().end()));
      EXPECT_LE(maxRelError(y, ref), 1e-6) << axes.size() << keep;
    }
  Tensor y;
  EXPECT_FALSE(reduceMean(fromTorch(x), {2, 1}, true, y).isOk());
  EXPECT_FALSE(reduceMean(fromTorch(x), {4}, true, y).isOk());
  EXPECT_FALSE(reduceMean(fromTorch(x), {}, true, y).isOk());
}

TEST(ShapeOps, ConcatEveryAxisAndDtype) {
  torch::manual_seed(2);
  at::Tensor a = torch::randn({2, 3, 4}), b = torch::randn({2, 3, 4});
  for (int64_t axis : {0, 1, 2, -1}) {
    at::Tensor c = torch::randn({2, 3, 4}).narrow(axis, 0, 2).contiguous();
    Tensor y;
    ASSERT_OK(concat({fromTorch(a), fromTorch(c), fromTorch(b)}, axis, y));
    EXPECT_EQ(maxRelError(y, at::cat({a, c, b}, axis)), 0) << axis;
  }
  at::Tensor i8 = torch::randint(-100, 100, {2, 5}, at::kChar);
  Tensor y;
  ASSERT_OK(concat({fromTorch(i8), fromTorch(i8)}, 1, y));
  EXPECT_TRUE(toTorch(y).equal(at::cat({i8, i8}, 1)));
  Tensor bad;
  EXPECT_FALSE(
      concat({fromTorch(a), fromTorch(torch::ones({2, 4, 4}))}, 2, bad).isOk());
}

// expand: size-1 axes repeated to another shape's sizes, as ATen's expand.
TEST(ShapeOps, ExpandMatchesAten) {
  torch::manual_seed(4);
  at::Tensor t = torch::randn({1, 1, 6}), u = torch::randn({1, 3, 1, 2});
  Tensor y, z;
  ASSERT_OK(expand(fromTorch(t), {5, 9, 9}, {0}, y));
  EXPECT_EQ(maxRelError(y, t.expand({5, 1, 6}).contiguous()), 0);
  ASSERT_OK(expand(fromTorch(u), {4, 3, 7, 2}, {0, 2}, z));
  EXPECT_EQ(maxRelError(z, u.expand({4, 3, 7, 2}).contiguous()), 0);
  Tensor bad;
  EXPECT_FALSE(expand(fromTorch(u), {4, 3, 7, 2}, {1}, bad).isOk());
  EXPECT_FALSE(expand(fromTorch(u), {4}, {2}, bad).isOk());
}

TEST(ShapeOps, PadTransposeFlatten) {
  torch::manual_seed(3);
  at::Tensor x = torch::randn({2, 3, 4, 5});
  Tensor y;
  // ONNX order: begins then ends, per dim.
  ASSERT_OK(padConstant(fromTorch(x), {0, 1, 2, 0, 1, 0, 3, 1}, 0.5, y));
  at::Tensor ref = at::constant_pad_nd(x, {0, 1, 2, 3, 1, 0, 0, 1}, 0.5);
  EXPECT_EQ(maxRelError(y, ref), 0);

  for (auto perm : {std::vector<int64_t>{0, 2, 3, 1},
                    {3, 2, 1, 0},
                    {1, 0, 2, 3},
                    {0, 1, 2, 3}}) {
    Tensor t;
    ASSERT_OK(transpose(fromTorch(x), perm, t));
    EXPECT_EQ(maxRelError(t, x.permute(perm).contiguous()), 0);
  }
  at::Tensor i64 = torch::randint(0, 1000, {3, 4}, at::kLong);
  Tensor t64;
  ASSERT_OK(transpose(fromTorch(i64), {1, 0}, t64));
  EXPECT_TRUE(toTorch(t64).equal(i64.t().contiguous()));
  Tensor bad;
  EXPECT_FALSE(transpose(fromTorch(x), {0, 1, 1, 2}, bad).isOk());

  Expected<Tensor> f = flatten(fromTorch(x), 2);
  ASSERT_TRUE(f.hasValue());
  EXPECT_EQ(f->shape(), (Shape{6, 20}));
  Expected<Tensor> r = reshape(fromTorch(x), {-1, 5});
  ASSERT_TRUE(r.hasValue());
  EXPECT_EQ(r->shape(), (Shape{24, 5}));
}

TEST(Resize, MatchesInterpolate) {
  torch::manual_seed(6);
  at::Tensor x = torch::randn({2, 3, 5, 6});
  namespace F = torch::nn::functional;
  for (auto [oh, ow] : std::vector<std::pair<int64_t, int64_t>>{
           {10, 12}, {7, 9}, {3, 4}, {5, 6}, {11, 5}}) {
    std::vector<int64_t> size = {oh, ow};
    // PyTorch nearest = ONNX asymmetric + floor.
    ResizeParams nearest;
    nearest.coordinateMode = CoordinateMode::Asymmetric;
    nearest.nearestMode = NearestMode::Floor;
    Tensor yn;
    ASSERT_OK(resize2d(fromTorch(x), oh, ow, nearest, yn));
    at::Tensor refN = F::interpolate(
        x, F::InterpolateFuncOptions().size(size).mode(torch::kNearest));
    EXPECT_EQ(maxRelError(yn, refN), 0) << oh << "x" << ow;

    ResizeParams bil;
    bil.mode = ResizeMode::Linear;
    bil.coordinateMode = CoordinateMode::HalfPixel;
    Tensor yb;
    ASSERT_OK(resize2d(fromTorch(x), oh, ow, bil, yb));
    at::Tensor refB = F::interpolate(x, F::InterpolateFuncOptions()
                                            .size(size)
                                            .mode(torch::kBilinear)
                                            .align_corners(false));
    EXPECT_LE(maxRelError(yb, refB), 1e-5) << oh << "x" << ow;

    bil.coordinateMode = CoordinateMode::AlignCorners;
    Tensor ya;
    ASSERT_OK(resize2d(fromTorch(x), oh, ow, bil, ya));
    at::Tensor refA = F::interpolate(x, F::InterpolateFuncOptions()
                                            .size(size)
                                            .mode(torch::kBilinear)
                                            .align_corners(true));
    EXPECT_LE(maxRelError(ya, refA), 1e-5) << oh << "x" << ow;
  }
}

TEST(Resize, OnnxNearestHalfPixelHandCase) {
  // ONNX default (half_pixel, round_prefer_floor), 2 -> 4 on a row:
  // source coords -0.25, 0.25, 0.75, 1.25 -> indices 0, 0, 1, 1.
  Tensor x = Tensor::fromVector<float>({1, 1, 1, 2}, {10, 20});
  Tensor y;
  ASSERT_OK(resize2d(x, 1, 4, ResizeParams(), y));
  const float *p = y.data<float>();
  EXPECT_EQ(std::vector<float>(p, p + 4), (std::vector<float>{10, 10, 20, 20}));
  // 3 -> 2 with asymmetric/round_prefer_ceil: coords 0, 1.5 -> 0, 2.
  Tensor x3 = Tensor::fromVector<float>({1, 1, 1, 3}, {1, 2, 3});
  ResizeParams p2;
  p2.coordinateMode = CoordinateMode::Asymmetric;
  p2.nearestMode = NearestMode::RoundPreferCeil;
  Tensor y2;
  ASSERT_OK(resize2d(x3, 1, 2, p2, y2));
  EXPECT_EQ(y2.data<float>()[1], 3);
  p2.nearestMode = NearestMode::RoundPreferFloor;
  Tensor y3;
  ASSERT_OK(resize2d(x3, 1, 2, p2, y3));
  EXPECT_EQ(y3.data<float>()[1], 2);
}

} // namespace
