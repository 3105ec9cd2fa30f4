//===- FuzzUtil.h - what the libFuzzer targets share ------------*- C++ -*-===//
//
// Most readers take a path, so a target writes its input to one file per
// process (in /dev/shm when there is one) and hands the reader that path.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_FUZZ_FUZZUTIL_H
#define QOPT_FUZZ_FUZZUTIL_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace qrt {
class Tensor;
}

namespace qopt::fuzz {

/// Writes `data` to this process's scratch file (suffix `ext`, which some
/// readers look at) and returns its path. Aborts if the file cannot be
/// written: that is the harness failing, not the reader.
const std::string &writeScratch(const uint8_t *data, size_t size,
                                const char *ext);

/// Reads every byte of a tensor a reader returned, so that ASan sees a
/// tensor whose storage is smaller than its shape.
void touch(const qrt::Tensor &t);

} // namespace qopt::fuzz

#endif // QOPT_FUZZ_FUZZUTIL_H
