//===- DetectionEval.h - FCOS post-processing and COCO box mAP --*- C++ -*-===//
//
// What qc needs to score a detector body itself (issue #16): the float
// post-processing stage that turns an FCOS body's maps into detections
// (models/detection/fcos.py `postprocess`, op for op in f32, with
// torchvision's batched NMS), and COCO's box AP / AP50 / AP75 of those
// detections as pycocotools' COCOeval computes them (101 recall points, 10
// IoU thresholds, 100 detections per image, crowd boxes ignored). The
// oracles: test/e2e/detection-map.test scores the same detections with
// pycocotools and compares qc's detections with fcos.postprocess's.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_DETECTIONEVAL_H
#define QRT_DETECTIONEVAL_H

#include "runtime/Coco.h"
#include "runtime/Evaluate.h"
#include "runtime/Tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qrt {

/// One detection: a box (x1, y1, x2, y2 pixels), its score and its class in
/// [0, classes) (the category's index in the annotation file).
struct Detection {
  float x1 = 0, y1 = 0, x2 = 0, y2 = 0, score = 0;
  int32_t label = 0;
};

/// FCOS's post-processing: candidates with sqrt(sigmoid(class) x
/// sigmoid(centerness)) > `scoreThresh`, the best `preNmsTopN` per level,
/// boxes ReLU(distances) x stride from the cell centers, class-wise NMS at
/// IoU `nmsIou`, the best `detectionsPerImage`.
struct FcosPostprocess {
  float scoreThresh = 0.05f;
  int64_t preNmsTopN = 100;
  double nmsIou = 0.6;
  int64_t detectionsPerImage = 100;
};

/// Parses `fcos[,score=S][,topk=K][,nms=T][,dets=D]` (the defaults above).
/// Errors name the key and the spec.
Expected<FcosPostprocess> parseFcosPostprocess(const std::string &spec);

/// The detections of every image of a batch from the body's outputs, per
/// level (class logits [N, C, H, W], box distances [N, 4, H, W] in strides,
/// centerness logits [N, 1, H, W]); the stride of a level is `imageSize /
/// H`, which must divide exactly. Errors name the output that does not fit.
Expected<std::vector<std::vector<Detection>>>
fcosDetections(const std::vector<Tensor> &outputs, int64_t imageHeight,
               int64_t imageWidth, const FcosPostprocess &p);

/// COCO box mAP: AP over IoU 0.50:0.95, AP50, AP75 (pycocotools'
/// summarize() stats[0..2]; -1 when no category has a ground-truth box).
struct CocoMap {
  double ap = -1, ap50 = -1, ap75 = -1;
};

/// Scores `detections[i]`, the detections of image `images[i]` (an index
/// into `gt.images`), against `gt`'s boxes of those images, as
/// pycocotools' COCOeval(iouType="bbox") with the default parameters.
Expected<CocoMap> cocoBoxMap(const CocoAnnotations &gt,
                             const std::vector<int64_t> &images,
                             const std::vector<std::vector<Detection>> &detections);

/// A detector body's evaluation on a coco: data set.
struct DetectionEvalResult {
  CocoMap map;
  std::vector<int64_t> images; // data set samples = annotation images
  std::vector<std::vector<Detection>> detections;
  double seconds = 0; // model, post-processing and scoring
};

/// Runs `model` (an image batch in, the FCOS maps out) on the first `limit`
/// samples of `data` (all when limit <= 0) in batches of `batchSize`,
/// post-processes the maps and scores them against the data set's
/// annotation file (a `coco:` data set; others are an error naming it).
Expected<DetectionEvalResult> evaluateCocoMap(const ModelFn &model,
                                              const DataSource &data,
                                              const FcosPostprocess &p,
                                              int64_t batchSize,
                                              int64_t limit);

/// The detections as a COCO results file (image_id, category_id, bbox
/// [x, y, w, h], score), what pycocotools' loadRes reads.
Status writeCocoResults(const std::string &path, const CocoAnnotations &gt,
                        const std::vector<int64_t> &images,
                        const std::vector<std::vector<Detection>> &detections);

} // namespace qrt

#endif // QRT_DETECTIONEVAL_H
