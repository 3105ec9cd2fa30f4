//===- DetectionTargets.cpp - FCOS training targets of boxes --------------===//
//
// Every float operation below is one of models/detection/train.py's
// `targets_for` in f32, in the same order, so that the targets are torch's
// bit for bit: points, distances, center sampling, size ranges, the
// smallest-area box (first on ties, as torch.min), distances / stride and
// centerness from those. This file is compiled without FP contraction.
//
//===----------------------------------------------------------------------===//

#include "runtime/DetectionTargets.h"
#include "runtime/Dataset.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>

namespace qrt {

namespace {

bool parseCount(const std::string &s, int64_t &value) {
  if (s.empty() || s.size() > 9 ||
      s.find_first_not_of("0123456789") != std::string::npos)
    return false;
  value = std::stoll(s);
  return true;
}

// FCOS's last range ends at 1e8 (fcos.SIZE_RANGES), exactly a float.
constexpr float kLastBound = 1e8f;

} // namespace

std::vector<std::string> splitSpec(const std::string &s, char sep) {
  std::vector<std::string> parts;
  size_t begin = 0;
  while (true) {
    size_t end = s.find(sep, begin);
    parts.push_back(s.substr(begin, end - begin));
    if (end == std::string::npos)
      return parts;
    begin = end + 1;
  }
}

bool parseSpecNumber(const std::string &s, double &value) {
  if (s.empty() || s.find_first_of(" \t") != std::string::npos)
    return false;
  char *end = nullptr;
  errno = 0;
  value = std::strtod(s.c_str(), &end);
  return errno == 0 && end == s.c_str() + s.size() && std::isfinite(value);
}

Expected<FcosTargetSpec> parseFcosSpec(const std::string &spec) {
  std::vector<std::string> parts = splitSpec(spec, ',');
  if (parts[0] != "fcos")
    return invalidArgument("detection target spec '" + spec +
                           "': the kind must be fcos, not '" + parts[0] +
                           "' (fcos[,sizes=B1/B2/..][,radius=R])");
  FcosTargetSpec out;
  for (size_t i = 1; i < parts.size(); ++i) {
    size_t eq = parts[i].find('=');
    std::string key = parts[i].substr(0, eq);
    std::string value =
        eq == std::string::npos ? std::string() : parts[i].substr(eq + 1);
    auto bad = [&](const std::string &why) {
      return invalidArgument("detection target spec '" + spec + "': " + key +
                             "=" + value + ": " + why);
    };
    if (key == "sizes") {
      out.sizeBounds.clear();
      for (const std::string &v : splitSpec(value, '/')) {
        double bound;
        if (!parseSpecNumber(v, bound) || !(bound > 0))
          return bad("'" + v +
                     "' is not a positive number (sizes=B1/B2/.., "
                     "pixels)");
        if (!out.sizeBounds.empty() && !(bound > out.sizeBounds.back()))
          return bad("the boundaries must rise");
        out.sizeBounds.push_back(bound);
      }
    } else if (key == "radius") {
      if (!parseSpecNumber(value, out.centerRadius) || !(out.centerRadius > 0))
        return bad("the radius must be a positive number (strides)");
    } else {
      return invalidArgument("detection target spec '" + spec +
                             "': unknown key '" + key +
                             "' (keys: sizes, radius)");
    }
  }
  return out;
}

Expected<std::vector<FcosLevel>> parseFcosLevels(const std::string &sizes,
                                                 int64_t imageHeight,
                                                 int64_t imageWidth) {
  std::vector<FcosLevel> levels;
  std::string image =
      std::to_string(imageHeight) + "x" + std::to_string(imageWidth);
  for (const std::string &level : splitSpec(sizes, ',')) {
    std::string name = "level " + std::to_string(levels.size());
    size_t x = level.find('x');
    FcosLevel l;
    if (x == std::string::npos || !parseCount(level.substr(0, x), l.height) ||
        !parseCount(level.substr(x + 1), l.width) || l.height < 1 ||
        l.width < 1)
      return invalidArgument("levels '" + sizes + "': " + name + " '" + level +
                             "' is not HEIGHTxWIDTH (positive integers)");
    if (imageHeight % l.height != 0 || imageWidth % l.width != 0 ||
        imageHeight / l.height != imageWidth / l.width)
      return invalidArgument(
          "levels '" + sizes + "': " + name + " (" + level +
          ") does not divide the " + image +
          " image into square cells of a whole stride (height x width)");
    l.stride = imageHeight / l.height;
    levels.push_back(l);
  }
  return levels;
}

std::vector<std::string> fcosTargetNames(int64_t levels) {
  std::vector<std::string> names;
  for (int64_t l = 0; l < levels; ++l)
    for (const char *kind : {"cls", "box", "ctr", "pos"})
      names.push_back(std::string(kind) + "_p" + std::to_string(l));
  names.push_back("npos");
  names.push_back("ctr_sum");
  return names;
}

Expected<std::vector<Tensor>>
fcosTargets(const std::vector<std::vector<LabeledBox>> &batch,
            const std::vector<FcosLevel> &levels, int64_t classes,
            const FcosTargetSpec &spec) {
  const int64_t numLevels = levels.size();
  if (numLevels == 0)
    return invalidArgument("FCOS targets: no levels");
  for (const FcosLevel &l : levels)
    if (l.stride < 1 || l.height < 1 || l.width < 1)
      return invalidArgument("FCOS targets: a level of stride " +
                             std::to_string(l.stride) + " and size " +
                             std::to_string(l.height) + "x" +
                             std::to_string(l.width) + " (must be positive)");
  std::vector<double> bounds = spec.sizeBounds;
  if (bounds.empty())
    for (int64_t l = 0; l + 1 < numLevels; ++l)
      bounds.push_back(8.0 * levels[l].stride);
  if (int64_t(bounds.size()) != numLevels - 1) {
    std::string given;
    for (double b : bounds) {
      std::ostringstream os;
      os << b;
      given += (given.empty() ? "" : "/") + os.str();
    }
    return invalidArgument("FCOS targets: sizes=" + given + " gives " +
                           std::to_string(bounds.size()) +
                           (bounds.size() == 1 ? " boundary" : " boundaries") +
                           "; " + std::to_string(numLevels) + " levels need " +
                           std::to_string(numLevels - 1) +
                           " (B1/B2/.., pixels)");
  }
  for (size_t i = 0; i < batch.size(); ++i)
    for (size_t j = 0; j < batch[i].size(); ++j)
      if (batch[i][j].label < 0 || batch[i][j].label >= classes)
        return invalidArgument(
            "FCOS targets: image " + std::to_string(i) + ", box " +
            std::to_string(j) + ": label " + std::to_string(batch[i][j].label) +
            " is outside [0, " + std::to_string(classes) + ")");

  const int64_t n = batch.size();
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<Tensor> out;
  int64_t positives = 0;
  double ctrSum = 0;
  for (int64_t level = 0; level < numLevels; ++level) {
    const FcosLevel &lv = levels[level];
    const int64_t h = lv.height, w = lv.width, hw = h * w;
    // torch compares f32 tensors with Python scalars in f32.
    const float lo = level == 0 ? 0.f : float(bounds[level - 1]);
    const float hi = level + 1 == numLevels ? kLastBound : float(bounds[level]);
    const float radius = float(spec.centerRadius * double(lv.stride));
    const float stride = float(lv.stride), half = float(lv.stride / 2);
    Tensor cls = Tensor::empty({n, h, w}, DType::I32);
    Tensor box = Tensor::zeros({n, 4, h, w}, DType::F32);
    Tensor ctr = Tensor::zeros({n, 1, h, w}, DType::F32);
    Tensor pos = Tensor::zeros({n, 1, h, w}, DType::F32);
    std::fill_n(cls.data<int32_t>(), cls.numel(), -1);
    for (int64_t i = 0; i < n; ++i) {
      int32_t *clsI = cls.data<int32_t>() + i * hw;
      float *boxI = box.data<float>() + i * 4 * hw;
      float *ctrI = ctr.data<float>() + i * hw;
      float *posI = pos.data<float>() + i * hw;
      for (int64_t y = 0; y < h; ++y) {
        for (int64_t x = 0; x < w; ++x) {
          // fcos.points: index * stride + stride // 2, in f32.
          const float px = float(x) * stride + half;
          const float py = float(y) * stride + half;
          const LabeledBox *best = nullptr;
          float bestArea = inf, ltrb[4] = {0, 0, 0, 0};
          for (const LabeledBox &b : batch[i]) {
            const float d[4] = {px - b.x1, py - b.y1, b.x2 - px, b.y2 - py};
            const float dMin =
                std::min(std::min(d[0], d[1]), std::min(d[2], d[3]));
            const float dMax =
                std::max(std::max(d[0], d[1]), std::max(d[2], d[3]));
            const float cx = (b.x1 + b.x2) / 2.f, cy = (b.y1 + b.y2) / 2.f;
            const bool ok = dMin > 0.f && std::fabs(px - cx) < radius &&
                            std::fabs(py - cy) < radius && dMax >= lo &&
                            dMax <= hi;
            if (!ok)
              continue;
            const float area = (b.x2 - b.x1) * (b.y2 - b.y1);
            // Strictly smaller: the first box on ties, as torch.min.
            if (area < bestArea) {
              best = &b;
              bestArea = area;
              std::copy(d, d + 4, ltrb);
            }
          }
          if (!best)
            continue;
          const int64_t p = y * w + x;
          float reg[4];
          for (int c = 0; c < 4; ++c) {
            reg[c] = ltrb[c] / stride;
            boxI[c * hw + p] = reg[c];
          }
          const float lr = std::max(
              std::min(reg[0], reg[2]) / std::max(reg[0], reg[2]), 0.f);
          const float tb = std::max(
              std::min(reg[1], reg[3]) / std::max(reg[1], reg[3]), 0.f);
          const float centerness = std::sqrt(lr * tb);
          clsI[p] = best->label;
          ctrI[p] = centerness;
          posI[p] = 1.f;
          ++positives;
          ctrSum += centerness;
        }
      }
    }
    out.push_back(cls);
    out.push_back(box);
    out.push_back(ctr);
    out.push_back(pos);
  }
  out.push_back(
      Tensor::fromVector<float>({}, {float(std::max<int64_t>(positives, 1))}));
  out.push_back(
      Tensor::fromVector<float>({}, {std::max(float(ctrSum), 1e-6f)}));
  return out;
}

Expected<std::vector<Tensor>>
gatherFcosTargets(const DataSource &data, const std::vector<int64_t> &indices,
                  int64_t imageHeight, int64_t imageWidth,
                  const std::vector<FcosLevel> &levels,
                  const FcosTargetSpec &spec) {
  std::vector<std::vector<LabeledBox>> boxes;
  QRT_RETURN_IF_ERROR(
      data.gatherBoxes(indices, imageHeight, imageWidth, boxes));
  return fcosTargets(boxes, levels, data.dataset().boxClasses(), spec);
}

} // namespace qrt
