//===- qimport.cpp - ONNX model to a qnn module ---------------------------===//
//
// qimport model.onnx [-o model.mlir] [--no-resources] [--list-ops]
//
// Imports an ONNX model into func.func @main of qnn ops, verifies it and
// prints it. Errors name the offending node and give a non-zero exit.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/Importer.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("filename"),
                                       cl::init("-"));
static cl::opt<bool> noResources(
    "no-resources",
    cl::desc("Print every constant inline as dense<...> instead of putting "
             "large ones in dense_resource blobs"));
static cl::opt<bool>
    listOps("list-ops",
            cl::desc("Print the supported ONNX operators and exit"));

/// "file: error: message" (and the same for notes). Node diagnostics carry
/// the node's name and index in their message; the .onnx file is binary, so
/// there is no source line to show.
static void printDiagnostic(Diagnostic &diag) {
  llvm::raw_ostream &os = llvm::errs();
  Location loc = diag.getLocation();
  if (auto name = dyn_cast<NameLoc>(loc))
    loc = name.getChildLoc();
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    os << file.getFilename().getValue() << ": ";
  switch (diag.getSeverity()) {
  case DiagnosticSeverity::Error:
    os << "error: ";
    break;
  case DiagnosticSeverity::Warning:
    os << "warning: ";
    break;
  case DiagnosticSeverity::Note:
    os << "note: ";
    break;
  case DiagnosticSeverity::Remark:
    os << "remark: ";
    break;
  }
  os << diag.str() << "\n";
  for (Diagnostic &note : diag.getNotes())
    printDiagnostic(note);
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(argc, argv,
                              "qimport: ONNX model to qnn MLIR module\n");

  if (listOps) {
    for (const std::string &op : qopt::onnx_import::supportedOnnxOps())
      llvm::outs() << op << "\n";
    return 0;
  }

  if (inputFile.empty()) {
    llvm::WithColor::error(llvm::errs(), "qimport") << "no input model\n";
    return 1;
  }

  MLIRContext ctx;
  ScopedDiagnosticHandler handler(&ctx, [](Diagnostic &diag) {
    printDiagnostic(diag);
    return success();
  });
  qopt::onnx_import::ImportOptions options;
  if (noResources)
    options.inlineElementLimit = -1;
  OwningOpRef<ModuleOp> module =
      qopt::onnx_import::importOnnxFile(inputFile, &ctx, options);
  if (!module)
    return 1;

  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> out =
      openOutputFile(outputFile, &error);
  if (!out) {
    llvm::WithColor::error(llvm::errs(), "qimport") << error << "\n";
    return 1;
  }
  module->print(out->os());
  out->os() << "\n";
  out->keep();
  return 0;
}
