//===- GraphBuilder.cpp - the walk's frame, ops, constants, diagnostics ---===//

#include "frontend/common/GraphBuilder.h"

#include "dialect/QnnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace qopt::frontend {

void registerGraphDialects(DialectRegistry &registry) {
  registry.insert<qnn::QnnDialect, func::FuncDialect, arith::ArithDialect>();
}

GraphBuilder::GraphBuilder(MLIRContext *ctx, StringRef fileName,
                           const GraphOptions &options)
    : ctx(ctx), fileName(fileName.str()), b(ctx),
      fileLoc(FileLineColLoc::get(ctx, fileName, 0, 0)), currentLoc(fileLoc),
      inlineElementLimit(options.inlineElementLimit) {}

OwningOpRef<ModuleOp> GraphBuilder::run() {
  if (failed(checkGraph()))
    return nullptr;
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  b.setInsertionPointToEnd(module->getBody());
  if (failed(importGraph()))
    return nullptr;
  for (Operation *op : llvm::reverse(maybeUnused))
    if (op->use_empty())
      op->erase();
  maybeUnused.clear();
  if (failed(verifyModule(*module)))
    return nullptr;
  return module;
}

func::FuncOp GraphBuilder::createMain(ArrayRef<Type> argTypes) {
  auto main = func::FuncOp::create(b, fileLoc, "main",
                                   FunctionType::get(ctx, argTypes, {}));
  b.setInsertionPointToStart(main.addEntryBlock());
  return main;
}

void GraphBuilder::returnFromMain(func::FuncOp main, ValueRange results) {
  func::ReturnOp::create(b, fileLoc, results);
  main.setType(
      FunctionType::get(ctx, main.getArgumentTypes(), results.getTypes()));
}

InFlightDiagnostic
GraphBuilder::emitUnsupported(ArrayRef<UnsupportedNode> nodes) {
  std::vector<std::string> kinds;
  for (const UnsupportedNode &n : nodes)
    if (!llvm::is_contained(kinds, n.kind))
      kinds.push_back(n.kind);
  InFlightDiagnostic diag = emitError(fileLoc);
  diag << nodes.size()
       << " node(s) use unsupported operators: " << llvm::join(kinds, ", ");
  for (const UnsupportedNode &n : nodes)
    diag.attachNote(n.loc) << n.prefix << "not supported";
  return diag;
}

LogicalResult GraphBuilder::verifyModule(ModuleOp module) {
  // Verifier messages are re-emitted with the node they came from.
  SmallVector<std::pair<Location, std::string>> errors;
  LogicalResult result = success();
  {
    ScopedDiagnosticHandler capture(ctx, [&](Diagnostic &diag) {
      if (diag.getSeverity() == DiagnosticSeverity::Error)
        errors.emplace_back(diag.getLocation(), diag.str());
      return success();
    });
    result = verify(module);
  }
  for (auto &[loc, message] : errors)
    reportVerifierError(loc, message);
  if (failed(result) && errors.empty())
    return emitError(fileLoc) << "the imported module does not verify";
  return result;
}

LogicalResult GraphBuilder::bindResult(FailureOr<Value> result) {
  if (failed(result))
    return failure();
  setResult(0, *result);
  return success();
}

RankedTensorType GraphBuilder::f32Type(ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, Float32Type::get(ctx));
}

/// Resource keys must be identifiers; initializer and parameter names are
/// often paths.
static std::string blobName(StringRef name) {
  std::string out;
  for (char ch : name)
    out += llvm::isAlnum(ch) || ch == '_' || ch == '.' ? ch : '_';
  if (out.empty() || llvm::isDigit(out[0]))
    out = "w_" + out;
  return out;
}

Value GraphBuilder::constantF32(ArrayRef<int64_t> shape, ArrayRef<float> values,
                                StringRef name) {
  RankedTensorType type = f32Type(shape);
  int64_t limit = inlineElementLimit;
  bool splat = !values.empty() &&
               llvm::all_of(values, [&](float v) { return v == values[0]; });
  TypedAttr attr;
  if (limit < 0 || (int64_t)values.size() <= limit || splat)
    attr = splat ? DenseElementsAttr::get(type, values[0])
                 : DenseElementsAttr::get(type, values);
  else
    attr = DenseResourceElementsAttr::get(
        type, blobName(name),
        HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
  return arith::ConstantOp::create(b, currentLoc, attr);
}

Type GraphBuilder::placeholderType() {
  return UnrankedTensorType::get(Float32Type::get(ctx));
}

FailureOr<Value> GraphBuilder::finishInferred(Operation *op, InferFn infer) {
  SmallVector<Type> types;
  std::string message;
  LogicalResult inferred = failure();
  {
    ScopedDiagnosticHandler capture(ctx, [&](Diagnostic &diag) {
      message += (message.empty() ? "" : "; ") + diag.str();
      return success();
    });
    inferred = infer(types);
  }
  if (failed(inferred) || types.size() != 1) {
    op->erase();
    return error() << (message.empty() ? "result type inference failed"
                                       : message);
  }
  op->getResult(0).setType(types[0]);
  return op->getResult(0);
}

} // namespace qopt::frontend
