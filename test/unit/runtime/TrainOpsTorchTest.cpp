//===- TrainOpsTorchTest.cpp - backward kernels, BN train, losses vs ATen -===//
//
// Oracle: LibTorch autograd on the same inputs. Data-movement gradients (pad,
// relu) match exactly; pooling and broadcast sums 1e-6 relative (broadcast
// sums against a double-precision oracle); batch norm 1e-5; group norm's
// backward 1e-5 against a double-precision oracle.
//
//===----------------------------------------------------------------------===//

#include "TorchUtil.h"
#include "runtime/Elementwise.h"
#include "runtime/ShapeOps.h"
#include "runtime/TrainOps.h"

#include <cstring>
#include <limits>

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

/// Gradient of sum(f(x) * dy) with respect to x.
template <typename F> at::Tensor gradOf(at::Tensor x, at::Tensor dy, F f) {
  x = x.detach().clone().requires_grad_(true);
  at::Tensor y = f(x);
  y.backward(dy);
  return x.grad();
}

TEST(TrainOps, ReluBackward) {
  torch::manual_seed(1);
  at::Tensor x = torch::randn({2, 3, 5, 7});
  at::Tensor dy = torch::randn({2, 3, 5, 7});
  at::Tensor ref = gradOf(x, dy, [](at::Tensor t) { return at::relu(t); });
  Tensor dx;
  ASSERT_OK(reluBackward(fromTorch(at::relu(x)), fromTorch(dy), dx));
  EXPECT_EQ(maxRelError(dx, ref), 0);
  // In place (dx aliases dy).
  Tensor g = fromTorch(dy);
  ASSERT_OK(reluBackward(fromTorch(at::relu(x)), g, g));
  EXPECT_EQ(maxRelError(g, ref), 0);
}

TEST(TrainOps, MaxPoolBackward) {
  torch::manual_seed(2);
  for (auto shape :
       {std::vector<int64_t>{2, 3, 11, 11}, std::vector<int64_t>{1, 4, 8, 13}})
    for (int64_t k : {2, 3})
      for (int64_t s : {1, 2})
        for (int64_t pad : {0, 1})
          for (bool ceil : {false, true}) {
            if (pad * 2 > k)
              continue;
            at::Tensor x = torch::randn(shape);
            at::Tensor y =
                at::max_pool2d(x, {k, k}, {s, s}, {pad, pad}, {1, 1}, ceil);
            at::Tensor dy = torch::randn(y.sizes());
            at::Tensor ref = gradOf(x, dy, [&](at::Tensor t) {
              return at::max_pool2d(t, {k, k}, {s, s}, {pad, pad}, {1, 1},
                                    ceil);
            });
            Tensor dx;
            ASSERT_OK(maxPool2dBackward(
                fromTorch(x), pool(k, s, pad, ceil, false), fromTorch(dy), dx));
            EXPECT_LE(maxRelError(dx, ref), 1e-6)
                << k << s << pad << ceil << shape[3];
          }
  // NaNs and ties (-inf everywhere in a window) follow PyTorch's rule.
  {
    at::Tensor x = torch::randn({1, 1, 6, 6});
    x[0][0][1][1] = NAN;
    x[0][0][1][2] = NAN;
    x[0][0][4].fill_(-INFINITY);
    x[0][0][5].fill_(-INFINITY);
    at::Tensor dy = torch::randn({1, 1, 3, 3});
    at::Tensor ref = gradOf(x, dy, [](at::Tensor t) {
      return at::max_pool2d(t, {2, 2}, {2, 2});
    });
    Tensor dx;
    ASSERT_OK(maxPool2dBackward(fromTorch(x), pool(2, 2, 0, false, false),
                                fromTorch(dy), dx));
    EXPECT_EQ(maxRelError(dx, ref), 0);
  }
  // Dilation.
  at::Tensor x = torch::randn({1, 2, 10, 9});
  Pool2dParams p = pool(3, 1, 1, false, false);
  p.dilationH = p.dilationW = 2;
  at::Tensor dy = torch::randn({1, 2, 8, 7});
  at::Tensor ref = gradOf(x, dy, [](at::Tensor t) {
    return at::max_pool2d(t, {3, 3}, {1, 1}, {1, 1}, {2, 2});
  });
  Tensor dx;
  ASSERT_OK(maxPool2dBackward(fromTorch(x), p, fromTorch(dy), dx));
  EXPECT_LE(maxRelError(dx, ref), 1e-6);
}

