//===- FuzzPolicy.cpp - libFuzzer targets: policy strings and YAML --------===//
//
// One source, two targets. fuzz-policy takes the input as a keyword string
// (`-qnn-apply-policy=policy=...`); fuzz-policy-yaml as a QDrop / MQBench
// YAML file (`policy-file=...`). A policy that parses and validates is then
// applied by qnn-apply-policy to a small ResNet block (PolicyModel.mlir),
// which reaches the per-layer overrides, the method / bits / group checks
// and the quantizers' initial values; the result must verify.
//
//===----------------------------------------------------------------------===//

#include "dialect/QnnDialect.h"
#include "fuzz/FuzzUtil.h"
#include "passes/Passes.h"
#include "passes/Policy.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <string>

using namespace mlir;

namespace {
struct Harness {
  MLIRContext ctx;
  OwningOpRef<ModuleOp> model;
  Harness() {
    DialectRegistry registry;
    registry.insert<qopt::qnn::QnnDialect, func::FuncDialect,
                    arith::ArithDialect>();
    ctx.appendDialectRegistry(registry);
    ctx.loadAllAvailableDialects();
    ctx.disableMultithreading();
    model = parseSourceFile<ModuleOp>(QOPT_FUZZ_POLICY_MODEL, &ctx);
    if (!model) {
      llvm::errs() << "cannot parse " << QOPT_FUZZ_POLICY_MODEL << "\n";
      std::abort();
    }
    // Bad policies are the point: their diagnostics are expected.
    ctx.getDiagEngine().registerHandler([](Diagnostic &) { return success(); });
  }
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static Harness h;
  std::string text(reinterpret_cast<const char *>(data), size);
  qopt::policy::Policy p;
  qopt::ApplyPolicyPassOptions options;
#ifdef QOPT_FUZZ_YAML
  if (llvm::Error e = qopt::policy::parseYaml(p, text, "fuzz.yaml")) {
    llvm::consumeError(std::move(e));
    return 0;
  }
  options.policyFile = qopt::fuzz::writeScratch(data, size, ".yaml");
#else
  if (llvm::Error e = qopt::policy::parseKeywords(p, text)) {
    llvm::consumeError(std::move(e));
    return 0;
  }
  options.policy = text;
#endif
  if (llvm::Error e = qopt::policy::validate(p)) {
    llvm::consumeError(std::move(e));
    return 0;
  }
  OwningOpRef<ModuleOp> module(h.model->clone());
  PassManager pm(&h.ctx);
  pm.enableVerifier(false); // checked below, with the policy named
  pm.addNestedPass<func::FuncOp>(qopt::createApplyPolicyPass(options));
  if (succeeded(pm.run(*module)) && failed(verify(*module))) {
    llvm::errs() << "qnn-apply-policy produced an invalid module for '" << text
                 << "'\n";
    std::abort();
  }
  return 0;
}
