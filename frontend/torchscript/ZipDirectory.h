//===- ZipDirectory.h - a zip archive's central directory --------*- C++ -*-===//
//
// LibTorch 1.13 reads a TorchScript archive with miniz built without its
// CRC-32 checks (MINIZ_DISABLE_ZIP_READER_CRC32_CHECKS): a record whose
// deflate stream is damaged comes back at its declared size with only the
// bytes inflated before the damage, the rest uninitialized heap, and a
// stored tensor record with flipped bits comes back as it is, both without
// an error (fuzz-torchscript). The reader therefore reads the archive's
// central directory itself and compares each record LibTorch returns with
// the CRC-32 the directory holds for it. No LibTorch types: plain bytes in.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_FRONTEND_TORCHSCRIPT_ZIPDIRECTORY_H
#define QOPT_FRONTEND_TORCHSCRIPT_ZIPDIRECTORY_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qopt::torch_import {

/// One central-directory entry (APPNOTE.TXT 4.3.12), with the 64-bit sizes
/// and offset of its Zip64 extra field when the 32-bit ones are 0xFFFFFFFF.
struct ZipEntry {
  std::string name;
  uint32_t crc32 = 0;
  uint16_t method = 0; // 0 stored, 8 deflated
  uint64_t compressedSize = 0, uncompressedSize = 0, localHeaderOffset = 0;
  uint64_t entryOffset = 0; // of this entry in the file
};

/// `needFrom` when parseZipDirectory needs no other part of the file.
constexpr uint64_t kNotNeeded = UINT64_MAX;

/// Parses the central directory of a zip archive held in `tail`, the last
/// `tail.size()` bytes of a file of `fileSize` bytes: the end-of-central-
/// directory record must lie in `tail`; when the Zip64 record or the
/// directory itself starts before `tail`, fails with `needFrom` set to the
/// file offset the tail must start at (call again with that tail), and
/// otherwise leaves it kNotNeeded. Returns false with `error` set when the
/// bytes are not a well-formed directory: every count, size and offset is
/// checked against the file before it is used.
bool parseZipDirectory(const uint8_t *tail, size_t tailSize,
                       uint64_t fileSize, std::vector<ZipEntry> &entries,
                       uint64_t &needFrom, std::string &error);

/// Reads the central directory of the zip archive at `path`: its last 64 KB,
/// then, when the directory starts before them, from where it starts.
/// Returns false with `error` set when it is not a well-formed one.
bool readZipDirectory(const std::string &path, std::vector<ZipEntry> &entries,
                      std::string &error);

/// Why a deflated entry's declared size cannot be that of its data, if it
/// cannot: more than deflate's largest ratio (1032:1) gives its compressed
/// bytes. LibTorch allocates the declared size before inflating. (miniz
/// refuses a stored entry whose two sizes differ when it opens the archive.)
std::optional<std::string> implausibleSize(const ZipEntry &e);

/// zlib's CRC-32 of `size` bytes.
uint32_t zipCrc32(const void *data, size_t size);

} // namespace qopt::torch_import

#endif // QOPT_FRONTEND_TORCHSCRIPT_ZIPDIRECTORY_H
