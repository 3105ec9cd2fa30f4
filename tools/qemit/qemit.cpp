//===- qemit.cpp - emit a standalone C++ program from a qnn function ------===//
//
// Compiles a function into the execution plan the interpreter runs and
// writes it as a C++ program directory (codegen/EmitCpp.h,
// docs/codegen.md); --print-emitc / --print-cpp print the EmitC module or
// the generated C++ instead.
//
//===----------------------------------------------------------------------===//

#include "codegen/EmitCpp.h"
#include "codegen/ExecutionPlan.h"
#include "codegen/GlobalState.h"
#include "dialect/QnnDialect.h"
#include "tools/support/ModuleFile.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Target/Cpp/CppEmitter.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory qemitCategory("qemit options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.mlir>"),
                                      cl::Required, cl::cat(qemitCategory));
static cl::opt<std::string> outputDir("o", cl::desc("Program directory"),
                                      cl::value_desc("DIR"),
                                      cl::cat(qemitCategory));
static cl::opt<std::string>
    entry("entry",
          cl::desc("Function to emit (default: @main, or the "
                   "module's only function); train_step emits a training "
                   "program"),
          cl::cat(qemitCategory));
static cl::opt<std::string>
    programName("name",
                cl::desc("Program name, the prefix of its C API "
                         "(default: the input file's stem)"),
                cl::cat(qemitCategory));
static cl::opt<std::string>
    targetName("target",
               cl::desc("What the program runs on: cpu (qrt's CPU kernels, "
                        "the default) or cuda (qrt's CUDA kernels; a CMake "
                        "project over libqrt_cuda)"),
               cl::init("cpu"), cl::cat(qemitCategory));
static cl::opt<bool> printEmitC("print-emitc",
                                cl::desc("Print the EmitC module and stop"),
                                cl::cat(qemitCategory));
static cl::opt<bool> printCpp("print-cpp",
                              cl::desc("Print the generated C++ of the "
                                       "forward function and stop"),
                              cl::cat(qemitCategory));
static cl::opt<bool>
    printArena("print-arena",
               cl::desc("Print the memory plan (each intermediate tensor's "
                        "bytes in the arena, or why it has none), check it, "
                        "and stop"),
               cl::cat(qemitCategory));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "qemit") << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(qemitCategory);
  cl::ParseCommandLineOptions(
      argc, argv, "qemit: emit a standalone C++ program from a qnn function\n");
  if (outputDir.empty() && !printEmitC && !printCpp && !printArena)
    return fail("give the program directory with -o DIR (or --print-emitc / "
                "--print-cpp / --print-arena)");
  std::string name = programName;
  if (name.empty()) {
    llvm::StringRef stem = llvm::sys::path::stem(inputFile);
    // "4-integer.mlir" -> "model_4_integer"
    name = qopt::cIdentifier(stem);
    if (name[0] == '_')
      name = "model" + name;
  }
  if (name != qopt::cIdentifier(name))
    return fail("--name '" + name +
                "' is not a C identifier (letters, digits, '_')");
  std::optional<qopt::Target> target = qopt::parseTarget(targetName);
  if (!target)
    return fail("--target '" + targetName + "' is not a target (cpu, cuda)");

  MLIRContext context(qopt::qnnModuleRegistry());
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(inputFile, sourceMgr, &context);
  if (!module)
    return 1; // the parser reported why
  std::string why;
  func::FuncOp func = qopt::findFunction(*module, entry, "entry", why);
  if (!func)
    return fail(entry.empty() ? why : why + " in " + inputFile);
  // @train_step makes a training program; anything else an inference one.
  bool training = func.getName() == "train_step";
  std::string role = training ? "train_step" : "forward";
  FailureOr<std::shared_ptr<qopt::GlobalState>> globals =
      qopt::GlobalState::fromModule(*module);
  if (failed(globals))
    return 1;
  FailureOr<qopt::ExecutionPlan> plan =
      qopt::ExecutionPlan::compile(func, *globals, *target);
  if (failed(plan))
    return 1;
  if (printArena) {
    qopt::printArenaPlan(*plan, plan->memory(),
                         qopt::nameProgram(*plan, func).slots, llvm::outs());
    if (qrt::Status s = qopt::checkArenaPlan(*plan, plan->memory()); !s)
      return fail(s.message());
    llvm::outs() << "checked: no two tensors live at the same step share a "
                    "byte, no result is placed\n";
    return 0;
  }
  if (printEmitC || printCpp) {
    if (failed(qopt::checkEmittable(*plan, func, *target)))
      return 1;
    OwningOpRef<ModuleOp> emitc = qopt::buildEmitCModule(
        &context, {qopt::ProgramFunction(*plan, func, role)}, name, *target);
    if (printEmitC)
      emitc->print(llvm::outs());
    else if (failed(emitc::translateToCpp(*emitc, llvm::outs())))
      return 1;
    return 0;
  }
  std::vector<qopt::ProgramFunction> functions{
      qopt::ProgramFunction(*plan, func, role)};
  FailureOr<qopt::ExecutionPlan> evalPlan = failure();
  if (training) {
    // A training program evaluates the test-mode @main that
    // qnn-wrap-mode{mode=qat} made beside @train_step, over the same
    // globals.
    func::FuncOp evalFn = module->lookupSymbol<func::FuncOp>("main");
    if (!evalFn)
      return fail("@train_step needs the test-mode @main beside it (a module "
                  "wrapped by qnn-wrap-mode{mode=qat}) in " + inputFile);
    evalPlan = qopt::ExecutionPlan::compile(evalFn, *globals, *target);
    if (failed(evalPlan))
      return 1;
    functions.emplace_back(*evalPlan, evalFn, "forward");
  }
  if (failed(qopt::writeProgram(functions, name, outputDir, *target)))
    return 1;
  llvm::outs() << "qemit: wrote " << outputDir << "/ (" << name << ".cpp, "
               << name << ".h, " << name << "_program.cpp, main.cpp, "
               << "CMakeLists.txt, " << name
               << ".weights): " << plan->numSteps() << " steps";
  if (*target == qopt::Target::Cuda)
    llvm::outs() << " on CUDA";
  if (training)
    llvm::outs() << " (@train_step), " << evalPlan->numSteps()
                 << " steps (@main)";
  llvm::outs() << "\n"
               << "qemit: " << qopt::arenaSummary(*plan, plan->memory())
               << "\n";
  return 0;
}
