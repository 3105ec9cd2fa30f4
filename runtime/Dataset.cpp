//===- Dataset.cpp - data set specs, IDX / .npy / CIFAR readers, batches --===//

#include "runtime/Dataset.h"
#include "runtime/Data.h"
#include "runtime/Parallel.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <sys/stat.h>

namespace qrt {

// Defined in ImageFiles.cpp.
Expected<std::shared_ptr<const Dataset>>
openImageFiles(const std::string &dir, bool labelled, const std::string &what);
// Defined in Coco.cpp.
Expected<std::shared_ptr<const Dataset>>
openCocoDataset(const std::string &jsonPath, const std::string &imagesDir);

Dataset::~Dataset() = default;

std::string Dataset::sampleName(int64_t index) const {
  return "sample " + std::to_string(index);
}

Status Dataset::boxes(int64_t, SampleBoxes &) const {
  return invalidArgument(describe() +
                         " has no boxes (detection targets need coco:)");
}

namespace {

bool isFile(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}
bool isDirectory(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

//===----------------------------------------------------------------------===//
// IDX and .npy: tensors in memory
//===----------------------------------------------------------------------===//

/// Images u8 [N, H, W] or u8 / f32 [N, C, H, W] (or NHWC), labels int64.
class TensorDataset : public Dataset {
public:
  TensorDataset(Tensor images, bool nhwc, std::vector<int64_t> labels,
                std::string description)
      : images(std::move(images)), nhwc(nhwc), labels(std::move(labels)),
        description(std::move(description)) {
    for (int64_t l : this->labels)
      classes = std::max(classes, l + 1);
  }

  int64_t size() const override { return images.dim(0); }
  bool hasLabels() const override { return !labels.empty(); }
  int64_t numClasses() const override { return classes; }
  std::string describe() const override { return description; }

  Status read(int64_t index, Image &img, int64_t &label) const override {
    int64_t c, h, w;
    if (images.rank() == 3) {
      c = 1;
      h = images.dim(1);
      w = images.dim(2);
    } else if (nhwc) {
      h = images.dim(1);
      w = images.dim(2);
      c = images.dim(3);
    } else {
      c = images.dim(1);
      h = images.dim(2);
      w = images.dim(3);
    }
    img.resize(c, h, w);
    img.eightBit = images.dtype() == DType::U8;
    int64_t n = c * h * w;
    for (int64_t i = 0; i < n; ++i) {
      // i runs over the source's order; CHW index of the same element.
      int64_t dst = i;
      if (nhwc) {
        int64_t ch = i % c, pix = i / c;
        dst = ch * h * w + pix;
      }
      img.pixels[dst] = images.dtype() == DType::U8
                            ? float(images.data<uint8_t>()[index * n + i])
                            : images.data<float>()[index * n + i];
    }
    label = labels.empty() ? -1 : labels[index];
    return Status::ok();
  }

private:
  Tensor images;
  bool nhwc;
  std::vector<int64_t> labels;
  std::string description;
  int64_t classes = 0;
};

Expected<std::vector<int64_t>> labelsOf(const Tensor &t, int64_t count,
                                        const std::string &path) {
  if (t.rank() != 1 || t.dim(0) != count)
    return formatError(path + ": labels " + shapeToString(t.shape()) +
                       " do not match " + std::to_string(count) +
                       " images (expected [" + std::to_string(count) + "])");
  std::vector<int64_t> out(count);
  for (int64_t i = 0; i < count; ++i) {
    switch (t.dtype()) {
    case DType::U8:
      out[i] = t.data<uint8_t>()[i];
      break;
    case DType::I8:
      out[i] = t.data<int8_t>()[i];
      break;
    case DType::I32:
      out[i] = t.data<int32_t>()[i];
      break;
    case DType::I64:
      out[i] = t.data<int64_t>()[i];
      break;
    default:
      return formatError(path + ": labels must be integers, not " +
                         std::string(dtypeName(t.dtype())));
    }
    if (out[i] < 0 || out[i] > (1 << 20))
      return formatError(path + ": label " + std::to_string(out[i]) +
                         " of sample " + std::to_string(i) +
                         " is not a class index");
  }
  return out;
}

Expected<std::shared_ptr<const Dataset>>
openNpy(const std::string &images, const std::string &labels,
        const std::string &layout) {
  Expected<Tensor> x = readNpy(images);
  if (!x)
    return x.status();
  if (x->dtype() != DType::U8 && x->dtype() != DType::F32)
    return formatError(images + ": images must be uint8 or float32, not " +
                       std::string(dtypeName(x->dtype())));
  bool nhwc = layout == "nhwc";
  if (x->rank() != 3 && x->rank() != 4)
    return formatError(images + ": images " + shapeToString(x->shape()) +
                       " must be [N, H, W] or [N, C, H, W] (layout=nhwc: "
                       "[N, H, W, C])");
  if (x->dim(0) == 0 || x->numel() == 0)
    return formatError(images + ": no images");
  std::vector<int64_t> y;
  if (!labels.empty()) {
    Expected<Tensor> l = readNpy(labels);
    if (!l)
      return l.status();
    Expected<std::vector<int64_t>> v = labelsOf(*l, x->dim(0), labels);
    if (!v)
      return v.status();
    y = std::move(*v);
  }
  std::string d = ".npy " + images + " (" + std::to_string(x->dim(0)) + " " +
                  dtypeName(x->dtype()) + " images " +
                  shapeToString(Shape(x->shape().begin() + 1,
                                      x->shape().end())) +
                  (nhwc ? " NHWC" : "") +
                  (labels.empty() ? ", no labels" : ", labels " + labels) + ")";
  return std::shared_ptr<const Dataset>(
      std::make_shared<TensorDataset>(std::move(*x), nhwc, std::move(y), d));
}

//===----------------------------------------------------------------------===//
// CIFAR binary batches
//===----------------------------------------------------------------------===//

/// Records of `labelBytes` label bytes + 3072 image bytes (3 x 32 x 32,
/// channel-major) in one or more files, read with pread when asked for.
class CifarDataset : public Dataset {
public:
  static constexpr int64_t kImageBytes = 3 * 32 * 32;

  ~CifarDataset() override {
    for (int fd : fds)
      ::close(fd);
  }

  static Expected<std::shared_ptr<const Dataset>>
  open(const std::vector<std::string> &files, int labelBytes, int labelIndex,
       int64_t classes, const std::string &description) {
    auto d = std::make_shared<CifarDataset>();
    d->labelBytes = labelBytes;
    d->labelIndex = labelIndex;
    d->classes = classes;
    d->description = description;
    int64_t record = labelBytes + kImageBytes;
    for (const std::string &f : files) {
      int fd = ::open(f.c_str(), O_RDONLY);
      if (fd < 0)
        return ioError("cannot open " + f);
      d->fds.push_back(fd);
      struct stat st;
      if (::fstat(fd, &st) != 0)
        return ioError("cannot stat " + f);
      if (st.st_size == 0 || st.st_size % record != 0)
        return formatError(f + ": " + std::to_string(st.st_size) +
                           " bytes is not a whole number of " +
                           std::to_string(record) + "-byte CIFAR records");
      d->names.push_back(f);
      d->starts.push_back(d->total);
      d->total += st.st_size / record;
    }
    return std::shared_ptr<const Dataset>(d);
  }

  int64_t size() const override { return total; }
  bool hasLabels() const override { return true; }
  int64_t numClasses() const override { return classes; }
  std::string describe() const override {
    return description + " (" + std::to_string(total) + " images)";
  }
  std::string sampleName(int64_t index) const override {
    size_t f = fileOf(index);
    return names[f] + " record " + std::to_string(index - starts[f]);
  }

  Status read(int64_t index, Image &img, int64_t &label) const override {
    size_t f = fileOf(index);
    int64_t record = labelBytes + kImageBytes;
    std::vector<uint8_t> bytes(record);
    ssize_t n = ::pread(fds[f], bytes.data(), record,
                        (index - starts[f]) * record);
    if (n != record)
      return ioError("cannot read " + sampleName(index));
    label = bytes[labelIndex];
    if (label >= classes)
      return formatError(sampleName(index) + ": label " +
                         std::to_string(label) + " is not below " +
                         std::to_string(classes));
    img.resize(3, 32, 32);
    img.eightBit = true;
    for (int64_t i = 0; i < kImageBytes; ++i)
      img.pixels[i] = bytes[labelBytes + i];
    return Status::ok();
  }

private:
  size_t fileOf(int64_t index) const {
    return std::upper_bound(starts.begin(), starts.end(), index) -
           starts.begin() - 1;
  }

  std::vector<int> fds;
  std::vector<std::string> names;
  std::vector<int64_t> starts;
  int64_t total = 0, classes = 10;
  int labelBytes = 1, labelIndex = 0;
  std::string description;
};

Expected<std::shared_ptr<const Dataset>>
openCifar(bool hundred, const std::string &path, const std::string &split,
          const std::string &label, const std::string &what) {
  std::vector<std::string> files;
  if (isDirectory(path)) {
    if (hundred)
      files = {path + "/" + (split == "train" ? "train.bin" : "test.bin")};
    else if (split == "train")
      for (int i = 1; i <= 5; ++i)
        files.push_back(path + "/data_batch_" + std::to_string(i) + ".bin");
    else
      files = {path + "/test_batch.bin"};
    for (const std::string &f : files)
      if (!isFile(f))
        return ioError(what + ": " + f + " not found (a CIFAR-" +
                       (hundred ? "100" : "10") +
                       " binary directory has " +
                       (hundred ? "train.bin and test.bin"
                                : "data_batch_1..5.bin and test_batch.bin") +
                       "; or name one .bin file)");
  } else if (isFile(path)) {
    files = {path};
  } else {
    return ioError(what + ": " + path + " not found");
  }
  if (hundred && label != "fine" && label != "coarse")
    return invalidArgument(what + ": label must be fine or coarse, not '" +
                           label + "'");
  // CIFAR-100 records are <coarse label><fine label><image>.
  int labelBytes = hundred ? 2 : 1;
  int labelIndex = hundred && label == "fine" ? 1 : 0;
  int64_t classes = !hundred ? 10 : label == "fine" ? 100 : 20;
  std::string d = std::string(hundred ? "CIFAR-100" : "CIFAR-10") + " " +
                  path + (isDirectory(path) ? " " + split : "") +
                  (hundred ? " (" + label + " labels)" : "");
  return CifarDataset::open(files, labelBytes, labelIndex, classes, d);
}

//===----------------------------------------------------------------------===//
// Specs
//===----------------------------------------------------------------------===//

std::string trimmed(std::string s) {
  s.erase(0, s.find_first_not_of(' '));
  s.erase(s.find_last_not_of(' ') + 1);
  return s;
}

const char *kKinds = "fashion-mnist[:DIR], mnist:DIR, idx:IMAGES, folder:DIR, "
                     "images:DIR, npy:X.npy, cifar10:PATH, cifar100:PATH, "
                     "coco:ANNOTATIONS.json";

} // namespace

Expected<std::shared_ptr<const Dataset>>
openIdxDataset(const std::string &imagesPath, const std::string &labelsPath) {
  Expected<Tensor> images = readIdx(imagesPath);
  if (!images)
    return images.status();
  if (images->rank() != 3 || images->dim(0) == 0)
    return formatError(imagesPath + ": images " +
                       shapeToString(images->shape()) +
                       " must be a non-empty [N, H, W]");
  std::vector<int64_t> labels;
  if (!labelsPath.empty()) {
    Expected<Tensor> l = readIdx(labelsPath);
    if (!l)
      return l.status();
    Expected<std::vector<int64_t>> v =
        labelsOf(*l, images->dim(0), labelsPath);
    if (!v)
      return v.status();
    labels = std::move(*v);
  }
  std::string d = "IDX " + imagesPath + " (" + std::to_string(images->dim(0)) +
                  " images " + std::to_string(images->dim(1)) + "x" +
                  std::to_string(images->dim(2)) +
                  (labelsPath.empty() ? ", no labels" : "") + ")";
  return std::shared_ptr<const Dataset>(std::make_shared<TensorDataset>(
      std::move(*images), false, std::move(labels), d));
}

Expected<std::shared_ptr<const Dataset>>
openFashionMnist(const std::string &dir, const std::string &split) {
  if (split != "train" && split != "t10k")
    return invalidArgument("fashion-mnist split must be train or t10k, not '" +
                           split + "'");
  auto file = [&](const char *what) {
    std::string gz = dir + "/" + split + "-" + what + "-ubyte.gz";
    std::string plain = dir + "/" + split + "-" + what + "-ubyte";
    return !isFile(gz) && isFile(plain) ? plain : gz;
  };
  Expected<std::shared_ptr<const Dataset>> d =
      openIdxDataset(file("images-idx3"), file("labels-idx1"));
  if (!d)
    return d.status();
  if ((*d)->numClasses() > 10)
    return formatError(dir + " " + split + ": a label is not in [0, 9]");
  return d;
}

std::string dataKind(const std::string &spec) {
  return trimmed(spec.substr(0, spec.find_first_of(":,")));
}

bool dataKindHasSplits(const std::string &kind) {
  return kind == "fashion-mnist" || kind == "mnist" || kind == "cifar10" ||
         kind == "cifar100";
}

Expected<std::shared_ptr<const Dataset>>
openDataset(const std::string &spec, DataRole role,
            const std::string &fashionMnistDir, const std::string &what) {
  // KIND[:PATH][,key=value]...
  std::vector<std::string> parts;
  size_t pos = 0;
  while (true) {
    size_t comma = spec.find(',', pos);
    parts.push_back(trimmed(spec.substr(pos, comma - pos)));
    if (comma == std::string::npos)
      break;
    pos = comma + 1;
  }
  std::string head = parts[0], kind = head, path;
  size_t colon = head.find(':');
  if (colon != std::string::npos) {
    kind = head.substr(0, colon);
    path = head.substr(colon + 1);
  }
  std::map<std::string, std::string> keys;
  for (size_t i = 1; i < parts.size(); ++i) {
    size_t eq = parts[i].find('=');
    if (eq == std::string::npos || eq == 0)
      return invalidArgument(what + " '" + spec + "': '" + parts[i] +
                             "' is not key=value");
    keys[parts[i].substr(0, eq)] = parts[i].substr(eq + 1);
  }
  auto take = [&](const std::string &key, const std::string &dflt) {
    auto it = keys.find(key);
    if (it == keys.end())
      return dflt;
    std::string v = it->second;
    keys.erase(it);
    return v;
  };
  auto needPath = [&]() -> Status {
    if (path.empty())
      return invalidArgument(what + " '" + spec + "': " + kind +
                             " needs a path (" + kind + ":PATH)");
    return Status::ok();
  };
  Expected<std::shared_ptr<const Dataset>> result =
      invalidArgument(what + ": unknown data set kind '" + kind +
                      "' in '" + spec + "' (known: " + kKinds + ")");
  if (kind == "fashion-mnist" || kind == "mnist") {
    if (kind == "mnist")
      QRT_RETURN_IF_ERROR(needPath());
    std::string split = take("split", role == DataRole::Train ? "train"
                                                              : "t10k");
    if (split == "test")
      split = "t10k";
    result = openFashionMnist(path.empty() ? fashionMnistDir : path, split);
  } else if (kind == "idx") {
    QRT_RETURN_IF_ERROR(needPath());
    result = openIdxDataset(path, take("labels", ""));
  } else if (kind == "folder" || kind == "images") {
    QRT_RETURN_IF_ERROR(needPath());
    result = openImageFiles(path, kind == "folder", what);
  } else if (kind == "npy") {
    QRT_RETURN_IF_ERROR(needPath());
    std::string layout = take("layout", "nchw");
    if (layout != "nchw" && layout != "nhwc")
      return invalidArgument(what + " '" + spec +
                             "': layout must be nchw or nhwc, not '" + layout +
                             "'");
    result = openNpy(path, take("labels", ""), layout);
  } else if (kind == "coco") {
    QRT_RETURN_IF_ERROR(needPath());
    result = openCocoDataset(path, take("images", ""));
  } else if (kind == "cifar10" || kind == "cifar100") {
    QRT_RETURN_IF_ERROR(needPath());
    std::string split = take("split", role == DataRole::Train ? "train"
                                                              : "test");
    if (split != "train" && split != "test")
      return invalidArgument(what + " '" + spec +
                             "': split must be train or test, not '" + split +
                             "'");
    result = openCifar(kind == "cifar100", path, split,
                       take("label", "fine"), what);
  } else {
    return result.status();
  }
  if (!keys.empty())
    return invalidArgument(what + " '" + spec + "': " + kind +
                           " takes no '" + keys.begin()->first + "'");
  if (!result && result.status().message().rfind(what, 0) != 0)
    return Status::error(result.status().code(),
                         what + ": " + result.status().message());
  return result;
}

//===----------------------------------------------------------------------===//
// DataSource
//===----------------------------------------------------------------------===//

Expected<DataSource> DataSource::fashionMnist(const std::string &dir,
                                              const std::string &split,
                                              float mean, float std) {
  if (!(std > 0.f))
    return invalidArgument("the normalization std must be > 0");
  Expected<std::shared_ptr<const Dataset>> d = openFashionMnist(dir, split);
  if (!d)
    return d.status();
  return DataSource(std::move(*d), Preprocess::normalize(mean, std));
}

Expected<DataSource> openDataSource(const std::string &spec, DataRole role,
                                    const std::string &transform,
                                    const std::string &fashionMnistDir,
                                    float mean, float std,
                                    const std::string &what) {
  Expected<std::shared_ptr<const Dataset>> d =
      openDataset(spec, role, fashionMnistDir, what);
  if (!d)
    return d.status();
  if (!transform.empty()) {
    Expected<Preprocess> p = Preprocess::parse(transform);
    if (!p)
      return p.status();
    return DataSource(std::move(*d), std::move(*p));
  }
  std::string kind = dataKind(spec);
  if (kind == "fashion-mnist" || kind == "mnist" || kind == "idx") {
    if (!(std > 0.f))
      return invalidArgument("the normalization std must be > 0");
    return DataSource(std::move(*d), Preprocess::normalize(mean, std));
  }
  Expected<Preprocess> p = Preprocess::parse("ToTensor");
  return DataSource(std::move(*d), std::move(*p));
}

uint64_t batchSeed(uint64_t seed, int64_t step) {
  uint64_t z = seed * 0x9e3779b97f4a7c15ull + uint64_t(step) + 1;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

Status DataSource::assemble(const std::vector<int64_t> &indices, bool train,
                            uint64_t seed, Tensor &images, int64_t *labels64,
                            int32_t *labels32) const {
  if (!data_)
    return invalidArgument("no data set");
  int64_t n = static_cast<int64_t>(indices.size());
  for (int64_t k : indices)
    if (k < 0 || k >= size())
      return invalidArgument("sample " + std::to_string(k) +
                             " out of range for " + std::to_string(size()) +
                             " samples");
  std::vector<Image> decoded(n);
  std::vector<int64_t> labels(n, -1);
  std::vector<Status> status(n, Status::ok());
  // Decoding a file costs far more than the loop's split: one sample is
  // enough work for a thread.
  detail::parallelFor(n, 1 << 15, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      status[i] = data_->read(indices[i], decoded[i], labels[i]);
      if (!status[i])
        continue;
      status[i] = preprocess_.apply(decoded[i], train,
                                    batchSeed(seed, indices[i]));
      if (!status[i])
        status[i] = invalidArgument(data_->sampleName(indices[i]) + ": " +
                                    status[i].message());
    }
  });
  for (const Status &s : status)
    if (!s)
      return s;
  if (n == 0)
    return prepareOutput(images, {0, 0, 0, 0}, DType::F32, "batch images");
  const Image &first = decoded[0];
  for (int64_t i = 1; i < n; ++i)
    if (decoded[i].channels != first.channels ||
        decoded[i].height != first.height || decoded[i].width != first.width)
      return invalidArgument(
          data_->sampleName(indices[i]) + " is " +
          std::to_string(decoded[i].channels) + "x" +
          std::to_string(decoded[i].height) + "x" +
          std::to_string(decoded[i].width) + " after the transforms, " +
          data_->sampleName(indices[0]) + " " +
          std::to_string(first.channels) + "x" +
          std::to_string(first.height) + "x" + std::to_string(first.width) +
          ": add Resize / CenterCrop to --transform");
  int64_t per = first.channels * first.height * first.width;
  QRT_RETURN_IF_ERROR(
      prepareOutput(images, {n, first.channels, first.height, first.width},
                    DType::F32, "batch images"));
  float *dst = images.data<float>();
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(dst + i * per, decoded[i].pixels.data(), per * sizeof(float));
    if (labels64)
      labels64[i] = labels[i];
    if (labels32)
      labels32[i] = static_cast<int32_t>(labels[i]);
  }
  return Status::ok();
}

