//===- DetectionTargetsTest.cpp - FCOS targets, by hand ------------------===//
//
// Hand-checkable cases of runtime/DetectionTargets.h; the oracle test
// against train.py's targets_for is test/e2e/detection-targets.test.
//
//===----------------------------------------------------------------------===//

#include "runtime/DetectionTargets.h"
#include "runtime/Dataset.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace qrt;

namespace {

// One level of stride 8 on a 32x32 image: points at 4, 12, 20, 28.
const std::vector<FcosLevel> kOneLevel = {{8, 4, 4}};

std::vector<Tensor> targetsOf(const std::vector<std::vector<LabeledBox>> &batch,
                              const std::vector<FcosLevel> &levels,
                              FcosTargetSpec spec = {}) {
  Expected<std::vector<Tensor>> t = fcosTargets(batch, levels, 10, spec);
  EXPECT_TRUE(t.hasValue()) << t.status().toString();
  return t.hasValue() ? *t : std::vector<Tensor>();
}

TEST(FcosTargets, OneBoxByHand) {
  // Box (2, 2)-(22, 14), center (12, 8). Inside: x in {4, 12, 20}, y in
  // {4, 12}; all within 1.5 x 8 = 12 of the center: 6 positives.
  std::vector<Tensor> t = targetsOf({{{2, 2, 22, 14, 3}}}, kOneLevel);
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t[0].shape(), (Shape{1, 4, 4}));
  EXPECT_EQ(t[1].shape(), (Shape{1, 4, 4, 4}));
  EXPECT_EQ(t[2].shape(), (Shape{1, 1, 4, 4}));
  EXPECT_EQ(t[3].shape(), (Shape{1, 1, 4, 4}));
  EXPECT_EQ(t[4].shape(), Shape{});
  const int32_t *cls = t[0].data<int32_t>();
  const float *box = t[1].data<float>(), *ctr = t[2].data<float>();
  const float *pos = t[3].data<float>();
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) {
      bool positive = x < 3 && y < 2;
      EXPECT_EQ(cls[y * 4 + x], positive ? 3 : -1) << x << "," << y;
      EXPECT_EQ(pos[y * 4 + x], positive ? 1.f : 0.f) << x << "," << y;
      if (!positive) {
        EXPECT_EQ(ctr[y * 4 + x], 0.f);
        for (int c = 0; c < 4; ++c)
          EXPECT_EQ(box[c * 16 + y * 4 + x], 0.f);
      }
    }
  // Point (4, 4): l, t, r, b = 2, 2, 18, 10 pixels, / 8.
  EXPECT_EQ(box[0 * 16 + 0], 0.25f);
  EXPECT_EQ(box[1 * 16 + 0], 0.25f);
  EXPECT_EQ(box[2 * 16 + 0], 2.25f);
  EXPECT_EQ(box[3 * 16 + 0], 1.25f);
  // Centerness sqrt(2/18 * 2/10) = sqrt(1/45) at the four corners of the
  // positives, sqrt(10/10 * 2/10) = sqrt(0.2) at x = 12.
  const double corner = std::sqrt(1.0 / 45), middle = std::sqrt(0.2);
  EXPECT_FLOAT_EQ(ctr[0], corner);
  EXPECT_FLOAT_EQ(ctr[1], middle);
  EXPECT_FLOAT_EQ(ctr[2], corner);
  EXPECT_FLOAT_EQ(ctr[4], corner);
  EXPECT_FLOAT_EQ(ctr[5], middle);
  EXPECT_FLOAT_EQ(ctr[6], corner);
  EXPECT_EQ(t[4].data<float>()[0], 6.f);
  EXPECT_FLOAT_EQ(t[5].data<float>()[0], 4 * corner + 2 * middle);
}

TEST(FcosTargets, CenterSamplingIsStrict) {
  // radius 1 (8 pixels): |4 - 12| = |20 - 12| = 8 is not < 8; only x = 12.
  FcosTargetSpec spec;
  spec.centerRadius = 1.0;
  std::vector<Tensor> t = targetsOf({{{2, 2, 22, 14, 3}}}, kOneLevel, spec);
  const int32_t *cls = t[0].data<int32_t>();
  EXPECT_EQ(cls[1], 3);
  EXPECT_EQ(cls[5], 3);
  EXPECT_EQ(t[4].data<float>()[0], 2.f);
}

