//===- DetectionEval.cpp - FCOS post-processing and COCO box mAP ----------===//
//
// fcosDetections follows models/detection/fcos.py's postprocess in f32 (and
// torchvision's batched_nms: the class-offset trick, then nms's greedy loop
// over scores sorted high to low). cocoBoxMap follows pycocotools'
// COCOeval.evaluate / accumulate / summarize for iouType "bbox", area "all"
// and 100 detections: its stable sorts, its matching loop (a crowd box may
// be matched again, a match to an ignored box is dropped if a regular one
// fits), the precision envelope and numpy.linspace's thresholds. This file
// is compiled without FP contraction (the boxes are f32 sums and products).
//
//===----------------------------------------------------------------------===//

#include "runtime/DetectionEval.h"
#include "runtime/Dataset.h"
#include "runtime/DetectionTargets.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>

namespace qrt {

namespace {

float sigmoidF(float x) { return 1.f / (1.f + std::exp(-x)); }

/// torchvision's nms (CPU kernel): indices of the kept boxes, best first.
std::vector<int64_t> nms(const std::vector<std::array<float, 4>> &boxes,
                         const std::vector<float> &scores, double threshold) {
  size_t n = boxes.size();
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return scores[a] > scores[b]; });
  std::vector<float> areas(n);
  for (size_t i = 0; i < n; ++i)
    areas[i] = (boxes[i][2] - boxes[i][0]) * (boxes[i][3] - boxes[i][1]);
  std::vector<char> suppressed(n, 0);
  std::vector<int64_t> keep;
  for (size_t a = 0; a < n; ++a) {
    int64_t i = order[a];
    if (suppressed[i])
      continue;
    keep.push_back(i);
    const auto &bi = boxes[i];
    for (size_t b = a + 1; b < n; ++b) {
      int64_t j = order[b];
      if (suppressed[j])
        continue;
      const auto &bj = boxes[j];
      float xx1 = std::max(bi[0], bj[0]), yy1 = std::max(bi[1], bj[1]);
      float xx2 = std::min(bi[2], bj[2]), yy2 = std::min(bi[3], bj[3]);
      float w = std::max(0.f, xx2 - xx1), h = std::max(0.f, yy2 - yy1);
      float inter = w * h;
      float ovr = inter / (areas[i] + areas[j] - inter);
      if (ovr > threshold)
        suppressed[j] = 1;
    }
  }
  return keep;
}

} // namespace

Expected<FcosPostprocess> parseFcosPostprocess(const std::string &spec) {
  std::vector<std::string> parts = splitSpec(spec, ',');
  if (parts[0] != "fcos")
    return invalidArgument("detector '" + spec + "': the kind must be fcos, "
                           "not '" + parts[0] +
                           "' (fcos[,score=S][,topk=K][,nms=T][,dets=D])");
  FcosPostprocess p;
  for (size_t i = 1; i < parts.size(); ++i) {
    size_t eq = parts[i].find('=');
    std::string key = parts[i].substr(0, eq);
    std::string text =
        eq == std::string::npos ? std::string() : parts[i].substr(eq + 1);
    double v = 0;
    bool number = parseSpecNumber(text, v);
    auto bad = [&](const std::string &why) {
      return invalidArgument("detector '" + spec + "': " + key + "=" + text +
                             ": " + why);
    };
    if (key == "score") {
      if (!number || v < 0 || v >= 1)
        return bad("the score threshold must be in [0, 1)");
      p.scoreThresh = static_cast<float>(v);
    } else if (key == "topk" || key == "dets") {
      if (!number || v < 1 || v != std::floor(v) || v > 1e6)
        return bad("must be a positive whole number");
      (key == "topk" ? p.preNmsTopN : p.detectionsPerImage) =
          static_cast<int64_t>(v);
    } else if (key == "nms") {
      if (!number || !(v > 0) || v > 1)
        return bad("the NMS IoU threshold must be in (0, 1]");
      p.nmsIou = v;
    } else {
      return invalidArgument("detector '" + spec + "': unknown key '" + key +
                             "' (keys: score, topk, nms, dets)");
    }
  }
  return p;
}

