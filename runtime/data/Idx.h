//===- Idx.h - IDX files and the Fashion-MNIST data set ---------*- C++ -*-===//
//
// IDX is the MNIST family's format: a big-endian header (magic 0x0000 08 n,
// then n dimension sizes) and unsigned bytes, here usually gzip-compressed.
// Debian's dataset-fashion-mnist puts the four files under
// /usr/share/datasets/fashion-mnist.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_DATA_IDX_H
#define QRT_DATA_IDX_H

#include "runtime/Tensor.h"

#include <string>

namespace qrt {

/// Reads an unsigned-byte IDX file, gzip-compressed or not, as a u8 tensor of
/// the file's shape. Errors name the file: missing, bad magic, truncated.
Expected<Tensor> readIdx(const std::string &path);

constexpr const char *kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

enum class Split { Train, Test };

struct LabeledImages {
  Tensor images; // u8 [N, H, W]
  Tensor labels; // u8 [N]
};

/// Loads the train (60000) or test (10000) split from `dir` and checks that
/// images and labels agree in count.
Expected<LabeledImages> loadFashionMnist(const std::string &dir, Split split);

/// A float NCHW batch [count, 1, H, W] of images[begin, begin + count):
/// (pixel / 255 - mean) / std, the normalization the model was trained with.
Status normalizedBatch(const Tensor &images, int64_t begin, int64_t count,
                       float mean, float std, Tensor &out);

} // namespace qrt

#endif // QRT_DATA_IDX_H