TEST(TrainOps, AvgPoolBackward) {
  torch::manual_seed(3);
  for (auto shape :
       {std::vector<int64_t>{2, 3, 11, 11}, std::vector<int64_t>{1, 4, 8, 13}})
    for (int64_t k : {2, 3})
      for (int64_t s : {1, 2})
        for (int64_t pad : {0, 1})
          for (bool ceil : {false, true})
            for (bool incl : {false, true}) {
              at::Tensor x = torch::randn(shape);
              at::Tensor y =
                  at::avg_pool2d(x, {k, k}, {s, s}, {pad, pad}, ceil, incl);
              at::Tensor dy = torch::randn(y.sizes());
              at::Tensor ref = gradOf(x, dy, [&](at::Tensor t) {
                return at::avg_pool2d(t, {k, k}, {s, s}, {pad, pad}, ceil,
                                      incl);
              });
              Tensor dx;
              ASSERT_OK(avgPool2dBackward(fromTorch(x).shape(),
                                          pool(k, s, pad, ceil, incl),
                                          fromTorch(dy), dx));
              EXPECT_LE(maxRelError(dx, ref), 1e-6)
                  << k << s << pad << ceil << incl;
            }
}

TEST(TrainOps, GlobalAvgPoolBackward) {
  torch::manual_seed(4);
  at::Tensor x = torch::randn({3, 5, 7, 6});
  at::Tensor dy = torch::randn({3, 5, 1, 1});
  at::Tensor ref = gradOf(x, dy, [](at::Tensor t) {
    return at::adaptive_avg_pool2d(t, {1, 1});
  });
  Tensor dx;
  ASSERT_OK(globalAvgPoolBackward({3, 5, 7, 6}, fromTorch(dy), dx));
  EXPECT_LE(maxRelError(dx, ref), 1e-6);
}

TEST(TrainOps, PadBackward) {
  torch::manual_seed(5);
  at::Tensor x = torch::randn({2, 3, 5, 6});
  // ONNX pads [n_b, c_b, h_b, w_b, n_e, c_e, h_e, w_e]; ATen's constant_pad_nd
  // takes (w_b, w_e, h_b, h_e, ...). Includes a negative (cropping) pad.
  std::vector<int64_t> pads = {0, 0, 1, 2, 0, 0, 3, -1};
  at::Tensor dy = torch::randn({2, 3, 9, 7});
  at::Tensor ref = gradOf(x, dy, [](at::Tensor t) {
    return at::constant_pad_nd(t, {2, -1, 1, 3}, 0.0);
  });
  Tensor dx;
  ASSERT_OK(padBackward({2, 3, 5, 6}, pads, fromTorch(dy), dx));
  EXPECT_EQ(maxRelError(dx, ref), 0);
  // Rank 1 and rank 0.
  Tensor d1;
  ASSERT_OK(padBackward(
      {3}, {2, 1}, Tensor::fromVector<float>({6}, {1, 2, 3, 4, 5, 6}), d1));
  EXPECT_EQ(std::vector<float>(d1.data<float>(), d1.data<float>() + 3),
            (std::vector<float>{3, 4, 5}));
  Tensor d0;
  ASSERT_OK(padBackward({}, {}, Tensor::fromVector<float>({}, {7.f}), d0));
  EXPECT_EQ(d0.data<float>()[0], 7.f);
  EXPECT_FALSE(padBackward({3}, {1, 1}, Tensor::zeros({4}, DType::F32), d1));
}