Expected<std::vector<std::vector<Detection>>>
fcosDetections(const std::vector<Tensor> &outputs, int64_t imageHeight,
               int64_t imageWidth, const FcosPostprocess &p) {
  if (outputs.empty() || outputs.size() % 3 != 0)
    return invalidArgument(
        "FCOS post-processing takes (class logits, box distances, "
        "centerness logits) per level, got " +
        std::to_string(outputs.size()) + " outputs");
  int64_t n = outputs[0].rank() == 4 ? outputs[0].dim(0) : -1;
  int64_t classes = outputs[0].rank() == 4 ? outputs[0].dim(1) : -1;
  size_t levels = outputs.size() / 3;
  for (size_t o = 0; o < outputs.size(); ++o) {
    const Tensor &t = outputs[o];
    int64_t channels = o % 3 == 0 ? classes : (o % 3 == 1 ? 4 : 1);
    const Tensor &cls = outputs[o - o % 3];
    if (t.dtype() != DType::F32 || t.rank() != 4 || t.dim(0) != n ||
        t.dim(1) != channels || t.dim(2) != cls.dim(2) ||
        t.dim(3) != cls.dim(3) || t.dim(2) < 1 || t.dim(3) < 1 ||
        imageHeight % t.dim(2) ||
        imageWidth % t.dim(3) ||
        imageHeight / t.dim(2) != imageWidth / t.dim(3))
      return invalidArgument(
          "FCOS post-processing: output " + std::to_string(o) + " (level " +
          std::to_string(o / 3) + "'s " +
          (o % 3 == 0 ? "class logits" : o % 3 == 1 ? "box distances"
                                                    : "centerness logits") +
          ") is " + shapeToString(t.shape()) + ", expected f32 [" +
          std::to_string(n) + ", " + std::to_string(channels) +
          ", H, W] with the level's H x W dividing the " +
          std::to_string(imageHeight) + " x " + std::to_string(imageWidth) +
          " image into square cells");
  }
  std::vector<std::vector<Detection>> results(n);
  for (int64_t i = 0; i < n; ++i) {
    std::vector<std::array<float, 4>> boxes;
    std::vector<float> scores;
    std::vector<int32_t> labels;
    for (size_t l = 0; l < levels; ++l) {
      const Tensor &cls = outputs[3 * l], &box = outputs[3 * l + 1],
                   &ctr = outputs[3 * l + 2];
      int64_t h = cls.dim(2), w = cls.dim(3), hw = h * w;
      float stride = static_cast<float>(imageHeight / h);
      float offset = static_cast<float>((imageHeight / h) / 2);
      const float *c = cls.data<float>() + i * classes * hw;
      const float *b = box.data<float>() + i * 4 * hw;
      const float *t = ctr.data<float>() + i * hw;
      // Candidates in the order of torch's nonzero over [position, class].
      struct Cand {
        float score;
        int64_t loc;
        int32_t cls;
      };
      std::vector<Cand> cand;
      for (int64_t loc = 0; loc < hw; ++loc) {
        float centerness = sigmoidF(t[loc]);
        for (int64_t k = 0; k < classes; ++k) {
          float s = std::sqrt(sigmoidF(c[k * hw + loc]) * centerness);
          if (s > p.scoreThresh)
            cand.push_back({s, loc, static_cast<int32_t>(k)});
        }
      }
      if (static_cast<int64_t>(cand.size()) > p.preNmsTopN) {
        std::stable_sort(cand.begin(), cand.end(),
                         [](const Cand &a, const Cand &b) {
                           return a.score > b.score;
                         });
        cand.resize(p.preNmsTopN);
      }
      for (const Cand &k : cand) {
        float px = static_cast<float>(k.loc % w) * stride + offset;
        float py = static_cast<float>(k.loc / w) * stride + offset;
        float d[4];
        for (int e = 0; e < 4; ++e)
          d[e] = std::max(b[e * hw + k.loc], 0.f) * stride;
        boxes.push_back({px - d[0], py - d[1], px + d[2], py + d[3]});
        scores.push_back(k.score);
        labels.push_back(k.cls);
      }
    }
    if (boxes.empty())
      continue;
    // torchvision's batched_nms: boxes of class c moved by c x (max + 1).
    float maxCoord = boxes[0][0];
    for (const auto &bx : boxes)
      for (float v : bx)
        maxCoord = std::max(maxCoord, v);
    std::vector<std::array<float, 4>> moved(boxes.size());
    for (size_t k = 0; k < boxes.size(); ++k) {
      float off = static_cast<float>(labels[k]) * (maxCoord + 1.f);
      for (int e = 0; e < 4; ++e)
        moved[k][e] = boxes[k][e] + off;
    }
    std::vector<int64_t> keep = nms(moved, scores, p.nmsIou);
    if (static_cast<int64_t>(keep.size()) > p.detectionsPerImage)
      keep.resize(p.detectionsPerImage);
    for (int64_t k : keep)
      results[i].push_back({boxes[k][0], boxes[k][1], boxes[k][2], boxes[k][3],
                            scores[k], labels[k]});
  }
  return results;
}

