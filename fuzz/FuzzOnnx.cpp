//===- FuzzOnnx.cpp - libFuzzer target: ONNX ModelProto import ------------===//
//
// What `qimport model.onnx` does: the protobuf reader, ONNX's checks and
// shape inference, and every op handler building qnn, then the verifier.
// Inputs are mutated as models by OnnxMutator.cpp (LLVMFuzzerCustomMutator).
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/Importer.h"
#include "fuzz/FuzzUtil.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

using namespace mlir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static DialectRegistry *registry = [] {
    auto *r = new DialectRegistry;
    qopt::onnx_import::registerImportDialects(*r);
    return r;
  }();
  const std::string &path = qopt::fuzz::writeScratch(data, size, ".onnx");
  // A context per input: constants are uniqued in it, and a long run
  // would otherwise keep every mutated initializer alive.
  MLIRContext ctx(*registry, MLIRContext::Threading::DISABLED);
  ctx.getDiagEngine().registerHandler([](Diagnostic &) { return success(); });
  qopt::onnx_import::ImportOptions options;
  (void)qopt::onnx_import::importOnnxFile(path, &ctx, options);
  return 0;
}
