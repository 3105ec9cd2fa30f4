//===- FuzzTensorProto.cpp - libFuzzer target: ONNX TensorProto .pb -------===//

#include "frontend/onnx/TensorProtoIO.h"
#include "fuzz/FuzzUtil.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  qrt::Expected<qrt::Tensor> t = qopt::onnx_io::readTensorProto(
      qopt::fuzz::writeScratch(data, size, ".pb"));
  if (t)
    qopt::fuzz::touch(*t);
  return 0;
}
