//===- DetectionEvalTest.cpp - FCOS post-processing and COCO mAP by hand --===//
//
// Hand-checkable cases of runtime/DetectionEval.h; the oracle tests
// (pycocotools, fcos.postprocess on 500 images) are in
// test/e2e/detection-map.test.
//
//===----------------------------------------------------------------------===//

#include "runtime/DetectionEval.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace qrt;

namespace {

CocoAnnotations oneCategory(std::vector<CocoBox> boxes, int images = 1) {
  CocoAnnotations gt;
  gt.path = "gt.json";
  for (int i = 0; i < images; ++i)
    gt.images.push_back({i + 1, "i.png", "i.png", 100, 100});
  gt.categories.push_back({1, "thing"});
  gt.categories.push_back({2, "other"});
  gt.boxes = std::move(boxes);
  return gt;
}

CocoMap mapOf(const CocoAnnotations &gt,
              const std::vector<std::vector<Detection>> &dets) {
  std::vector<int64_t> images;
  for (size_t i = 0; i < dets.size(); ++i)
    images.push_back(static_cast<int64_t>(i));
  Expected<CocoMap> m = cocoBoxMap(gt, images, dets);
  EXPECT_TRUE(m.hasValue()) << m.status().toString();
  return m.hasValue() ? *m : CocoMap();
}

TEST(CocoBoxMap, ExactMatchIsOne) {
  CocoAnnotations gt = oneCategory({{7, 0, 0, 10, 10, 20, 20, false}});
  CocoMap m = mapOf(gt, {{{10, 10, 30, 30, 0.9f, 0}}});
  EXPECT_DOUBLE_EQ(m.ap, 1.0);
  EXPECT_DOUBLE_EQ(m.ap50, 1.0);
  EXPECT_DOUBLE_EQ(m.ap75, 1.0);
}

TEST(CocoBoxMap, IouBetweenThresholds) {
  // Ground truth 20 x 20; the detection 20 x 25 covers it: IoU 400 / 500 =
  // 0.8: matched at the thresholds 0.50 .. 0.80 (7 of 10).
  CocoAnnotations gt = oneCategory({{7, 0, 0, 10, 10, 20, 20, false}});
  CocoMap m = mapOf(gt, {{{10, 10, 30, 35, 0.9f, 0}}});
  EXPECT_NEAR(m.ap, 0.7, 1e-12);
  EXPECT_DOUBLE_EQ(m.ap50, 1.0);
  EXPECT_DOUBLE_EQ(m.ap75, 1.0);
  // IoU 400 / 600 = 0.667: thresholds 0.50 .. 0.65 (4 of 10), not 0.75.
  m = mapOf(gt, {{{10, 10, 30, 40, 0.9f, 0}}});
  EXPECT_NEAR(m.ap, 0.4, 1e-12);
  EXPECT_DOUBLE_EQ(m.ap75, 0.0);
}

TEST(CocoBoxMap, FalsePositiveFirstHalvesPrecision) {
  // A higher-scored miss, then the hit: precision 1/2 at recall 1, and the
  // envelope carries it to every recall threshold.
  CocoAnnotations gt = oneCategory({{7, 0, 0, 10, 10, 20, 20, false}});
  CocoMap m = mapOf(gt, {{{60, 60, 80, 80, 0.9f, 0}, {10, 10, 30, 30, 0.5f, 0}}});
  EXPECT_DOUBLE_EQ(m.ap50, 0.5);
  // The other order: the hit first, precision 1 up to recall 1.
  m = mapOf(gt, {{{60, 60, 80, 80, 0.5f, 0}, {10, 10, 30, 30, 0.9f, 0}}});
  EXPECT_DOUBLE_EQ(m.ap50, 1.0);
  // A detection of the other category is not a hit; that category has no
  // ground truth and is left out of the mean.
  m = mapOf(gt, {{{10, 10, 30, 30, 0.9f, 1}}});
  EXPECT_DOUBLE_EQ(m.ap50, 0.0);
}

TEST(CocoBoxMap, CrowdBoxesAreIgnored) {
  // Only a crowd box: no category has a regular box, the mAP is -1 (as
  // pycocotools prints it).
  CocoAnnotations crowd = oneCategory({{7, 0, 0, 10, 10, 20, 20, true}});
  EXPECT_DOUBLE_EQ(mapOf(crowd, {{{10, 10, 30, 30, 0.9f, 0}}}).ap, -1.0);
  // A regular box and a crowd box: a detection on the crowd is ignored
  // (neither hit nor miss), so the hit alone gives precision 1.
  CocoAnnotations both = oneCategory(
      {{7, 0, 0, 10, 10, 20, 20, false}, {8, 0, 0, 50, 50, 40, 40, true}});
  CocoMap m = mapOf(both, {{{55, 55, 65, 65, 0.95f, 0},
                            {10, 10, 30, 30, 0.9f, 0}}});
  EXPECT_DOUBLE_EQ(m.ap50, 1.0);
}

TEST(CocoBoxMap, MissedBoxesLowerRecall) {
  // Two images, a box each; only the first found: recall 1/2, so the
  // recall thresholds above 0.5 have precision 0: AP50 = 51 / 101.
  CocoAnnotations gt = oneCategory({{7, 0, 0, 10, 10, 20, 20, false},
                                    {8, 1, 0, 10, 10, 20, 20, false}},
                                   2);
  CocoMap m = mapOf(gt, {{{10, 10, 30, 30, 0.9f, 0}}, {}});
  EXPECT_NEAR(m.ap50, 51.0 / 101.0, 1e-12);
}

TEST(CocoBoxMap, BadInput) {
  CocoAnnotations gt = oneCategory({});
  Expected<CocoMap> m = cocoBoxMap(gt, {0}, {{{0, 0, 1, 1, 0.5f, 2}}});
  ASSERT_FALSE(m.hasValue());
  EXPECT_NE(m.status().message().find("class 2 outside the 2 categories"),
            std::string::npos);
  m = cocoBoxMap(gt, {0, 0}, {{}, {}});
  ASSERT_FALSE(m.hasValue());
  EXPECT_NE(m.status().message().find("given twice"), std::string::npos);
}

/// One level (2 x 2 cells of stride 8 on a 16 x 16 image), `classes`
/// classes; every logit very negative unless set.
struct Maps {
  std::vector<Tensor> t;
  explicit Maps(int64_t classes) {
    t.push_back(Tensor::zeros({1, classes, 2, 2}, DType::F32));
    t.push_back(Tensor::zeros({1, 4, 2, 2}, DType::F32));
    t.push_back(Tensor::zeros({1, 1, 2, 2}, DType::F32));
    for (int64_t i = 0; i < t[0].numel(); ++i)
      t[0].data<float>()[i] = -20.f;
    for (int64_t i = 0; i < 4; ++i)
      t[2].data<float>()[i] = 20.f; // centerness ~1
  }
  void set(int64_t cls, int64_t cell, float logit, float l, float tp, float r,
           float b) {
    t[0].data<float>()[cls * 4 + cell] = logit;
    float d[4] = {l, tp, r, b};
    for (int e = 0; e < 4; ++e)
      t[1].data<float>()[e * 4 + cell] = d[e];
  }
};

TEST(FcosDetections, BoxesFromDistances) {
  Maps maps(2);
  // Cell (row 0, col 1): center (12, 4); distances in strides (8 pixels).
  maps.set(1, 1, 5.f, 0.5f, 0.25f, 1.f, -3.f);
  Expected<std::vector<std::vector<Detection>>> d =
      fcosDetections(maps.t, 16, 16, FcosPostprocess());
  ASSERT_TRUE(d.hasValue()) << d.status().toString();
  ASSERT_EQ(d->size(), 1u);
  ASSERT_EQ((*d)[0].size(), 1u);
  const Detection &x = (*d)[0][0];
  EXPECT_EQ(x.label, 1);
  EXPECT_FLOAT_EQ(x.x1, 12 - 4);
  EXPECT_FLOAT_EQ(x.y1, 4 - 2);
  EXPECT_FLOAT_EQ(x.x2, 12 + 8);
  EXPECT_FLOAT_EQ(x.y2, 4 + 0); // ReLU of a negative distance
  EXPECT_NEAR(x.score, std::sqrt(1 / (1 + std::exp(-5.0))), 1e-6);
}

TEST(FcosDetections, NmsPerClass) {
  Maps maps(2);
  // Two cells of class 0 predicting the same box: the lower score is
  // suppressed. The same box in class 1 stays (class-wise NMS).
  maps.set(0, 0, 4.f, 0.5f, 0.5f, 1.5f, 1.5f); // center (4, 4): [0, 0, 16, 16]
  maps.set(0, 3, 3.f, 1.5f, 1.5f, 0.5f, 0.5f); // center (12, 12): same box
  maps.set(1, 3, 2.f, 1.5f, 1.5f, 0.5f, 0.5f);
  Expected<std::vector<std::vector<Detection>>> d =
      fcosDetections(maps.t, 16, 16, FcosPostprocess());
  ASSERT_TRUE(d.hasValue()) << d.status().toString();
  ASSERT_EQ((*d)[0].size(), 2u);
  EXPECT_EQ((*d)[0][0].label, 0);
  EXPECT_GT((*d)[0][0].score, (*d)[0][1].score);
  EXPECT_EQ((*d)[0][1].label, 1);
  // dets=1 keeps the best only; score=0.999 keeps none.
  FcosPostprocess p;
  p.detectionsPerImage = 1;
  Expected<std::vector<std::vector<Detection>>> best =
      fcosDetections(maps.t, 16, 16, p);
  ASSERT_TRUE(best.hasValue());
  EXPECT_EQ((*best)[0].size(), 1u);
  p = FcosPostprocess();
  p.scoreThresh = 0.999f;
  Expected<std::vector<std::vector<Detection>>> none =
      fcosDetections(maps.t, 16, 16, p);
  ASSERT_TRUE(none.hasValue());
  EXPECT_TRUE((*none)[0].empty());
}

TEST(FcosDetections, BadInput) {
  Maps maps(2);
  Expected<std::vector<std::vector<Detection>>> d =
      fcosDetections(maps.t, 15, 15, FcosPostprocess());
  ASSERT_FALSE(d.hasValue());
  EXPECT_NE(d.status().message().find("output 0 (level 0's class logits)"),
            std::string::npos)
      << d.status().message();
  std::vector<Tensor> two(maps.t.begin(), maps.t.begin() + 2);
  EXPECT_FALSE(fcosDetections(two, 16, 16, FcosPostprocess()).hasValue());
  Expected<FcosPostprocess> p = parseFcosPostprocess("fcos,nms=2");
  ASSERT_FALSE(p.hasValue());
  EXPECT_NE(p.status().message().find("nms=2"), std::string::npos);
  EXPECT_FALSE(parseFcosPostprocess("retina").hasValue());
  EXPECT_FALSE(parseFcosPostprocess("fcos,iou=0.5").hasValue());
  p = parseFcosPostprocess("fcos,score=0.1,topk=50,nms=0.5,dets=20");
  ASSERT_TRUE(p.hasValue());
  EXPECT_FLOAT_EQ(p->scoreThresh, 0.1f);
  EXPECT_EQ(p->preNmsTopN, 50);
  EXPECT_EQ(p->nmsIou, 0.5);
  EXPECT_EQ(p->detectionsPerImage, 20);
}

} // namespace
