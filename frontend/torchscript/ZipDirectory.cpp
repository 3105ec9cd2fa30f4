//===- ZipDirectory.cpp - a zip archive's central directory ---------------===//

#include "frontend/torchscript/ZipDirectory.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace qopt::torch_import {

namespace {

constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint32_t kZip64End = 0x06064b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr uint32_t kDirectoryEntry = 0x02014b50;
constexpr size_t kEndSize = 22, kLocatorSize = 20, kZip64EndSize = 56;
constexpr size_t kEntrySize = 46;

uint64_t readLE(const uint8_t *p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
  return buf;
}

/// Reads the Zip64 extra field (id 0x0001) of an entry: the fields whose
/// 32-bit value is 0xFFFFFFFF, in the order uncompressed, compressed, local
/// header offset (APPNOTE.TXT 4.5.3).
bool readZip64Extra(const uint8_t *extra, size_t size, ZipEntry &e,
                    bool wantU, bool wantC, bool wantOff) {
  size_t at = 0;
  while (at + 4 <= size) {
    uint64_t id = readLE(extra + at, 2), len = readLE(extra + at + 2, 2);
    if (at + 4 + len > size)
      return false;
    if (id == 0x0001) {
      const uint8_t *p = extra + at + 4;
      size_t need = 8 * (wantU + wantC + wantOff);
      if (len < need)
        return false;
      if (wantU)
        e.uncompressedSize = readLE(p, 8), p += 8;
      if (wantC)
        e.compressedSize = readLE(p, 8), p += 8;
      if (wantOff)
        e.localHeaderOffset = readLE(p, 8);
      return true;
    }
    at += 4 + len;
  }
  return !(wantU || wantC || wantOff);
}

} // namespace

bool parseZipDirectory(const uint8_t *tail, size_t tailSize, uint64_t fileSize,
                       std::vector<ZipEntry> &entries, uint64_t &needFrom,
                       std::string &error) {
  entries.clear();
  needFrom = kNotNeeded;
  if (tailSize > fileSize) {
    error = "internal: the tail is longer than the file";
    return false;
  }
  const uint64_t tailStart = fileSize - tailSize;
  // The end-of-central-directory record: the last signature with room for
  // the record after it, within a comment's length (65,535 bytes) of the
  // end, as miniz (LibTorch's reader) finds it, so that both read the same
  // directory.
  size_t end = SIZE_MAX;
  for (size_t p = tailSize >= kEndSize ? tailSize - kEndSize + 1 : 0; p-- > 0;) {
    if (readLE(tail + p, 4) == kEndOfDirectory) {
      end = p;
      break;
    }
    if (tailSize - p > kEndSize + 65535)
      break;
  }
  if (end == SIZE_MAX) {
    error = "no end-of-central-directory record (not a zip archive, or one "
            "cut short)";
    return false;
  }
  const uint8_t *e = tail + end;
  uint64_t count = readLE(e + 10, 2), dirSize = readLE(e + 12, 4),
           dirOffset = readLE(e + 16, 4);
  if (readLE(e + 4, 2) != 0 || readLE(e + 6, 2) != 0 ||
      readLE(e + 8, 2) != count) {
    error = "a multi-disk archive (TorchScript archives are one file)";
    return false;
  }
  uint64_t dirEnd = tailStart + end; // the directory ends where this begins
  // Zip64: a locator right before the record points at the Zip64 record,
  // whose counts and offsets replace the 16- and 32-bit ones.
  if (end >= kLocatorSize &&
      readLE(tail + end - kLocatorSize, 4) == kZip64Locator) {
    const uint8_t *loc = tail + end - kLocatorSize;
    uint64_t at = readLE(loc + 8, 8);
    if (readLE(loc + 4, 4) != 0 || readLE(loc + 16, 4) > 1 ||
        at > tailStart + end - kLocatorSize ||
        tailStart + end - kLocatorSize - at < kZip64EndSize) {
      error = "the Zip64 locator points outside the archive (" + hex(at) + ")";
      return false;
    }
    if (at < tailStart) {
      needFrom = at;
      return false;
    }
    const uint8_t *z = tail + (at - tailStart);
    if (readLE(z, 4) != kZip64End) {
      error = "no Zip64 end-of-central-directory record at " + hex(at);
      return false;
    }
    count = readLE(z + 32, 8);
    dirSize = readLE(z + 40, 8);
    dirOffset = readLE(z + 48, 8);
    if (readLE(z + 24, 8) != count || readLE(z + 16, 4) != 0 ||
        readLE(z + 20, 4) != 0) {
      error = "a multi-disk archive (TorchScript archives are one file)";
      return false;
    }
    dirEnd = at;
  }
  if (dirOffset > dirEnd || dirSize != dirEnd - dirOffset) {
    error = "the central directory (" + std::to_string(dirSize) +
            " bytes at " + std::to_string(dirOffset) +
            ") does not end where its end record begins (" +
            std::to_string(dirEnd) + ")";
    return false;
  }
  if (count > dirSize / kEntrySize) {
    error = "the central directory declares " + std::to_string(count) +
            " entries in " + std::to_string(dirSize) + " bytes";
    return false;
  }
  if (dirOffset < tailStart) {
    needFrom = dirOffset;
    return false;
  }
  const uint8_t *dir = tail + (dirOffset - tailStart);
  size_t at = 0;
  entries.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    const uint8_t *h = dir + at;
    if (dirSize - at < kEntrySize || readLE(h, 4) != kDirectoryEntry) {
      error = "central directory entry " + std::to_string(i) + " of " +
              std::to_string(count) + " is not one";
      return false;
    }
    size_t nameLen = readLE(h + 28, 2), extraLen = readLE(h + 30, 2),
           commentLen = readLE(h + 32, 2);
    if (dirSize - at - kEntrySize < nameLen + extraLen + commentLen) {
      error = "central directory entry " + std::to_string(i) +
              " runs past the directory";
      return false;
    }
    ZipEntry entry;
    entry.name.assign(reinterpret_cast<const char *>(h + kEntrySize), nameLen);
    entry.method = readLE(h + 10, 2);
    entry.crc32 = readLE(h + 16, 4);
    entry.compressedSize = readLE(h + 20, 4);
    entry.uncompressedSize = readLE(h + 24, 4);
    entry.localHeaderOffset = readLE(h + 42, 4);
    entry.entryOffset = dirOffset + at;
    if (!readZip64Extra(h + kEntrySize + nameLen, extraLen, entry,
                        entry.uncompressedSize == 0xFFFFFFFF,
                        entry.compressedSize == 0xFFFFFFFF,
                        entry.localHeaderOffset == 0xFFFFFFFF)) {
      error = "entry '" + entry.name + "' has a damaged Zip64 extra field";
      return false;
    }
    if (entry.localHeaderOffset > dirOffset ||
        entry.compressedSize > dirOffset - entry.localHeaderOffset) {
      error = "entry '" + entry.name + "' (" +
              std::to_string(entry.compressedSize) + " bytes at " +
              std::to_string(entry.localHeaderOffset) +
              ") runs into the central directory";
      return false;
    }
    entries.push_back(std::move(entry));
    at += kEntrySize + nameLen + extraLen + commentLen;
  }
  return true;
}