// pad_grad -> add -> relu_grad in one pass (the backward of a ResNet's
// relu(conv(pad(x)) + shortcut)) against ATen's threshold_backward of
// (addend + the cropped dy), and bit-identical to the separate kernels.
TEST(TrainOps, PadBackwardAddReluBackwardFused) {
  torch::manual_seed(12);
  std::vector<int64_t> pads = {0, 0, 1, 1, 0, 0, 1, 1};
  Shape xs = {4, 8, 28, 28};
  for (bool withAdd : {false, true}) {
    at::Tensor y = at::relu(torch::randn({4, 8, 28, 28}));
    at::Tensor dyPad = torch::randn({4, 8, 30, 30});
    at::Tensor a = torch::randn({4, 8, 28, 28});
    at::Tensor crop = dyPad.narrow(2, 1, 28).narrow(3, 1, 28);
    at::Tensor ref = at::threshold_backward(withAdd ? a + crop : crop, y, 0);
    Tensor dx, ta = fromTorch(a), ty = fromTorch(y);
    ASSERT_OK(padBackwardAddReluBackward(xs, pads, fromTorch(dyPad),
                                         withAdd ? &ta : nullptr, ty, dx));
    EXPECT_EQ(maxRelError(dx, ref), 0);
    Tensor d1, d2, d3;
    ASSERT_OK(padBackward(xs, pads, fromTorch(dyPad), d1));
    if (withAdd)
      ASSERT_OK(add(ta, d1, d2));
    else
      d2 = d1;
    ASSERT_OK(reluBackward(ty, d2, d3));
    EXPECT_EQ(std::memcmp(dx.rawData(), d3.rawData(), d3.nbytes()), 0);
  }
  Tensor dx, bad = Tensor::zeros({4, 8, 27, 28}, DType::F32);
  EXPECT_FALSE(padBackwardAddReluBackward(
      xs, pads, Tensor::zeros({4, 8, 30, 30}, DType::F32), &bad,
      Tensor::zeros(xs, DType::F32), dx));
}

TEST(TrainOps, AddBroadcastBackward) {
  torch::manual_seed(6);
  struct Case {
    std::vector<int64_t> a, b;
  };
  for (const Case &c :
       {Case{{2, 3, 4, 5}, {3, 1, 1}}, Case{{2, 3, 4, 5}, {5}},
        Case{{2, 1, 4, 1}, {1, 3, 1, 5}}, Case{{2, 3, 4, 5}, {2, 3, 4, 5}},
        Case{{4, 5}, {1, 1}}, Case{{3, 1}, {2, 1, 6}},
        // Large enough for the chunked (threaded) path.
        Case{{64, 32, 8, 8}, {32, 1, 1}}, Case{{256, 300}, {300}},
        Case{{2, 40000}, {40000}}}) {
    // The oracle sums in double (qrt accumulates in double; ATen's float
    // sums of 10^5 terms are off by ~1e-6).
    auto f64 = at::TensorOptions().dtype(at::kDouble);
    at::Tensor a = torch::randn(c.a, f64).requires_grad_(true);
    at::Tensor b = torch::randn(c.b, f64).requires_grad_(true);
    at::Tensor y = a + b;
    at::Tensor dy = torch::randn(y.sizes()).to(at::kDouble);
    y.backward(dy);
    Tensor da, db;
    ASSERT_OK(addBackward(fromTorch(dy.to(at::kFloat)),
                          Shape(c.a.begin(), c.a.end()),
                          Shape(c.b.begin(), c.b.end()), da, db));
    EXPECT_LE(maxRelError(da, a.grad()), 1e-6);
    EXPECT_LE(maxRelError(db, b.grad()), 1e-6);
  }
  Tensor bad;
  EXPECT_FALSE(reduceSumToShape(Tensor::zeros({2, 3}, DType::F32), {4}, bad));
}

