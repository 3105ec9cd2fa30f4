//===- Data.h - IDX (Fashion-MNIST) loader and .npy files -------*- C++ -*-===//

#ifndef QRT_DATA_H
#define QRT_DATA_H

#include "runtime/Tensor.h"

#include <string>
#include <vector>

namespace qrt {

/// Reads an IDX file (optionally gzip-compressed; zlib detects it) of
/// unsigned bytes (type code 0x08) into a u8 tensor with the file's dims.
/// Errors: IoError when missing, FormatError on a bad magic, a dim count
/// over 4, or fewer bytes than the header promises.
Expected<Tensor> readIdx(const std::string &path);

/// Fashion-MNIST / MNIST split in memory: images u8 [N, 28, 28], labels u8 [N].
struct ImageDataset {
  Tensor images, labels;
  int64_t size() const { return labels.numel(); }
  /// Images [begin, begin+count) as f32 [count, 1, H, W]:
  /// (pixel / 255 - mean) / std; labels as i64 [count].
  Status batch(int64_t begin, int64_t count, float mean, float std,
               Tensor &images, Tensor &labels) const;
  /// The samples `indices` (e.g. a shuffled mini-batch), normalized as
  /// batch(); labels as i32 [count] (what a training step takes).
  Status gather(const std::vector<int64_t> &indices, float mean, float std,
                Tensor &images, Tensor &labels) const;
};

/// Loads `<dir>/<split>-images-idx3-ubyte.gz` and
/// `<dir>/<split>-labels-idx1-ubyte.gz`, split = "train" or "t10k", checking
/// that the counts agree and labels are < 10.
Expected<ImageDataset> loadFashionMnist(const std::string &dir,
                                        const std::string &split);

/// NumPy .npy (format 1.0/2.0/3.0, C order, little-endian f4/i1/u1/i4/i8).
Expected<Tensor> readNpy(const std::string &path);
/// Writes format 1.0.
Status writeNpy(const std::string &path, const Tensor &t);

} // namespace qrt

#endif // QRT_DATA_H