namespace {

struct Box {
  double x, y, w, h;
};

/// pycocotools' bbIou (maskApi.c).
double boxIou(const Box &d, const Box &g, bool crowd) {
  double w = std::min(d.w + d.x, g.w + g.x) - std::max(d.x, g.x);
  if (w <= 0)
    return 0;
  double h = std::min(d.h + d.y, g.h + g.y) - std::max(d.y, g.y);
  if (h <= 0)
    return 0;
  double i = w * h, da = d.w * d.h, ga = g.w * g.h;
  double u = crowd ? da : da + ga - i;
  return i / u;
}

/// numpy.linspace(start, stop, num) (endpoint included).
std::vector<double> linspace(double start, double stop, int num) {
  std::vector<double> v(num);
  double step = (stop - start) / (num - 1);
  for (int i = 0; i < num; ++i)
    v[i] = i * step + start;
  v[num - 1] = stop;
  return v;
}

struct GtBox {
  Box box;
  bool crowd;
  int64_t id;
};
struct DtBox {
  Box box;
  double score;
  int64_t id;
};

/// One (image, category)'s evaluateImg result.
struct ImageEval {
  std::vector<double> scores;               // dtScores
  std::vector<std::vector<int64_t>> matches; // [T][D] matched gt id or 0
  std::vector<std::vector<char>> ignored;    // [T][D]
  std::vector<char> gtIgnore;
};

ImageEval evaluateImage(std::vector<GtBox> gt, std::vector<DtBox> dt,
                        const std::vector<double> &iouThrs, size_t maxDet) {
  ImageEval e;
  // Ground truth: regular boxes first (a stable sort on the ignore flag);
  // detections best first (a stable sort), at most maxDet.
  std::stable_sort(gt.begin(), gt.end(), [](const GtBox &a, const GtBox &b) {
    return a.crowd < b.crowd;
  });
  std::stable_sort(dt.begin(), dt.end(), [](const DtBox &a, const DtBox &b) {
    return a.score > b.score;
  });
  if (dt.size() > maxDet)
    dt.resize(maxDet);
  size_t G = gt.size(), D = dt.size(), T = iouThrs.size();
  std::vector<std::vector<double>> ious(D, std::vector<double>(G));
  for (size_t d = 0; d < D; ++d)
    for (size_t g = 0; g < G; ++g)
      ious[d][g] = boxIou(dt[d].box, gt[g].box, gt[g].crowd);
  e.gtIgnore.resize(G);
  for (size_t g = 0; g < G; ++g)
    e.gtIgnore[g] = gt[g].crowd;
  std::vector<std::vector<int64_t>> gtm(T, std::vector<int64_t>(G, 0));
  e.matches.assign(T, std::vector<int64_t>(D, 0));
  e.ignored.assign(T, std::vector<char>(D, 0));
  for (size_t t = 0; t < T; ++t)
    for (size_t d = 0; d < D; ++d) {
      double iou = std::min(iouThrs[t], 1 - 1e-10);
      int64_t m = -1;
      for (size_t g = 0; g < G; ++g) {
        if (gtm[t][g] > 0 && !gt[g].crowd)
          continue;
        if (m > -1 && !e.gtIgnore[m] && e.gtIgnore[g])
          break;
        if (ious[d][g] < iou)
          continue;
        iou = ious[d][g];
        m = static_cast<int64_t>(g);
      }
      if (m == -1)
        continue;
      e.ignored[t][d] = e.gtIgnore[m];
      e.matches[t][d] = gt[m].id;
      gtm[t][m] = dt[d].id;
    }
  // Unmatched detections outside the area range ("all": [0, 1e10]).
  for (size_t d = 0; d < D; ++d) {
    double area = dt[d].box.w * dt[d].box.h;
    if (area < 0 || area > 1e10)
      for (size_t t = 0; t < T; ++t)
        if (e.matches[t][d] == 0)
          e.ignored[t][d] = 1;
  }
  for (const DtBox &d : dt)
    e.scores.push_back(d.score);
  return e;
}

} // namespace