TEST(TrainOps, BatchNormTrainForwardBackward) {
  torch::manual_seed(7);
  for (auto shape :
       {std::vector<int64_t>{4, 3, 5, 6}, std::vector<int64_t>{8, 5}}) {
    int64_t c = shape[1];
    at::Tensor x = torch::randn(shape) * 2 + 0.5;
    at::Tensor gamma = torch::rand({c}) + 0.5;
    at::Tensor beta = torch::randn({c});
    at::Tensor rm = torch::randn({c}), rv = torch::rand({c}) + 0.5;
    Tensor qrm = fromTorch(rm), qrv = fromTorch(rv);

    at::Tensor xr = x.clone().requires_grad_(true);
    at::Tensor gr = gamma.clone().requires_grad_(true);
    at::Tensor br = beta.clone().requires_grad_(true);
    at::Tensor y = at::batch_norm(xr, gr, br, rm, rv, /*training=*/true,
                                  /*momentum=*/0.1, /*eps=*/1e-5, false);
    at::Tensor dy = torch::randn(shape);
    y.backward(dy);

    Tensor qy, mean, invstd;
    ASSERT_OK(batchNormTrainForward(fromTorch(x), fromTorch(gamma),
                                    fromTorch(beta), qrm, qrv, 0.1f, 1e-5f, qy,
                                    mean, invstd));
    EXPECT_LE(maxRelError(qy, y.detach()), 1e-5);
    EXPECT_LE(maxRelError(qrm, rm), 1e-6);
    EXPECT_LE(maxRelError(qrv, rv), 1e-6);
    std::vector<int64_t> red = {0};
    for (size_t d = 2; d < shape.size(); ++d)
      red.push_back(d);
    EXPECT_LE(maxRelError(mean, x.mean(red)), 1e-6);
    EXPECT_LE(maxRelError(invstd, 1.0 / (x.var(red, false) + 1e-5).sqrt()),
              1e-5);

    Tensor dx, dg, db;
    ASSERT_OK(batchNormTrainBackward(fromTorch(x), fromTorch(gamma), mean,
                                     invstd, fromTorch(dy), dx, dg, db));
    EXPECT_LE(maxRelError(dx, xr.grad()), 1e-5);
    EXPECT_LE(maxRelError(dg, gr.grad()), 1e-5);
    EXPECT_LE(maxRelError(db, br.grad()), 1e-5);
  }
}

TEST(TrainOps, GroupNormBackward) {
  torch::manual_seed(11);
  for (int64_t groups : {1, 2, 4}) {
    std::vector<int64_t> shape = {3, 8, 5, 6};
    at::Tensor x = torch::randn(shape) * 2 + 0.5;
    at::Tensor gamma = torch::rand({8}) + 0.5;
    at::Tensor beta = torch::randn({8});
    at::Tensor dy = torch::randn(shape);
    // The oracle in double on the same float inputs.
    auto f64 = [](const at::Tensor &t) {
      return t.to(at::kDouble).requires_grad_(true);
    };
    at::Tensor xr = f64(x), gr = f64(gamma), br = f64(beta);
    at::group_norm(xr, groups, gr, br, 1e-5).backward(dy.to(at::kDouble));

    Tensor dx, dg, db;
    ASSERT_OK(groupNormBackward(fromTorch(x), fromTorch(gamma), fromTorch(dy),
                                groups, 1e-5f, dx, dg, db));
    EXPECT_LE(maxRelError(dx, xr.grad()), 1e-5) << groups << " groups";
    EXPECT_LE(maxRelError(dg, gr.grad()), 1e-5) << groups << " groups";
    EXPECT_LE(maxRelError(db, br.grad()), 1e-5) << groups << " groups";
    // The forward's x̂: the float forward, dy = 1 on the bias's gradient.
    Tensor y;
    ASSERT_OK(groupNorm(fromTorch(x), fromTorch(gamma), fromTorch(beta), groups,
                        1e-5f, y));
    EXPECT_LE(maxRelError(y, at::group_norm(x.to(at::kDouble), groups,
                                            gamma.to(at::kDouble),
                                            beta.to(at::kDouble), 1e-5)),
              1e-5);
  }
  Tensor dx, dg, db;
  EXPECT_FALSE(groupNormBackward(
      Tensor::zeros({2, 6, 3}, DType::F32), Tensor::zeros({6}, DType::F32),
      Tensor::zeros({2, 6, 3}, DType::F32), 4, 1e-5f, dx, dg, db));
}