TEST(FcosTargets, SizeRangesPickTheLevel) {
  // Two levels split at 16: at level 0, points whose largest distance is 18
  // (x = 4, 20) fall out; x = 12 (largest 10) stays.
  FcosTargetSpec spec;
  spec.sizeBounds = {16};
  std::vector<Tensor> t =
      targetsOf({{{2, 2, 22, 14, 3}}}, {{8, 4, 4}, {16, 2, 2}}, spec);
  ASSERT_EQ(t.size(), 10u);
  const int32_t *cls = t[0].data<int32_t>();
  EXPECT_EQ(cls[0], -1);
  EXPECT_EQ(cls[1], 3);
  EXPECT_EQ(cls[2], -1);
  EXPECT_EQ(cls[5], 3);
  EXPECT_EQ(t[8].data<float>()[0], 2.f);
}

TEST(FcosTargets, SmallestAreaThenFirstOnTies) {
  // Point (12, 12) lies in all three; A and B have the same area (256).
  LabeledBox a{0, 0, 16, 16, 1}, b{2, 2, 18, 18, 2}, small{10, 10, 15, 15, 5};
  const int point = 1 * 4 + 1;
  EXPECT_EQ(targetsOf({{a, b}}, kOneLevel)[0].data<int32_t>()[point], 1);
  EXPECT_EQ(targetsOf({{b, a}}, kOneLevel)[0].data<int32_t>()[point], 2);
  std::vector<Tensor> t = targetsOf({{a, b, small}}, kOneLevel);
  EXPECT_EQ(t[0].data<int32_t>()[point], 5);
  // Its distances are the small box's: 2, 2, 3, 3 pixels.
  EXPECT_EQ(t[1].data<float>()[0 * 16 + point], 0.25f);
  EXPECT_EQ(t[1].data<float>()[2 * 16 + point], 0.375f);
}

TEST(FcosTargets, EmptyImagesAreBackground) {
  std::vector<Tensor> t = targetsOf({{}, {}}, {{8, 4, 4}, {16, 2, 2}});
  ASSERT_EQ(t.size(), 10u);
  for (int l = 0; l < 2; ++l) {
    const Tensor &cls = t[4 * l];
    for (int64_t i = 0; i < cls.numel(); ++i)
      EXPECT_EQ(cls.data<int32_t>()[i], -1);
    for (int k = 1; k < 4; ++k)
      for (int64_t i = 0; i < t[4 * l + k].numel(); ++i)
        EXPECT_EQ(t[4 * l + k].data<float>()[i], 0.f);
  }
  EXPECT_EQ(t[8].data<float>()[0], 1.f);
  EXPECT_EQ(t[9].data<float>()[0], 1e-6f);
}

TEST(FcosTargets, Errors) {
  auto message = [](const std::vector<std::vector<LabeledBox>> &batch,
                    const std::vector<FcosLevel> &levels,
                    FcosTargetSpec spec = {}) {
    Expected<std::vector<Tensor>> t = fcosTargets(batch, levels, 10, spec);
    return t.hasValue() ? std::string() : t.status().message();
  };
  EXPECT_NE(message({{{2, 2, 22, 14, 10}}}, kOneLevel)
                .find("image 0, box 0: label 10 is outside [0, 10)"),
            std::string::npos);
  FcosTargetSpec spec;
  spec.sizeBounds = {16, 32};
  EXPECT_NE(message({{}}, kOneLevel, spec)
                .find("sizes=16/32 gives 2 boundaries; 1 levels need 0"),
            std::string::npos);
  EXPECT_NE(message({{}}, {}).find("no levels"), std::string::npos);
}

