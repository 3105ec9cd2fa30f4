//===- DetectionTargets.h - FCOS training targets of boxes ------*- C++ -*-===//
//
// The per-point training targets of an FCOS detector (Tian et al., 2019) for
// a batch of images' boxes: what models/detection/train.py's `targets_for`
// computes in torch, here in float32 operation for operation so that the
// tensors are torch's bit for bit (docs/data.md "Detection targets";
// test/e2e/detection-targets.test is the oracle test).
//
// A target spec is `fcos[,sizes=B1/B2/..][,radius=R]`: the boundaries, in
// pixels, between the levels' object-size ranges (level 0 from 0, the last
// to 1e8), and the center-sampling radius in strides.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_DETECTIONTARGETS_H
#define QRT_DETECTIONTARGETS_H

#include "runtime/Tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qrt {

class DataSource;

/// One object's box (x1, y1, x2, y2, pixels of the image the model sees)
/// and its class in [0, classes).
struct LabeledBox {
  float x1, y1, x2, y2;
  int32_t label;
};

/// How points are assigned to boxes.
struct FcosTargetSpec {
  /// The n - 1 boundaries between n levels' size ranges (pixels, rising);
  /// empty: 8 x stride of each level but the last (FCOS's 64 / 128 / ..
  /// for strides 8 / 16 / ..).
  std::vector<double> sizeBounds;
  /// Center sampling: a point is a candidate when it lies within
  /// radius x stride of the box's center in x and in y.
  double centerRadius = 1.5;
};

/// The fields of a detector spec string between `sep`s, empty ones
/// included (`fcos,sizes=16/32` -> `fcos`, `sizes=16/32`).
std::vector<std::string> splitSpec(const std::string &s, char sep);
/// A finite number spelled by all of `s` (no spaces): a spec's value.
bool parseSpecNumber(const std::string &s, double &value);

/// Parses `fcos[,sizes=16/32][,radius=1.5]`. Errors name the key and the
/// spec.
Expected<FcosTargetSpec> parseFcosSpec(const std::string &spec);

/// One feature-map level: its stride (pixels per cell) and size in cells.
struct FcosLevel {
  int64_t stride = 0, height = 0, width = 0;
};

/// The levels of `sizes` ("12x12,6x6,3x3", height x width) on an image of
/// imageHeight x imageWidth: stride = image size / level size, which must
/// divide exactly and be the same along both axes. Errors name the level.
Expected<std::vector<FcosLevel>> parseFcosLevels(const std::string &sizes,
                                                 int64_t imageHeight,
                                                 int64_t imageWidth);

/// The targets' names, in fcosTargets' order: cls_p0, box_p0, ctr_p0,
/// pos_p0, cls_p1, ..., npos, ctr_sum.
std::vector<std::string> fcosTargetNames(int64_t levels);

/// The targets of `batch` (one box list per image, N images), in this order:
/// for each level l, `cls` i32 [N, H, W] (class, -1 for background), `box`
/// f32 [N, 4, H, W] (l, t, r, b distances / stride, 0 at background), `ctr`
/// f32 [N, 1, H, W] (centerness, 0 at background), `pos` f32 [N, 1, H, W]
/// (1 at positives); then the f32 scalars `npos` (positives of the batch,
/// at least 1) and `ctr_sum` (their centerness sum, at least 1e-6).
/// Errors: no levels, a level that is not positive, sizeBounds not one
/// fewer than the levels, a label outside [0, classes) (named).
Expected<std::vector<Tensor>>
fcosTargets(const std::vector<std::vector<LabeledBox>> &batch,
            const std::vector<FcosLevel> &levels, int64_t classes,
            const FcosTargetSpec &spec);

/// fcosTargets of the samples `indices` of `data` (DataSource::gatherBoxes:
/// a data set with boxes, a preprocessing that moves no pixel, images of
/// imageHeight x imageWidth), with the data set's box classes.
Expected<std::vector<Tensor>>
gatherFcosTargets(const DataSource &data, const std::vector<int64_t> &indices,
                  int64_t imageHeight, int64_t imageWidth,
                  const std::vector<FcosLevel> &levels,
                  const FcosTargetSpec &spec);

} // namespace qrt

#endif // QRT_DETECTIONTARGETS_H
