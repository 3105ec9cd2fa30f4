//===- Preprocess.h - declared image preprocessing --------------*- C++ -*-===//
//
// The transforms applied to every sample between a data set reader
// (runtime/Dataset.h) and the model, written as a torchvision Compose list:
//
//   Resize(36),CenterCrop(32),Grayscale(1),ToTensor,Normalize([0.286],[0.353])
//
// One spec serves calibration, training and evaluation alike; random
// transforms (RandomCrop, RandomHorizontalFlip) draw only in training
// batches and act as their deterministic counterparts otherwise
// (docs/data.md has the grammar, the semantics and where they differ from
// torchvision's).
//
//===----------------------------------------------------------------------===//

#ifndef QRT_PREPROCESS_H
#define QRT_PREPROCESS_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qrt {

/// One decoded sample, channel-major (CHW). Readers of 8-bit sources give
/// values 0..255 with `eightBit` set (ToTensor divides them by 255); float
/// sources (.npy f32) give their values as they are.
struct Image {
  int64_t channels = 0, height = 0, width = 0;
  std::vector<float> pixels;
  bool eightBit = false;

  void resize(int64_t c, int64_t h, int64_t w) {
    channels = c;
    height = h;
    width = w;
    pixels.assign(c * h * w, 0.f);
  }
  float &at(int64_t c, int64_t y, int64_t x) {
    return pixels[(c * height + y) * width + x];
  }
  float at(int64_t c, int64_t y, int64_t x) const {
    return pixels[(c * height + y) * width + x];
  }
};

/// A parsed transform list. Default-constructed: no transforms.
class Preprocess {
public:
  enum class Kind {
    Resize,
    CenterCrop,
    RandomCrop,
    RandomHorizontalFlip,
    Pad,
    Grayscale,
    ToTensor,
    Normalize,
    ToBGR,
    Scale,
  };
  struct Step {
    Kind kind;
    /// Resize / crops: {h, w} (Resize with one value: {size} = the smaller
    /// edge). Pad: {left, top, right, bottom}. RandomCrop: {h, w, padding}.
    /// RandomHorizontalFlip: {p}. Grayscale: {channels}. Scale: {factor}.
    std::vector<float> args;
    /// Normalize: per-channel mean and std (one value: every channel).
    std::vector<float> mean, std;
    float fill = 0.f; // Pad
    bool nearest = false; // Resize(interpolation=nearest)
  };

  Preprocess() = default;

  /// Parses `spec` (docs/data.md); errors name the transform or argument.
  static Expected<Preprocess> parse(const std::string &spec);
  /// ToTensor,Normalize(mean=[mean],std=[std]): the IDX path's
  /// (pixel / 255 - mean) / std, bit for bit.
  static Preprocess normalize(float mean, float std);

  /// Applies the steps to `image`. `train` enables the random transforms,
  /// which draw from `seed` (a function of the run's seed, the batch and the
  /// sample, so that a batch is the same at any thread count).
  Status apply(Image &image, bool train, uint64_t seed) const;

  /// The spec, normalized (one canonical spelling per transform): what
  /// report.md records.
  std::string str() const;
  const std::vector<Step> &steps() const { return steps_; }
  bool hasRandom() const;

private:
  std::vector<Step> steps_;
};

} // namespace qrt

#endif // QRT_PREPROCESS_H