Status DataSource::batch(int64_t begin, int64_t count, Tensor &images,
                         Tensor &labels) const {
  if (begin < 0 || count < 0 || begin + count > size())
    return invalidArgument("batch [" + std::to_string(begin) + ", " +
                           std::to_string(begin + count) +
                           ") out of range for " + std::to_string(size()) +
                           " samples");
  std::vector<int64_t> indices(count);
  for (int64_t i = 0; i < count; ++i)
    indices[i] = begin + i;
  QRT_RETURN_IF_ERROR(
      prepareOutput(labels, {count}, DType::I64, "batch labels"));
  return assemble(indices, /*train=*/false, 0, images, labels.data<int64_t>(),
                  nullptr);
}

Status DataSource::gather(const std::vector<int64_t> &indices, uint64_t seed,
                          Tensor &images, Tensor &labels) const {
  QRT_RETURN_IF_ERROR(prepareOutput(labels, {int64_t(indices.size())},
                                    DType::I32, "gather labels"));
  return assemble(indices, /*train=*/true, seed, images, nullptr,
                  labels.data<int32_t>());
}

Status
DataSource::gatherBoxes(const std::vector<int64_t> &indices,
                        int64_t imageHeight, int64_t imageWidth,
                        std::vector<std::vector<LabeledBox>> &out) const {
  if (!data_)
    return invalidArgument("no data set");
  // Boxes are taken as the json gives them: a step that moves pixels would
  // need them moved too (and a random one per training draw).
  for (const Preprocess::Step &step : preprocess_.steps()) {
    const char *name = nullptr;
    switch (step.kind) {
    case Preprocess::Kind::Resize:
      name = "Resize";
      break;
    case Preprocess::Kind::CenterCrop:
      name = "CenterCrop";
      break;
    case Preprocess::Kind::Pad:
      name = "Pad";
      break;
    case Preprocess::Kind::RandomCrop:
      name = "RandomCrop";
      break;
    case Preprocess::Kind::RandomHorizontalFlip:
      name = "RandomHorizontalFlip";
      break;
    default:
      break;
    }
    if (name)
      return unsupported(
          std::string("detection targets: the transform ") + name +
          " moves pixels and the boxes would not follow (" + preprocess_.str() +
          "); targets take Grayscale, ToTensor, Normalize, ToBGR, Scale");
  }
  out.assign(indices.size(), {});
  SampleBoxes sample;
  for (size_t i = 0; i < indices.size(); ++i) {
    int64_t k = indices[i];
    if (k < 0 || k >= size())
      return invalidArgument("sample " + std::to_string(k) +
                             " out of range for " + std::to_string(size()) +
                             " samples");
    QRT_RETURN_IF_ERROR(data_->boxes(k, sample));
    if (sample.height != imageHeight || sample.width != imageWidth)
      return invalidArgument(
          "detection targets: " + data_->sampleName(k) + " is " +
          std::to_string(sample.height) + "x" + std::to_string(sample.width) +
          ", the targets are for " + std::to_string(imageHeight) + "x" +
          std::to_string(imageWidth) + " images (height x width)");
    out[i] = std::move(sample.boxes);
  }
  return Status::ok();
}

Expected<Shape> DataSource::sampleShape() const {
  if (!data_ || size() == 0)
    return invalidArgument("the data set is empty");
  Tensor images, labels;
  QRT_RETURN_IF_ERROR(batch(0, 1, images, labels));
  return Shape(images.shape().begin() + 1, images.shape().end());
}

std::string DataSource::describe() const {
  if (!data_)
    return "(none)";
  return data_->describe() + "; " + preprocess_.str();
}

} // namespace qrt
