//===- FuzzNpy.cpp - libFuzzer target: qrt::readNpy -----------------------===//

#include "fuzz/FuzzUtil.h"
#include "runtime/Data.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  qrt::Expected<qrt::Tensor> t =
      qrt::readNpy(qopt::fuzz::writeScratch(data, size, ".npy"));
  if (t)
    qopt::fuzz::touch(*t);
  return 0;
}
