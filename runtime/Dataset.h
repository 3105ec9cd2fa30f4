//===- Dataset.h - data sets for calibration, training, evaluation -*- C++ -*-===//
//
// One interface for every data set qopt reads (docs/data.md):
//
//   fashion-mnist[:DIR][,split=train|t10k]   IDX files (also mnist:DIR)
//   idx:IMAGES[,labels=LABELS]                 one IDX pair
//   folder:DIR                                 torchvision's ImageFolder
//                                              (DIR/<class>/<image>, PNG/JPEG)
//   images:DIR                                 PNG/JPEG files, no labels
//   npy:X.npy[,labels=Y.npy][,layout=nhwc]     arrays
//   cifar10:PATH[,split=train|test]            CIFAR-10 binary batches
//   cifar100:PATH[,split=..][,label=fine|coarse]
//   coco:ANNOTATIONS.json[,images=DIR]         COCO detection images (no
//                                              labels; boxes(): Coco.h)
//
// A Dataset decodes one sample at a time (image files and CIFAR records are
// read when asked for, so memory stays bounded by a batch; IDX and .npy are
// held in memory); a DataSource pairs it with the declared preprocessing
// (runtime/Preprocess.h) and assembles batches, decoding samples on qrt's
// threads. The order is the data set's (sorted paths, file order), so a
// batch is the same at any thread count.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_DATASET_H
#define QRT_DATASET_H

#include "runtime/Coco.h"
#include "runtime/DetectionTargets.h"
#include "runtime/Preprocess.h"
#include "runtime/Tensor.h"

#include <memory>
#include <string>
#include <vector>

namespace qrt {

/// A detection sample's boxes, in the pixels of its image as read
/// (height x width), in the data set's order (coco: the json's).
struct SampleBoxes {
  int64_t height = 0, width = 0;
  std::vector<LabeledBox> boxes;
};

class Dataset {
public:
  virtual ~Dataset();
  virtual int64_t size() const = 0;
  virtual bool hasLabels() const = 0;
  /// Number of classes when labelled (0 when unknown).
  virtual int64_t numClasses() const { return 0; }
  /// Decodes sample `index` (0 <= index < size()); `label` is -1 without
  /// labels. Errors name the file or sample.
  virtual Status read(int64_t index, Image &image, int64_t &label) const = 0;
  /// What the sample is called in messages: its file, or "sample N".
  virtual std::string sampleName(int64_t index) const;
  /// e.g. "image folder /data/val (1000 images, 10 classes)".
  virtual std::string describe() const = 0;
  /// The boxes of sample `index` (detection data sets: coco). Default: an
  /// error naming describe().
  virtual Status boxes(int64_t index, SampleBoxes &out) const;
  /// Number of box classes (coco: the categories; a box's label is its
  /// category's index in the json's list); 0 without boxes.
  virtual int64_t boxClasses() const { return 0; }
  /// The annotation file of a `coco:` data set (sample i is its image i),
  /// what the COCO mAP of a detector is scored against; null otherwise.
  virtual const CocoAnnotations *cocoAnnotations() const { return nullptr; }
};

/// The kind a spec names: "folder" of "folder:/data", "fashion-mnist" of
/// "fashion-mnist,split=t10k" (what messages and the default transform go
/// by).
std::string dataKind(const std::string &spec);
/// Whether a kind has train / test splits (fashion-mnist, mnist, cifar10,
/// cifar100): without one, evaluation data must be given apart.
bool dataKindHasSplits(const std::string &kind);

/// Which split a spec without `split=` means.
enum class DataRole { Train, Eval };

/// Opens the data set `spec` names (the grammar above). `fashionMnistDir`
/// is where `fashion-mnist` without a directory looks. Errors name the
/// spec, the option (`what`, e.g. "--eval-data") and the file.
Expected<std::shared_ptr<const Dataset>>
openDataset(const std::string &spec, DataRole role,
            const std::string &fashionMnistDir, const std::string &what);

/// The IDX data set of `imagesPath` (u8 [N, H, W]) and, when given,
/// `labelsPath` (u8 [N]).
Expected<std::shared_ptr<const Dataset>>
openIdxDataset(const std::string &imagesPath, const std::string &labelsPath);

/// Fashion-MNIST / MNIST: `<dir>/<split>-images-idx3-ubyte.gz` and
/// `<dir>/<split>-labels-idx1-ubyte.gz`, split = "train" or "t10k".
Expected<std::shared_ptr<const Dataset>>
openFashionMnist(const std::string &dir, const std::string &split);

/// A data set and its preprocessing: what the evaluation loop, calibration,
/// reconstruction and training read batches from.
class DataSource {
public:
  DataSource() = default;
  DataSource(std::shared_ptr<const Dataset> data, Preprocess preprocess)
      : data_(std::move(data)), preprocess_(std::move(preprocess)) {}