TEST(TrainOps, SoftmaxCrossEntropy) {
  torch::manual_seed(8);
  at::Tensor logits = torch::randn({16, 10}) * 3;
  at::Tensor labels = torch::randint(0, 10, {16}, at::kLong);
  at::Tensor lr = logits.clone().requires_grad_(true);
  at::Tensor loss = at::cross_entropy_loss(lr, labels);
  loss.backward();
  float q = 0;
  Tensor d;
  ASSERT_OK(softmaxCrossEntropy(fromTorch(logits), fromTorch(labels), q, d));
  EXPECT_NEAR(q, loss.item<float>(), 1e-5 * (1 + std::fabs(q)));
  EXPECT_LE(maxRelError(d, lr.grad()), 1e-6);
  // i32 labels and a bad label.
  Tensor d2;
  float q2 = 0;
  ASSERT_OK(softmaxCrossEntropy(fromTorch(logits),
                                fromTorch(labels.to(at::kInt)), q2, d2));
  EXPECT_EQ(q2, q);
  Tensor badLabels = Tensor::fromVector<int64_t>({2}, {0, 10});
  Status s = softmaxCrossEntropy(Tensor::zeros({2, 10}, DType::F32), badLabels,
                                 q2, d2 = Tensor());
  EXPECT_EQ(s.code(), ErrorCode::InvalidArgument);
}

TEST(TrainOps, MseLoss) {
  torch::manual_seed(9);
  at::Tensor p = torch::randn({4, 3, 5, 5}), t = torch::randn({4, 3, 5, 5});
  at::Tensor pr = p.clone().requires_grad_(true);
  at::Tensor loss = at::mse_loss(pr, t);
  loss.backward();
  float q = 0;
  Tensor d;
  ASSERT_OK(mseLoss(fromTorch(p), fromTorch(t), q, d));
  EXPECT_NEAR(q, loss.item<float>(), 1e-6 * (1 + q));
  EXPECT_LE(maxRelError(d, pr.grad()), 1e-6);
}

//===-- Detection losses vs PyTorch autograd (float64 oracles) -----------===//

/// torchvision.ops.sigmoid_focal_loss(x, onehot, alpha, gamma, "sum").
static at::Tensor torchFocal(const at::Tensor &x, const at::Tensor &onehot,
                             double alpha, double gamma) {
  at::Tensor p = torch::sigmoid(x);
  at::Tensor ce = at::binary_cross_entropy_with_logits(
      x, onehot, {}, {}, at::Reduction::None);
  at::Tensor pt = p * onehot + (1 - p) * (1 - onehot);
  at::Tensor loss = ce * torch::pow(1 - pt, gamma);
  if (alpha >= 0)
    loss = (alpha * onehot + (1 - alpha) * (1 - onehot)) * loss;
  return loss.sum();
}

