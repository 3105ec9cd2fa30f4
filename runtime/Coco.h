//===- Coco.h - COCO detection annotations (json) -------------*- C++ -*-===//
//
// The object-detection annotations of a COCO-format json file (what
// pycocotools' COCO class reads): images, categories and boxes, validated
// when read, so that a bad file is refused with the field that is wrong
// (docs/data.md "COCO"). The `coco:` data set spec (runtime/Dataset.h)
// serves the images for calibration and their boxes for detection
// targets (runtime/DetectionTargets.h); evaluation reads the json too.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_COCO_H
#define QRT_COCO_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qrt {

struct CocoImage {
  int64_t id = 0;
  std::string fileName; // as the json gives it
  std::string path;     // the file read: images directory / fileName
  int64_t width = 0, height = 0;
};

struct CocoCategory {
  int64_t id = 0;
  std::string name;
};

/// One annotation's box, [x, y, width, height] in pixels (COCO's
/// convention), of images[image] and category categories[category].
struct CocoBox {
  int64_t id = 0;
  int64_t image = 0;    // index into CocoAnnotations::images
  int64_t category = 0; // index into CocoAnnotations::categories
  double x = 0, y = 0, width = 0, height = 0;
  bool crowd = false;
};

struct CocoAnnotations {
  std::string path; // the json file
  std::vector<CocoImage> images;
  std::vector<CocoCategory> categories;
  std::vector<CocoBox> boxes;
};

/// Reads and checks `jsonPath`. File names are relative to `imagesDir`
/// (default: the json's directory) and must exist. Refused, with the file
/// and the field (`annotations[7].category_id`): malformed json (line and
/// column), a missing or mistyped field, duplicate ids, an annotation of an
/// unknown image or category, a box with a negative size or outside its
/// image, an image file that is not there.
Expected<CocoAnnotations> readCocoAnnotations(const std::string &jsonPath,
                                              const std::string &imagesDir);

} // namespace qrt

#endif // QRT_COCO_H
