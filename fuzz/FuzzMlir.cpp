//===- FuzzMlir.cpp - libFuzzer target: .mlir text into the verifier ------===//
//
// What qopt and qrun do with a .mlir file before any pass or kernel: parse
// it with qopt's dialects, verify it (the qnn verifiers and type inference),
// and, for a valid module, compile each function into qrun's execution plan
// (codegen/ExecutionPlan.h), which reads shapes and attributes the verifiers
// vouched for.
//
//===----------------------------------------------------------------------===//

#include "codegen/ExecutionPlan.h"
#include "dialect/QnnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <string>

using namespace mlir;

namespace {
struct Harness {
  MLIRContext ctx;
  Harness() {
    DialectRegistry registry;
    registry.insert<qopt::qnn::QnnDialect, func::FuncDialect,
                    arith::ArithDialect, tensor::TensorDialect,
                    quant::QuantDialect, ml_program::MLProgramDialect>();
    ctx.appendDialectRegistry(registry);
    ctx.loadAllAvailableDialects();
    ctx.disableMultithreading();
    ctx.getDiagEngine().registerHandler([](Diagnostic &) { return success(); });
  }
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static Harness h;
  // MLIR's lexer stops at a NUL: a file's buffer ends with one, libFuzzer's
  // does not.
  std::string text(reinterpret_cast<const char *>(data), size);
  // Verification after parsing is off so that the verifier below runs on
  // every module the parser accepts, as qopt's does.
  ParserConfig config(&h.ctx, /*verifyAfterParse=*/false);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, config);
  if (!module || failed(verify(*module)))
    return 0;
  for (auto func : module->getOps<func::FuncOp>())
    if (!func.isExternal())
      (void)qopt::ExecutionPlan::compile(func);
  return 0;
}