TEST(TrainOps, SigmoidFocalLoss) {
  torch::manual_seed(10);
  at::Tensor x = torch::randn({3, 5, 4, 6}, at::kDouble) * 4;
  at::Tensor cls = torch::randint(-1, 5, {3, 4, 6}, at::kInt);
  cls.index_put_({0, 0, 0}, -1);
  at::Tensor onehot = torch::zeros({3, 5, 4, 6}, at::kDouble);
  for (int64_t n = 0; n < 3; ++n)
    for (int64_t i = 0; i < 4; ++i)
      for (int64_t j = 0; j < 6; ++j)
        if (int c = cls.index({n, i, j}).item<int>(); c >= 0)
          onehot.index_put_({n, c, i, j}, 1.0);
  float norm = 7.f;
  for (auto [alpha, gamma] : {std::pair{0.25, 2.0}, std::pair{-1.0, 0.0},
                              std::pair{0.5, 1.0}, std::pair{0.25, 1.5}}) {
    SCOPED_TRACE("alpha " + std::to_string(alpha) + " gamma " +
                 std::to_string(gamma));
    at::Tensor xr = x.clone().requires_grad_(true);
    at::Tensor loss = torchFocal(xr, onehot, alpha, gamma) / norm;
    loss.backward();
    float q = 0;
    Tensor d;
    ASSERT_OK(sigmoidFocalLoss(fromTorch(x.to(at::kFloat)), fromTorch(cls),
                               norm, alpha, gamma, q, d));
    // The oracle runs on the f32-rounded logits' double values.
    EXPECT_NEAR(q, loss.item<double>(), 2e-6 * (1 + std::fabs(q)));
    EXPECT_LE(maxRelError(d, xr.grad().to(at::kFloat)), 2e-5);
  }
  // A class outside [-1, C), a bad norm, mismatched shapes.
  Tensor d;
  float q = 0;
  Tensor logits = Tensor::zeros({1, 3, 2}, DType::F32);
  Status s = sigmoidFocalLoss(logits, Tensor::fromVector<int32_t>({1, 2}, {0, 3}),
                              1.f, 0.25, 2.0, q, d);
  EXPECT_EQ(s.code(), ErrorCode::InvalidArgument);
  EXPECT_NE(s.message().find("class 3 at position 1 outside [-1, 3)"),
            std::string::npos) << s.message();
  s = sigmoidFocalLoss(logits, Tensor::fromVector<int32_t>({1, 2}, {0, 1}), 0.f,
                       0.25, 2.0, q, d = Tensor());
  EXPECT_NE(s.message().find("norm must be positive"), std::string::npos);
  s = sigmoidFocalLoss(logits, Tensor::fromVector<int32_t>({1, 3}, {0, 1, 2}),
                       1.f, 0.25, 2.0, q, d = Tensor());
  EXPECT_EQ(s.code(), ErrorCode::InvalidArgument);
}

/// models/detection/train.py's giou_loss, per position, boxes [N, 4, d...].
static at::Tensor torchGiou(const at::Tensor &p, const at::Tensor &t) {
  auto c = [](const at::Tensor &x, int64_t k) { return x.select(1, k); };
  at::Tensor pa = (c(p, 0) + c(p, 2)) * (c(p, 1) + c(p, 3));
  at::Tensor ta = (c(t, 0) + c(t, 2)) * (c(t, 1) + c(t, 3));
  at::Tensor iw = torch::min(c(p, 0), c(t, 0)) + torch::min(c(p, 2), c(t, 2));
  at::Tensor ih = torch::min(c(p, 1), c(t, 1)) + torch::min(c(p, 3), c(t, 3));
  at::Tensor inter = iw * ih;
  at::Tensor uni = pa + ta - inter;
  at::Tensor iou = inter / uni.clamp_min(1e-6);
  at::Tensor ew = torch::max(c(p, 0), c(t, 0)) + torch::max(c(p, 2), c(t, 2));
  at::Tensor eh = torch::max(c(p, 1), c(t, 1)) + torch::max(c(p, 3), c(t, 3));
  at::Tensor enc = (ew * eh).clamp_min(1e-6);
  return (1 - iou + (enc - uni) / enc).unsqueeze(1);
}