  /// Fashion-MNIST's `split` with (pixel / 255 - mean) / std: the default
  /// model's data, what emitted programs read by default.
  static Expected<DataSource> fashionMnist(const std::string &dir,
                                           const std::string &split,
                                           float mean, float std);

  bool defined() const { return data_ != nullptr; }
  int64_t size() const { return data_ ? data_->size() : 0; }
  bool hasLabels() const { return data_ && data_->hasLabels(); }
  const Dataset &dataset() const { return *data_; }
  const Preprocess &preprocess() const { return preprocess_; }

  /// Samples [begin, begin + count) preprocessed without the random
  /// transforms, as f32 [count, C, H, W]; labels i64 [count] (-1 without
  /// labels).
  Status batch(int64_t begin, int64_t count, Tensor &images,
               Tensor &labels) const;
  /// The samples `indices` (a shuffled mini-batch) with the random
  /// transforms drawn from `seed`; labels i32 [count] (what a training step
  /// takes).
  Status gather(const std::vector<int64_t> &indices, uint64_t seed,
                Tensor &images, Tensor &labels) const;

  /// The boxes of the samples `indices` in the preprocessed image's pixels,
  /// for detection targets. Boxes are not transformed: a preprocessing
  /// step that moves pixels (Resize, CenterCrop, Pad, RandomCrop,
  /// RandomHorizontalFlip) is refused by name, and so is a sample whose
  /// image is not imageHeight x imageWidth.
  Status gatherBoxes(const std::vector<int64_t> &indices, int64_t imageHeight,
                     int64_t imageWidth,
                     std::vector<std::vector<LabeledBox>> &out) const;

  /// The shape [C, H, W] of the first sample after preprocessing.
  Expected<Shape> sampleShape() const;

  /// "image folder /x (10 images, 2 classes); Resize(32), ToTensor".
  std::string describe() const;

private:
  Status assemble(const std::vector<int64_t> &indices, bool train,
                  uint64_t seed, Tensor &images, int64_t *labels64,
                  int32_t *labels32) const;

  std::shared_ptr<const Dataset> data_;
  Preprocess preprocess_;
};

/// openDataset, then `transform` parsed (errors name --transform). An empty
/// `transform` means ToTensor,Normalize(mean,std) for the IDX kinds
/// (fashion-mnist, mnist, idx: the default model's preprocessing) and
/// ToTensor for the others.
Expected<DataSource> openDataSource(const std::string &spec, DataRole role,
                                    const std::string &transform,
                                    const std::string &fashionMnistDir,
                                    float mean, float std,
                                    const std::string &what);

/// The seed of training batch `step` of the run seeded `seed`: what
/// DataSource::gather's random transforms draw from.
uint64_t batchSeed(uint64_t seed, int64_t step);

/// PNG or JPEG bytes (told apart by their signature) decoded to 8-bit RGB,
/// as torchvision's ImageFolder loader does (gray replicated, alpha
/// dropped). Errors name `name`.
Status decodeImage(const std::vector<uint8_t> &bytes, const std::string &name,
                   Image &image);

} // namespace qrt

#endif // QRT_DATASET_H
