//===- FuzzIdx.cpp - libFuzzer target: qrt::readIdx -----------------------===//

#include "fuzz/FuzzUtil.h"
#include "runtime/Data.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  qrt::Expected<qrt::Tensor> t =
      qrt::readIdx(qopt::fuzz::writeScratch(data, size, ".idx"));
  if (t)
    qopt::fuzz::touch(*t);
  return 0;
}