TEST(TrainOps, GiouLoss) {
  torch::manual_seed(11);
  // Predictions after a ReLU (some exactly 0), targets inside boxes.
  at::Tensor p = torch::relu(torch::randn({2, 4, 3, 5}, at::kDouble) * 2 + 1);
  at::Tensor t = torch::rand({2, 4, 3, 5}, at::kDouble) * 3 + 0.1;
  p = p.to(at::kFloat).to(at::kDouble);
  t = t.to(at::kFloat).to(at::kDouble);
  // Ties of min / max (the gradient splits), a disjoint box (IoU 0).
  p.index_put_({0, 0, 0, 0}, t.index({0, 0, 0, 0}));
  p.index_put_({0, 2, 1, 1}, t.index({0, 2, 1, 1}));
  p.index_put_({1, torch::indexing::Slice(), 2, 4}, 0.0);
  at::Tensor w = torch::rand({2, 1, 3, 5}, at::kDouble).to(at::kFloat)
                     .to(at::kDouble);
  w.index_put_({1, 0, 0, 0}, 0.0);
  w.index_put_({0, 0, 2, 3}, 0.0);
  float norm = 3.5f;
  at::Tensor pr = p.clone().requires_grad_(true);
  at::Tensor loss = (torchGiou(pr, t) * w).sum() / norm;
  loss.backward();
  float q = 0;
  Tensor d;
  ASSERT_OK(giouLoss(fromTorch(p.to(at::kFloat)), fromTorch(t.to(at::kFloat)),
                     fromTorch(w.to(at::kFloat)), norm, q, d));
  EXPECT_NEAR(q, loss.item<double>(), 1e-6 * (1 + std::fabs(q)));
  EXPECT_LE(maxRelError(d, pr.grad().to(at::kFloat)), 1e-5);
  // Weight-0 positions: zero gradient, even where the formula has no box.
  Tensor zeros = Tensor::zeros({1, 4, 2}, DType::F32);
  Tensor w0 = Tensor::zeros({1, 1, 2}, DType::F32);
  ASSERT_OK(giouLoss(zeros, zeros, w0, 1.f, q, d = Tensor()));
  EXPECT_EQ(q, 0.f);
  for (int64_t i = 0; i < d.numel(); ++i)
    EXPECT_EQ(d.data<float>()[i], 0.f);
  Status s = giouLoss(Tensor::zeros({1, 3, 2}, DType::F32),
                      Tensor::zeros({1, 3, 2}, DType::F32), w0, 1.f, q,
                      d = Tensor());
  EXPECT_EQ(s.code(), ErrorCode::InvalidArgument);
}

TEST(TrainOps, BceWithLogitsLoss) {
  torch::manual_seed(12);
  at::Tensor x = (torch::randn({3, 1, 4, 4}, at::kDouble) * 5)
                     .to(at::kFloat).to(at::kDouble);
  at::Tensor t = torch::rand({3, 1, 4, 4}, at::kDouble).to(at::kFloat)
                     .to(at::kDouble);
  at::Tensor w = (torch::rand({3, 1, 4, 4}) > 0.4).to(at::kDouble);
  float norm = 9.f;
  at::Tensor xr = x.clone().requires_grad_(true);
  at::Tensor loss = at::binary_cross_entropy_with_logits(
                        xr, t, w, {}, at::Reduction::Sum) / norm;
  loss.backward();
  float q = 0;
  Tensor d;
  ASSERT_OK(bceWithLogitsLoss(fromTorch(x.to(at::kFloat)),
                              fromTorch(t.to(at::kFloat)),
                              fromTorch(w.to(at::kFloat)), norm, q, d));
  EXPECT_NEAR(q, loss.item<double>(), 1e-6 * (1 + std::fabs(q)));
  EXPECT_LE(maxRelError(d, xr.grad().to(at::kFloat)), 1e-6);
}

TEST(TrainOps, FirstNonFinite) {
  Tensor t = Tensor::zeros({100000}, DType::F32);
  EXPECT_EQ(firstNonFinite(t), -1);
  EXPECT_TRUE(checkFinite(t, "x").isOk());
  t.data<float>()[70001] = std::numeric_limits<float>::infinity();
  t.data<float>()[99999] = std::nanf("");
  EXPECT_EQ(firstNonFinite(t), 70001);
  t.data<float>()[3] = -std::numeric_limits<float>::infinity();
  EXPECT_EQ(firstNonFinite(t), 3);
  Status s = checkFinite(t, "conv2d_3 dW");
  EXPECT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("conv2d_3 dW"), std::string::npos);
  EXPECT_NE(s.message().find("index 3"), std::string::npos);
  t.data<float>()[3] = 0.f;
  t.data<float>()[70001] = 0.f;
  EXPECT_EQ(firstNonFinite(t), 99999);
  EXPECT_NE(checkFinite(t, "y").message().find("nan"), std::string::npos);
}

} // namespace
