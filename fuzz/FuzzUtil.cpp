//===- FuzzUtil.cpp - what the libFuzzer targets share --------------------===//

#include "fuzz/FuzzUtil.h"
#include "runtime/Tensor.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <unistd.h>

namespace qopt::fuzz {

const std::string &writeScratch(const uint8_t *data, size_t size,
                                const char *ext) {
  static std::map<std::string, std::string> paths;
  std::string &path = paths[ext];
  if (path.empty()) {
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    path = std::string(dir) + "/qopt-fuzz-" + std::to_string(getpid()) + ext;
  }
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f || (size && std::fwrite(data, 1, size, f) != size) ||
      std::fclose(f) != 0) {
    std::perror(path.c_str());
    std::abort();
  }
  return path;
}

void touch(const qrt::Tensor &t) {
  if (!t.defined())
    return;
  volatile uint8_t sum = 0;
  const auto *p = static_cast<const uint8_t *>(t.rawData());
  for (size_t i = 0; i < t.nbytes(); ++i)
    sum += p[i];
}

} // namespace qopt::fuzz
