//===- Checkpoint.h - training checkpoints ----------------------*- C++ -*-===//
//
// A checkpoint is a small key/value header of u64 vectors (step, epoch, RNG
// state, ...) and an ordered list of named tensors (weights, optimizer
// state). Files are written atomically: a temporary file in the same
// directory, fsync, rename over the target, fsync of the directory; a crash
// or error leaves either the old file or the new one, never a partial file.
//
// Format (little-endian), version 1:
//   "QRTCKPT\0"  u32 version  u32 flags(0)  u64 numMeta  u64 numTensors
//   meta:    u32 keyLen, key, u64 count, count × u64
//   tensor:  u32 nameLen, name, u32 dtype (DType), u32 rank, rank × i64 dim,
//            u64 nbytes, raw data
//   trailer: u32 crc32 (zlib) of every byte before it, "QRTCEND\0"
// Readers check the magic, the version, the trailer (truncation) and the
// checksum before parsing, and bound every length by the file size.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CHECKPOINT_H
#define QRT_CHECKPOINT_H

#include "runtime/Tensor.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace qrt {

struct Checkpoint {
  std::map<std::string, std::vector<uint64_t>> meta;
  std::vector<std::pair<std::string, Tensor>> tensors;

  /// The tensor named `name`, or nullptr.
  const Tensor *find(const std::string &name) const;
  /// meta[key][0], or `fallback` when absent or empty.
  uint64_t value(const std::string &key, uint64_t fallback = 0) const;
};

/// Current format version written by saveCheckpoint.
constexpr uint32_t kCheckpointVersion = 1;

/// Writes `ckpt` to `path` atomically. Tensor names must be unique and
/// non-empty; IoError on any file-system failure (nothing is left behind).
Status saveCheckpoint(const std::string &path, const Checkpoint &ckpt);
/// Reads a checkpoint. IoError if the file cannot be read; FormatError for a
/// bad magic, an unknown version, a truncated file or a checksum mismatch.
Expected<Checkpoint> loadCheckpoint(const std::string &path);

} // namespace qrt

#endif // QRT_CHECKPOINT_H
