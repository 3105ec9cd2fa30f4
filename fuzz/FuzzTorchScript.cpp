//===- FuzzTorchScript.cpp - libFuzzer target: TorchScript archives -------===//
//
// What `qimport model.pt` does: LibTorch's jit::load, freezing and graph
// passes in the reader module (libqopt-torch-reader.so, opened with dlopen
// from ../lib beside this binary), then the importer building qnn and the
// verifier. LibTorch itself is not instrumented: libFuzzer's coverage
// guidance sees qopt's code only, and a crash inside LibTorch is reported
// with LibTorch's frames (docs/reliability.md, "Fuzzing").
//
//===----------------------------------------------------------------------===//

#include "frontend/torchscript/Importer.h"
#include "fuzz/FuzzUtil.h"

#include "mlir/IR/MLIRContext.h"

using namespace mlir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string &path = qopt::fuzz::writeScratch(data, size, ".pt");
  MLIRContext ctx(MLIRContext::Threading::DISABLED);
  ctx.getDiagEngine().registerHandler([](Diagnostic &) { return success(); });
  qopt::torch_import::ImportOptions options;
  (void)qopt::torch_import::importTorchScriptFile(path, &ctx, options);
  return 0;
}
