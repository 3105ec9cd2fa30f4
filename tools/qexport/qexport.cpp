//===- qexport.cpp - a qnn module to ONNX ---------------------------------===//
//
// qexport model.mlir -o model.onnx [--function name]
//
// Writes one function (default @main, or the module's only function) as an
// ONNX model, opset 13: float graphs op for op, fake-quantized graphs as QDQ
// (QuantizeLinear + DequantizeLinear). The file passes onnx::checker before
// it is written. Unsupported ops: one error at the op, exit code 1.
//
//===----------------------------------------------------------------------===//

#include "dialect/QnnDialect.h"
#include "export/onnx/Exporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory qexportCategory("qexport options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.mlir>"),
                                      cl::Required, cl::cat(qexportCategory));
static cl::opt<std::string> outputFile("o", cl::desc("Output .onnx file"),
                                       cl::value_desc("filename"),
                                       cl::Required, cl::cat(qexportCategory));
static cl::opt<std::string>
    functionName("function", cl::desc("Function to export (default: @main, "
                                      "or the module's only function)"),
                 cl::cat(qexportCategory));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "qexport") << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(qexportCategory);
  cl::ParseCommandLineOptions(argc, argv,
                              "qexport: qnn module to an ONNX model\n");

  DialectRegistry registry;
  registry.insert<qopt::qnn::QnnDialect, func::FuncDialect, arith::ArithDialect,
                  tensor::TensorDialect, quant::QuantDialect>();
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(inputFile, sourceMgr, &context);
  if (!module)
    return 1; // the parser reported why

  func::FuncOp func, only;
  int count = 0;
  for (auto f : module->getOps<func::FuncOp>()) {
    if (f.getName() == (functionName.empty() ? std::string("main")
                                             : functionName.getValue()))
      func = f;
    only = f;
    ++count;
  }
  if (!func && functionName.empty() && count == 1)
    func = only;
  if (!func)
    return fail(functionName.empty()
                    ? "no @main and more than one function: pick one with "
                      "--function"
                    : "no function @" + functionName + " in " + inputFile);
  if (failed(qopt::onnx_export::exportOnnxFile(func, outputFile)))
    return 1;
  return 0;
}
