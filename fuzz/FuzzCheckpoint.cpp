//===- FuzzCheckpoint.cpp - libFuzzer target: qrt::loadCheckpoint ---------===//
//
// The CRC rejects almost every mutation before parsing, so the target also
// recomputes the trailer's checksum over the mutated body (input byte 0
// even: checksum fixed; odd: as given), which lets mutations reach the
// parser behind it.
//
//===----------------------------------------------------------------------===//

#include "fuzz/FuzzUtil.h"
#include "runtime/Checkpoint.h"

#include <vector>
#include <zlib.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  bool fixCrc = (data[0] & 1) == 0;
  std::vector<uint8_t> bytes(data + 1, data + size);
  // Trailer: u32 crc32 of every byte before it, then "QRTCEND\0".
  if (fixCrc && bytes.size() >= 12) {
    size_t crcAt = bytes.size() - 12;
    uint32_t crc = static_cast<uint32_t>(
        crc32(0L, bytes.data(), static_cast<uInt>(crcAt)));
    for (int i = 0; i < 4; ++i)
      bytes[crcAt + i] = static_cast<uint8_t>(crc >> (8 * i));
  }
  qrt::Expected<qrt::Checkpoint> ckpt = qrt::loadCheckpoint(
      qopt::fuzz::writeScratch(bytes.data(), bytes.size(), ".ckpt"));
  if (ckpt) {
    for (const auto &[name, tensor] : ckpt->tensors)
      qopt::fuzz::touch(tensor);
    (void)ckpt->value("step");
  }
  return 0;
}