bool readZipDirectory(const std::string &path, std::vector<ZipEntry> &entries,
                      std::string &error) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  uint64_t size = static_cast<uint64_t>(f.tellg());
  // The end record, its comment, and a Zip64 record and locator before it.
  uint64_t from = size - std::min<uint64_t>(
                             size, kEndSize + 65535 + kLocatorSize +
                                       kZip64EndSize);
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::vector<uint8_t> tail(size - from);
    f.seekg(static_cast<std::streamoff>(from));
    if (!f.read(reinterpret_cast<char *>(tail.data()),
                static_cast<std::streamsize>(tail.size()))) {
      error = "cannot read '" + path + "'";
      return false;
    }
    uint64_t needFrom = kNotNeeded;
    if (parseZipDirectory(tail.data(), tail.size(), size, entries, needFrom,
                          error))
      return true;
    if (needFrom == kNotNeeded)
      return false;
    if (needFrom >= from) {
      error = "internal: the directory's reader made no progress";
      return false;
    }
    from = needFrom;
  }
  error = "the central directory is not where its end records say";
  return false;
}

std::optional<std::string> implausibleSize(const ZipEntry &e) {
  // Deflate codes at most 258 bytes in one bit: 1032 per byte, plus the
  // block headers of a short stream.
  if (e.method == 8 && e.uncompressedSize / 1032 > e.compressedSize)
    return "declares " + std::to_string(e.uncompressedSize) +
           " bytes, more than its " + std::to_string(e.compressedSize) +
           " deflated bytes can hold";
  return std::nullopt;
}

uint32_t zipCrc32(const void *data, size_t size) {
  return static_cast<uint32_t>(crc32_z(crc32_z(0L, Z_NULL, 0),
                                       static_cast<const Bytef *>(data), size));
}

} // namespace qopt::torch_import
