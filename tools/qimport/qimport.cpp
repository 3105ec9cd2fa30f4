//===- qimport.cpp - ONNX or TorchScript model to a qnn module ------------===//
//
// qimport model.onnx [-o model.mlir] [--no-resources] [--list-ops]
// qimport model.pt --input-shape 1,3,224,224 [-o model.mlir]
//
// Imports an ONNX model (.onnx) or a TorchScript module (.pt, .pth,
// .torchscript; only when built with LibTorch) into func.func @main of qnn
// ops, verifies it and prints it. Errors name the offending node and give a
// non-zero exit.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/Importer.h"
#ifdef QOPT_HAVE_TORCHSCRIPT
#include "frontend/torchscript/Importer.h"
#endif

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory qimportCategory("qimport options");
static cl::opt<std::string> inputFile(cl::Positional,
                                      cl::desc("<model.onnx | model.pt>"),
                                      cl::cat(qimportCategory));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("filename"),
                                       cl::init("-"), cl::cat(qimportCategory));
static cl::opt<bool> noResources(
    "no-resources",
    cl::desc("Print every constant inline as dense<...> instead of putting "
             "large ones in dense_resource blobs"),
    cl::cat(qimportCategory));
static cl::opt<bool>
    listOps("list-ops",
            cl::desc("Print the supported ONNX operators (with a .pt input "
                     "or --torchscript: TorchScript node kinds) and exit"),
            cl::cat(qimportCategory));
static cl::opt<bool> emitBytecode(
    "emit-bytecode",
    cl::desc("Write MLIR bytecode (weights as raw bytes: smaller and faster "
             "to write and read than text; every qopt tool reads it)"),
    cl::cat(qimportCategory));
#ifdef QOPT_HAVE_TORCHSCRIPT
static cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("TorchScript: the shape of forward's next tensor input, e.g. "
             "1,3,224,224 (dimension 0, the batch, is dynamic in the result)"),
    cl::value_desc("d0,d1,..."), cl::cat(qimportCategory));
static cl::opt<bool> torchscript(
    "torchscript",
    cl::desc("Read the input as TorchScript whatever its extension"),
    cl::cat(qimportCategory));
#endif

enum class Format { Onnx, TorchScript, Unknown };

static Format formatOf(llvm::StringRef path) {
  std::string ext = llvm::sys::path::extension(path).lower();
  if (ext == ".onnx")
    return Format::Onnx;
  if (ext == ".pt" || ext == ".pth" || ext == ".torchscript")
    return Format::TorchScript;
  return Format::Unknown;
}

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
  // --help shows qimport's options, not every LLVM / MLIR one (those still
  // work, e.g. --mlir-print-debuginfo).
  cl::HideUnrelatedOptions(qimportCategory);
  cl::ParseCommandLineOptions(argc, argv,
                              "qimport: ONNX model to qnn MLIR module\n");

  Format format = formatOf(inputFile);
#ifdef QOPT_HAVE_TORCHSCRIPT
  if (torchscript)
    format = Format::TorchScript;
#endif

  if (listOps) {
#ifdef QOPT_HAVE_TORCHSCRIPT
    if (format == Format::TorchScript) {
      for (const std::string &op : qopt::torch_import::supportedTorchOps())
        llvm::outs() << op << "\n";
      return 0;
    }
#endif
    for (const std::string &op : qopt::onnx_import::supportedOnnxOps())
      llvm::outs() << op << "\n";
    return 0;
  }

  if (inputFile.empty()) {
    llvm::WithColor::error(llvm::errs(), "qimport") << "no input model\n";
    return 1;
  }
  if (format == Format::Unknown) {
    llvm::WithColor::error(llvm::errs(), "qimport")
        << "cannot tell the format of '" << inputFile
        << "' from its extension (.onnx, or .pt / .pth / .torchscript)\n";
    return 1;
  }
#ifndef QOPT_HAVE_TORCHSCRIPT
  if (format == Format::TorchScript) {
    llvm::WithColor::error(llvm::errs(), "qimport")
        << "this qimport was built without LibTorch and cannot read "
           "TorchScript ('"
        << inputFile << "')\n";
    return 1;
  }
#endif

  MLIRContext ctx;
  ScopedDiagnosticHandler handler(&ctx, [](Diagnostic &diag) {
    printDiagnostic(diag);
    return success();
  });
  OwningOpRef<ModuleOp> module;
  if (format == Format::Onnx) {
    qopt::onnx_import::ImportOptions options;
    if (noResources)
      options.inlineElementLimit = -1;
    module = qopt::onnx_import::importOnnxFile(inputFile, &ctx, options);
  }
#ifdef QOPT_HAVE_TORCHSCRIPT
  if (format == Format::TorchScript) {
    qopt::torch_import::ImportOptions options;
    if (noResources)
      options.inlineElementLimit = -1;
    for (const std::string &spec : inputShapes) {
      SmallVector<StringRef> parts;
      StringRef(spec).split(parts, ',');
      std::vector<int64_t> shape;
      for (StringRef part : parts) {
        int64_t d;
        if (part.trim().getAsInteger(10, d) || d <= 0) {
          llvm::WithColor::error(llvm::errs(), "qimport")
              << "--input-shape '" << spec
              << "' must be positive integers separated by commas\n";
          return 1;
        }
        shape.push_back(d);
      }
      options.inputShapes.push_back(shape);
    }
    module = qopt::torch_import::importTorchScriptFile(inputFile, &ctx, options);
  }
#endif
  if (!module)
    return 1;

  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> out =
      openOutputFile(outputFile, &error);
  if (!out) {
    llvm::WithColor::error(llvm::errs(), "qimport") << error << "\n";
    return 1;
  }
  if (emitBytecode) {
    if (failed(writeBytecodeToFile(*module, out->os()))) {
      llvm::WithColor::error(llvm::errs(), "qimport")
          << "cannot write bytecode to '" << outputFile << "'\n";
      return 1;
    }
  } else {
    module->print(out->os());
    out->os() << "\n";
  }
  out->keep();
  return 0;
}
