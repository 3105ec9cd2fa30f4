//===- FuzzTorchScript.cpp - libFuzzer target: TorchScript archives -------===//
//
// What `qimport model.pt` does: LibTorch's jit::load, freezing and graph
// passes in the reader module (libqopt-torch-reader.so, opened with dlopen
// from ../lib beside this binary), then the importer building qnn and the
// verifier. LibTorch itself is not instrumented: libFuzzer's coverage
// guidance sees qopt's code only, and a crash inside LibTorch is reported
// with LibTorch's frames (docs/reliability.md, "Fuzzing").
//
// The reader refuses a record whose CRC-32 is not the directory's
// (ZipDirectory.h), which would stop almost every mutation of a record's
// bytes there. So for an input of even size the target first rewrites each
// record's CRC-32 (directory and local header) to that of its bytes as
// they are (a deflated record: of what inflates, when it does), letting
// those mutations reach LibTorch and the importer; odd sizes are read as
// given.
//
//===----------------------------------------------------------------------===//

#include "frontend/torchscript/Importer.h"
#include "frontend/torchscript/ZipDirectory.h"
#include "fuzz/FuzzUtil.h"

#include "mlir/IR/MLIRContext.h"

#include <zlib.h>

#include <vector>

using namespace mlir;
using namespace qopt::torch_import;

/// The CRC-32 of an entry's data as the reader will see it; false when the
/// local header or the data lie outside `bytes`, or a deflated stream does
/// not inflate to the declared size.
static bool crcOfEntry(const std::vector<uint8_t> &bytes, const ZipEntry &e,
                       uint32_t &crc) {
  uint64_t h = e.localHeaderOffset;
  if (h > bytes.size() || bytes.size() - h < 30)
    return false;
  uint64_t at = h + 30 + (bytes[h + 26] | bytes[h + 27] << 8) +
                (bytes[h + 28] | bytes[h + 29] << 8);
  if (at > bytes.size() || bytes.size() - at < e.compressedSize)
    return false;
  const uint8_t *data = bytes.data() + at;
  if (e.method == 0) {
    crc = zipCrc32(data, e.compressedSize);
    return true;
  }
  if (e.method != 8 || e.uncompressedSize > (16u << 20))
    return false;
  std::vector<uint8_t> out(e.uncompressedSize);
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
    return false;
  z.next_in = const_cast<Bytef *>(data);
  z.avail_in = static_cast<uInt>(e.compressedSize);
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&z, Z_FINISH);
  bool ok = rc == Z_STREAM_END && z.total_out == out.size();
  inflateEnd(&z);
  if (ok)
    crc = zipCrc32(out.data(), out.size());
  return ok;
}

static void fixCrcs(std::vector<uint8_t> &bytes) {
  std::vector<ZipEntry> entries;
  uint64_t needFrom = kNotNeeded;
  std::string error;
  if (!parseZipDirectory(bytes.data(), bytes.size(), bytes.size(), entries,
                         needFrom, error))
    return;
  for (const ZipEntry &e : entries) {
    uint32_t crc;
    if (!crcOfEntry(bytes, e, crc))
      continue;
    for (int i = 0; i < 4; ++i) {
      bytes[e.entryOffset + 16 + i] = static_cast<uint8_t>(crc >> (8 * i));
      bytes[e.localHeaderOffset + 14 + i] = static_cast<uint8_t>(crc >> (8 * i));
    }
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  if (size % 2 == 0)
    fixCrcs(bytes);
  const std::string &path =
      qopt::fuzz::writeScratch(bytes.data(), bytes.size(), ".pt");
  MLIRContext ctx(MLIRContext::Threading::DISABLED);
  ctx.getDiagEngine().registerHandler([](Diagnostic &) { return success(); });
  qopt::torch_import::ImportOptions options;
  (void)qopt::torch_import::importTorchScriptFile(path, &ctx, options);
  return 0;
}