TEST(FcosSpec, Parse) {
  Expected<FcosTargetSpec> d = parseFcosSpec("fcos");
  ASSERT_TRUE(d.hasValue());
  EXPECT_TRUE(d->sizeBounds.empty());
  EXPECT_EQ(d->centerRadius, 1.5);
  Expected<FcosTargetSpec> s = parseFcosSpec("fcos,sizes=16/32,radius=2");
  ASSERT_TRUE(s.hasValue());
  EXPECT_EQ(s->sizeBounds, (std::vector<double>{16, 32}));
  EXPECT_EQ(s->centerRadius, 2.0);
  Expected<FcosTargetSpec> bad = parseFcosSpec("fcos,radus=2");
  ASSERT_FALSE(bad.hasValue());
  EXPECT_NE(bad.status().message().find("unknown key 'radus'"),
            std::string::npos);
  EXPECT_NE(bad.status().message().find("'fcos,radus=2'"), std::string::npos);
  EXPECT_FALSE(parseFcosSpec("fcos,sizes=32/16").hasValue());
  EXPECT_FALSE(parseFcosSpec("fcos,sizes=16/x").hasValue());
  EXPECT_FALSE(parseFcosSpec("fcos,radius=0").hasValue());
  EXPECT_FALSE(parseFcosSpec("retina").hasValue());
}

TEST(FcosSpec, DefaultSizesAreEightStrides) {
  // 64 / 128 for strides 8 / 16 / 32: a box whose point has largest
  // distance 70 is a level-1 target, not level 0's.
  std::vector<FcosLevel> levels = {{8, 32, 32}, {16, 16, 16}, {32, 8, 8}};
  // Centered on (132, 132), half-size 70: at level 0, point (132, 132) has
  // distances 70 > 64; at level 1 (points 8 + 16 k) (136, 136) has 74 and
  // lies within 24 of the center.
  std::vector<Tensor> t = targetsOf({{{62, 62, 202, 202, 0}}}, levels);
  const float *pos0 = t[3].data<float>(), *pos1 = t[7].data<float>();
  EXPECT_EQ(pos0[16 * 32 + 16], 0.f);
  EXPECT_EQ(pos1[8 * 16 + 8], 1.f);
}

TEST(FcosLevels, StridesFromSizes) {
  Expected<std::vector<FcosLevel>> l = parseFcosLevels("12x12,6x6,3x3", 96, 96);
  ASSERT_TRUE(l.hasValue()) << l.status().toString();
  ASSERT_EQ(l->size(), 3u);
  EXPECT_EQ((*l)[0].stride, 8);
  EXPECT_EQ((*l)[2].stride, 32);
  EXPECT_EQ((*l)[2].height, 3);
  Expected<std::vector<FcosLevel>> bad = parseFcosLevels("12x12,5x5", 96, 96);
  ASSERT_FALSE(bad.hasValue());
  EXPECT_NE(bad.status().message().find("level 1 (5x5) does not divide the "
                                        "96x96 image"),
            std::string::npos);
  EXPECT_FALSE(parseFcosLevels("12x6", 96, 96).hasValue());
  EXPECT_FALSE(parseFcosLevels("12", 96, 96).hasValue());
  EXPECT_FALSE(parseFcosLevels("0x0", 96, 96).hasValue());
}

TEST(FcosTargetNames, Order) {
  std::vector<std::string> n = fcosTargetNames(2);
  EXPECT_EQ(n, (std::vector<std::string>{"cls_p0", "box_p0", "ctr_p0", "pos_p0",
                                         "cls_p1", "box_p1", "ctr_p1", "pos_p1",
                                         "npos", "ctr_sum"}));
}

} // namespace

namespace {

TEST(DetectionBoxes, Refusals) {
  Expected<std::shared_ptr<const Dataset>> d =
      openFashionMnist(QRT_FASHION_MNIST_DIR, "t10k");
  ASSERT_TRUE(d.hasValue()) << d.status().toString();
  std::vector<std::vector<LabeledBox>> boxes;
  Status s = DataSource(*d, Preprocess()).gatherBoxes({0}, 28, 28, boxes);
  EXPECT_NE(s.message().find("has no boxes"), std::string::npos)
      << s.toString();
  Expected<Preprocess> flip =
      Preprocess::parse("RandomHorizontalFlip(0.5),ToTensor");
  ASSERT_TRUE(flip.hasValue());
  s = DataSource(*d, *flip).gatherBoxes({0}, 28, 28, boxes);
  EXPECT_NE(s.message().find("the transform RandomHorizontalFlip moves "
                             "pixels"),
            std::string::npos)
      << s.toString();
}

} // namespace