Expected<CocoMap>
cocoBoxMap(const CocoAnnotations &gt, const std::vector<int64_t> &images,
           const std::vector<std::vector<Detection>> &detections) {
  if (images.size() != detections.size())
    return invalidArgument("cocoBoxMap: " + std::to_string(images.size()) +
                           " images but detections of " +
                           std::to_string(detections.size()));
  size_t C = gt.categories.size();
  // The images in pycocotools' order (sorted ids, each once).
  std::map<int64_t, size_t> byId; // image id -> position in `images`
  for (size_t i = 0; i < images.size(); ++i) {
    if (images[i] < 0 || images[i] >= static_cast<int64_t>(gt.images.size()))
      return invalidArgument("cocoBoxMap: image index " +
                             std::to_string(images[i]) + " outside " +
                             gt.path);
    if (!byId.emplace(gt.images[images[i]].id, i).second)
      return invalidArgument("cocoBoxMap: image " +
                             gt.images[images[i]].fileName + " given twice");
  }
  std::map<int64_t, size_t> positionOf; // gt image index -> position
  for (size_t i = 0; i < images.size(); ++i)
    positionOf[images[i]] = i;
  std::vector<std::vector<std::vector<GtBox>>> gts(
      images.size(), std::vector<std::vector<GtBox>>(C));
  for (const CocoBox &b : gt.boxes) {
    auto it = positionOf.find(b.image);
    if (it == positionOf.end())
      continue;
    gts[it->second][b.category].push_back(
        {{b.x, b.y, b.width, b.height}, b.crowd, b.id});
  }
  std::vector<std::vector<std::vector<DtBox>>> dts(
      images.size(), std::vector<std::vector<DtBox>>(C));
  int64_t nextId = 1; // loadRes numbers the results from 1
  for (size_t i = 0; i < detections.size(); ++i)
    for (const Detection &d : detections[i]) {
      if (d.label < 0 || static_cast<size_t>(d.label) >= C)
        return invalidArgument("cocoBoxMap: class " + std::to_string(d.label) +
                               " outside the " + std::to_string(C) +
                               " categories of " + gt.path);
      Box box{d.x1, d.y1, static_cast<double>(d.x2) - d.x1,
              static_cast<double>(d.y2) - d.y1};
      dts[i][d.label].push_back({box, d.score, nextId++});
    }

  std::vector<double> iouThrs = linspace(0.5, 0.95, 10);
  std::vector<double> recThrs = linspace(0.0, 1.0, 101);
  const size_t maxDet = 100, T = iouThrs.size(), R = recThrs.size();
  // precision[t][r][k], -1 where a category has no regular box.
  std::vector<double> precision(T * R * C, -1.0);
  for (size_t k = 0; k < C; ++k) {
    std::vector<ImageEval> evals;
    for (const auto &[id, i] : byId) {
      if (gts[i][k].empty() && dts[i][k].empty())
        continue;
      evals.push_back(evaluateImage(gts[i][k], dts[i][k], iouThrs, maxDet));
    }
    if (evals.empty())
      continue;
    std::vector<double> scores;
    std::vector<std::vector<int64_t>> dtm(T);
    std::vector<std::vector<char>> dtIg(T);
    int64_t npig = 0;
    for (const ImageEval &e : evals) {
      scores.insert(scores.end(), e.scores.begin(), e.scores.end());
      for (size_t t = 0; t < T; ++t) {
        dtm[t].insert(dtm[t].end(), e.matches[t].begin(), e.matches[t].end());
        dtIg[t].insert(dtIg[t].end(), e.ignored[t].begin(),
                       e.ignored[t].end());
      }
      for (char g : e.gtIgnore)
        npig += g == 0;
    }
    if (npig == 0)
      continue;
    std::vector<size_t> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return -scores[a] < -scores[b];
    });
    size_t nd = order.size();
    for (size_t t = 0; t < T; ++t) {
      std::vector<double> rc(nd), pr(nd);
      double tp = 0, fp = 0;
      for (size_t j = 0; j < nd; ++j) {
        size_t d = order[j];
        if (!dtIg[t][d]) {
          if (dtm[t][d] != 0)
            tp += 1;
          else
            fp += 1;
        }
        rc[j] = tp / npig;
        pr[j] = tp / (fp + tp + 2.220446049250313e-16);
      }
      for (size_t j = nd; j-- > 1;)
        if (pr[j] > pr[j - 1])
          pr[j - 1] = pr[j];
      for (size_t r = 0; r < R; ++r) {
        size_t pi = std::lower_bound(rc.begin(), rc.end(), recThrs[r]) -
                    rc.begin();
        precision[(t * R + r) * C + k] = pi < nd ? pr[pi] : 0.0;
      }
    }
  }
  auto mean = [&](size_t t0, size_t t1) {
    double sum = 0;
    int64_t count = 0;
    for (size_t t = t0; t < t1; ++t)
      for (size_t i = t * R * C; i < (t + 1) * R * C; ++i)
        if (precision[i] > -1) {
          sum += precision[i];
          ++count;
        }
    return count ? sum / count : -1.0;
  };
  CocoMap m;
  m.ap = mean(0, T);
  m.ap50 = mean(0, 1);
  m.ap75 = mean(5, 6);
  return m;
}

