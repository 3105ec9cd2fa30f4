//===- qrun.cpp - the qnn interpreter -------------------------------------===//
//
// Compiles a function of a qnn module into an ExecutionPlan and runs it: on
// .npy inputs (writing .npy outputs), or over the Fashion-MNIST test set
// (--eval fashion-mnist), printing top-1 accuracy and throughput.
//
//===----------------------------------------------------------------------===//

#include "codegen/ExecutionPlan.h"
#include "codegen/GlobalState.h"
#include "dialect/QnnDialect.h"
#include "frontend/onnx/TensorProtoIO.h"
#include "runtime/Data.h"
#include "runtime/Evaluate.h"
#include "runtime/Threading.h"
#include "tools/support/Evaluate.h"
#include "tools/support/ModuleFile.h"
#include "tools/support/Threads.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdlib>
#include <unistd.h>

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory qrunCategory("qrun options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.mlir>"),
                                      cl::Required, cl::cat(qrunCategory));
static cl::opt<std::string>
    functionName("function",
                 cl::desc("Function to run (default: @main, or "
                          "the module's only function)"),
                 cl::cat(qrunCategory));
static cl::list<std::string> inputs("input",
                                    cl::desc("A .npy file (or ONNX TensorProto "
                                             ".pb) per function argument, in "
                                             "order"),
                                    cl::cat(qrunCategory));
static cl::list<std::string>
    outputs("output",
            cl::desc("A .npy (or .pb: ONNX TensorProto) file per "
                     "function result, in order (default: print a "
                     "summary)"),
            cl::cat(qrunCategory));
static cl::opt<std::string> globalsOut(
    "globals-out",
    cl::desc("After the run, write every ml_program global's value to "
             "DIR/<name>.npy ('/' in names becomes '_'), e.g. the weights a "
             "@train_step produced"),
    cl::value_desc("DIR"), cl::cat(qrunCategory));
static cl::opt<bool>
    profile("profile",
            cl::desc("With --repeat: time every step of the timed runs and "
                     "print where the time goes, by op and by step"),
            cl::cat(qrunCategory));
static cl::opt<int> repeat("repeat",
                           cl::desc("Run the .npy inputs this many times and "
                                    "report the mean time per run"),
                           cl::init(1), cl::cat(qrunCategory));
static cl::opt<std::string>
    evalSet("eval",
            cl::desc("Evaluate top-1 / top-5 accuracy on a data set: "
                     "fashion-mnist (the 10k test images), folder:DIR, "
                     "images:DIR, npy:X.npy[,labels=Y.npy], cifar10:DIR, ... "
                     "(docs/data.md)"),
            cl::value_desc("SPEC"), cl::cat(qrunCategory));
static cl::opt<std::string> transform(
    "transform",
    cl::desc("Preprocessing of --eval images, torchvision's names, e.g. "
             "\"Resize(32),CenterCrop(28),ToTensor,Normalize([0.5],[0.5])\" "
             "(default: ToTensor,Normalize(--mean, --std) on IDX data, "
             "ToTensor otherwise)"),
    cl::value_desc("SPEC"), cl::cat(qrunCategory));
static cl::opt<std::string> dataDir("data-dir",
                                    cl::desc("Directory of the IDX files"),
                                    cl::init(qrt::kFashionMnistDir),
                                    cl::cat(qrunCategory));
static cl::opt<int> batchSize("batch-size", cl::desc("Evaluation batch size"),
                              cl::init(100), cl::cat(qrunCategory));
static cl::opt<int> limit("limit", cl::desc("Evaluate only the first N images"),
                          cl::init(0), cl::cat(qrunCategory));
static cl::opt<float> mean("mean", cl::desc("Normalization mean"),
                           cl::init(0.2860f), cl::cat(qrunCategory));
static cl::opt<float> stddev("std", cl::desc("Normalization std"),
                             cl::init(0.3530f), cl::cat(qrunCategory));
static cl::opt<std::string>
    logitsOut("logits-out",
              cl::desc("With --eval: write every evaluated image's logits "
                       "as one f32 [N, classes] .npy file"),
              cl::value_desc("FILE.npy"), cl::cat(qrunCategory));

static cl::opt<bool> deterministic(
    "deterministic",
    cl::desc("Order-fixed reductions: a training step gives the same bytes "
             "at any --threads (also QRT_DETERMINISTIC=1)"),
    cl::init(false), cl::cat(qrunCategory));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "qrun") << message << "\n";
  return 1;
}

static int writeGlobals(const qopt::GlobalState &globals) {
  if (std::error_code ec = llvm::sys::fs::create_directories(globalsOut))
    return fail("cannot create " + globalsOut + ": " + ec.message());
  for (const std::string &name : globals.names()) {
    std::string file = name;
    std::replace(file.begin(), file.end(), '/', '_');
    qrt::Status s =
        qrt::writeNpy(globalsOut + "/" + file + ".npy", globals.get(name));
    if (!s)
      return fail(s.message());
  }
  return 0;
}

