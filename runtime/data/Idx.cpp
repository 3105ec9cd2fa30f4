//===- Idx.cpp - IDX files and the Fashion-MNIST data set -----------------===//

#include "runtime/data/Idx.h"

#include <zlib.h>

#include <memory>

using namespace qrt;

namespace {
struct GzCloser {
  void operator()(gzFile_s *f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

/// Reads exactly n bytes; false on a short read (truncated file).
bool readExactly(gzFile f, void *buf, size_t n) {
  char *p = static_cast<char *>(buf);
  while (n > 0) {
    unsigned chunk = n > (1u << 30) ? (1u << 30) : static_cast<unsigned>(n);
    int got = gzread(f, p, chunk);
    if (got <= 0)
      return false;
    p += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}
} // namespace

Expected<Tensor> qrt::readIdx(const std::string &path) {
  // gzopen reads plain files transparently as well.
  GzFile f(gzopen(path.c_str(), "rb"));
  if (!f)
    return ioError(path + ": cannot open file");
  auto bad = [&](const std::string &why) {
    return formatError(path + ": not a valid IDX file: " + why);
  };
  unsigned char magic[4];
  if (!readExactly(f.get(), magic, 4))
    return bad("shorter than the 4-byte magic");
  if (magic[0] != 0 || magic[1] != 0)
    return bad("magic must start with two zero bytes");
  if (magic[2] != 0x08)
    return bad("element type 0x" + std::to_string(magic[2]) +
               " is not unsigned byte (0x08)");
  int rank = magic[3];
  if (rank < 1 || rank > 4)
    return bad("unsupported rank " + std::to_string(rank));
  Shape shape;
  for (int i = 0; i < rank; ++i) {
    unsigned char b[4];
    if (!readExactly(f.get(), b, 4))
      return bad("truncated header");
    shape.push_back(int64_t(b[0]) << 24 | int64_t(b[1]) << 16 |
                    int64_t(b[2]) << 8 | int64_t(b[3]));
  }
  Expected<Tensor> t = Tensor::create(shape, DType::U8);
  if (!t)
    return bad(t.status().message());
  if (!readExactly(f.get(), t->rawData(), t->nbytes()))
    return bad("data truncated: expected " + std::to_string(t->nbytes()) +
               " bytes for shape " + shapeToString(shape));
  return t;
}

Expected<LabeledImages> qrt::loadFashionMnist(const std::string &dir,
                                              Split split) {
  std::string prefix = dir + (split == Split::Train ? "/train" : "/t10k");
  Expected<Tensor> images = readIdx(prefix + "-images-idx3-ubyte.gz");
  if (!images)
    return images.status();
  Expected<Tensor> labels = readIdx(prefix + "-labels-idx1-ubyte.gz");
  if (!labels)
    return labels.status();
  if (images->rank() != 3 || labels->rank() != 1 ||
      images->dim(0) != labels->dim(0))
    return formatError(prefix + ": images " +
                       shapeToString(images->shape()) + " and labels " +
                       shapeToString(labels->shape()) + " do not match");
  const uint8_t *l = labels->data<uint8_t>();
  for (int64_t i = 0; i < labels->numel(); ++i)
    if (l[i] > 9)
      return formatError(prefix + ": label " + std::to_string(l[i]) +
                         " at index " + std::to_string(i) +
                         " is not a class in 0..9");
  return LabeledImages{std::move(*images), std::move(*labels)};
}

Status qrt::normalizedBatch(const Tensor &images, int64_t begin, int64_t count,
                            float mean, float std, Tensor &out) {
  if (images.dtype() != DType::U8 || images.rank() != 3)
    return invalidArgument("normalizedBatch: images must be u8 [N, H, W]");
  if (begin < 0 || count < 1 || begin + count > images.dim(0))
    return invalidArgument("normalizedBatch: rows [" + std::to_string(begin) +
                           ", " + std::to_string(begin + count) +
                           ") out of range for " +
                           std::to_string(images.dim(0)) + " images");
  if (!(std > 0.f))
    return invalidArgument("normalizedBatch: std must be positive");
  int64_t h = images.dim(1), w = images.dim(2);
  Status s = prepareOutput(out, {count, 1, h, w}, DType::F32, "batch");
  if (!s)
    return s;
  const uint8_t *src = images.data<uint8_t>() + begin * h * w;
  float *dst = out.data<float>();
  // The same operations in the same order as torchvision's ToTensor then
  // Normalize, so batches are bit-identical to what the model was trained on.
  for (int64_t i = 0; i < count * h * w; ++i)
    dst[i] = (static_cast<float>(src[i]) / 255.0f - mean) / std;
  return Status::ok();
}