Expected<DetectionEvalResult> evaluateCocoMap(const ModelFn &model,
                                              const DataSource &data,
                                              const FcosPostprocess &p,
                                              int64_t batchSize,
                                              int64_t limit) {
  const CocoAnnotations *gt =
      data.defined() ? data.dataset().cocoAnnotations() : nullptr;
  if (!gt)
    return invalidArgument(
        "COCO mAP is scored against the evaluation data's boxes: it needs a "
        "coco: data set, not " +
        (data.defined() ? data.dataset().describe() : std::string("none")));
  if (batchSize < 1)
    return invalidArgument("evaluateCocoMap: batch size must be positive");
  int64_t n = limit > 0 ? std::min<int64_t>(limit, data.size()) : data.size();
  DetectionEvalResult r;
  auto start = std::chrono::steady_clock::now();
  for (int64_t begin = 0; begin < n; begin += batchSize) {
    int64_t count = std::min<int64_t>(batchSize, n - begin);
    Tensor batch, labels;
    QRT_RETURN_IF_ERROR(data.batch(begin, count, batch, labels));
    Expected<std::vector<Tensor>> maps = model({batch});
    if (!maps)
      return maps.status();
    Expected<std::vector<std::vector<Detection>>> d =
        fcosDetections(*maps, batch.dim(2), batch.dim(3), p);
    if (!d)
      return d.status();
    for (int64_t i = 0; i < count; ++i) {
      r.images.push_back(begin + i);
      r.detections.push_back(std::move((*d)[i]));
    }
  }
  Expected<CocoMap> map = cocoBoxMap(*gt, r.images, r.detections);
  if (!map)
    return map.status();
  r.map = *map;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                            start)
                  .count();
  return r;
}

Status writeCocoResults(const std::string &path, const CocoAnnotations &gt,
                        const std::vector<int64_t> &images,
                        const std::vector<std::vector<Detection>> &detections) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < images.size() && i < detections.size(); ++i)
    for (const Detection &d : detections[i])
      out.push_back(
          {{"image_id", gt.images[images[i]].id},
           {"category_id", gt.categories[d.label].id},
           {"bbox",
            {static_cast<double>(d.x1), static_cast<double>(d.y1),
             static_cast<double>(d.x2) - d.x1,
             static_cast<double>(d.y2) - d.y1}},
           {"score", static_cast<double>(d.score)}});
  std::ofstream f(path);
  f << out.dump() << "\n";
  if (!f)
    return ioError("cannot write " + path);
  return Status::ok();
}

} // namespace qrt