/// ONNX TensorProto files (backend-test input_*.pb) go by their extension;
/// everything else is .npy.
static bool isTensorProto(llvm::StringRef path) {
  return path.ends_with(".pb");
}

static int runOnFiles(const qopt::ExecutionPlan &plan) {
  std::vector<qrt::Tensor> args;
  for (const std::string &path : inputs) {
    qrt::Expected<qrt::Tensor> t = isTensorProto(path)
                                       ? qopt::onnx_io::readTensorProto(path)
                                       : qrt::readNpy(path);
    if (!t)
      return fail(t.status().message());
    args.push_back(std::move(*t));
  }
  if (!outputs.empty() && outputs.size() != plan.results().size())
    return fail("the function has " + llvm::Twine(plan.results().size()) +
                " result(s) but " + llvm::Twine(outputs.size()) +
                " --output file(s) were given");
  // One run, then --repeat timed runs when more than one (qrt's timing,
  // shared with emitted programs).
  std::vector<qrt::Tensor> results;
  qrt::Expected<double> ms =
      qrt::timeRuns(qopt::modelOf(plan), args, repeat, results);
  if (!ms)
    return fail(ms.status().message());
  if (repeat > 1)
    llvm::outs() << qrt::formatTimeLine(*ms, repeat, qrt::getNumThreads());
  if (profile) {
    // The same runs again, each step timed (the clock costs a little, so
    // the time per run above is measured without it).
    plan.profileContext().setProfile(true);
    for (int i = 0; i < std::max(1, (int)repeat); ++i)
      if (qrt::Expected<std::vector<qrt::Tensor>> r = plan.run(args); !r)
        return fail(r.status().message());
    llvm::outs() << qrt::exec::formatProfile(plan.profileContext().profile(),
                                             std::max(1, (int)repeat));
    plan.profileContext().setProfile(false);
  }
  for (size_t i = 0; i < results.size(); ++i) {
    if (outputs.empty()) {
      llvm::outs() << qrt::formatResultSummary(i, results[i]);
      continue;
    }
    qrt::Status s =
        isTensorProto(outputs[i])
            ? qopt::onnx_io::writeTensorProto(outputs[i], results[i])
            : qrt::writeNpy(outputs[i], results[i]);
    if (!s)
      return fail(s.message());
  }
  return 0;
}

static int evaluate(const qopt::ExecutionPlan &plan) {
  qrt::Expected<qrt::DataSource> data =
      qrt::openDataSource(evalSet, qrt::DataRole::Eval, transform, dataDir,
                          mean, stddev, "--eval");
  if (!data)
    return fail(data.status().message());
  qrt::Tensor logits;
  qrt::Expected<qopt::EvalResult> r =
      qopt::evaluateTop1(plan, *data, batchSize, limit, "eval",
                         logitsOut.empty() ? nullptr : &logits);
  if (!r)
    return fail(r.status().message());
  llvm::outs() << qrt::formatTop1Line(
      *r, batchSize, qrt::getNumThreads(),
      qrt::dataKind(evalSet));
  if (!logitsOut.empty())
    if (qrt::Status s = qrt::writeNpy(logitsOut, logits); !s)
      return fail(s.message());
  return 0;
}

int main(int argc, char **argv) {
  qopt::preferPassiveWaitPolicy(argv);
  llvm::InitLLVM init(argc, argv);
  qopt::renameLlvmThreadsOption();
  static cl::opt<int> threads(
      "threads",
      cl::desc("Threads for kernels (default: all cores; idle "
               "threads sleep unless OMP_WAIT_POLICY or "
               "GOMP_SPINCOUNT says otherwise)"),
      cl::init(0), cl::cat(qrunCategory));
  cl::HideUnrelatedOptions(qrunCategory);
  cl::ParseCommandLineOptions(argc, argv,
                              "qrun: run a qnn function with qrt kernels\n");
  if (threads < 0)
    return fail("--threads must be >= 0");
  if (threads > 0)
    qrt::setNumThreads(threads);
  if (deterministic)
    qrt::setOrderFixedReductions(true);
  if (!logitsOut.empty() && evalSet.empty())
    return fail("--logits-out needs --eval");

  MLIRContext context(qopt::qnnModuleRegistry());
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(inputFile, sourceMgr, &context);
  if (!module)
    return 1; // the parser reported why
  std::string why;
  func::FuncOp func =
      qopt::findFunction(*module, functionName, "function", why);
  if (!func)
    return fail(functionName.empty() ? why : why + " in " + inputFile);
  // Globals (trainable state, docs/training.md) start at their initial
  // values; a run that stores into them does not write the file.
  FailureOr<std::shared_ptr<qopt::GlobalState>> globals =
      qopt::GlobalState::fromModule(*module);
  if (failed(globals))
    return 1;
  FailureOr<qopt::ExecutionPlan> plan =
      qopt::ExecutionPlan::compile(func, *globals);
  if (failed(plan))
    return 1;
  if (!evalSet.empty())
    return evaluate(*plan);
  if (int rc = runOnFiles(*plan))
    return rc;
  return globalsOut.empty() ? 0 : writeGlobals(**globals);
}
