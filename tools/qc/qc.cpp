//===- qc.cpp - the qopt driver -------------------------------------------===//
//
// `qc quantize model.onnx --policy ... -o out/` runs the whole flow a user
// wants: import, fold batch norm, quantization policy, calibration, and
// evaluation of the float and quantized models, writing each stage's module
// and a report.
//
//===----------------------------------------------------------------------===//

#include "tools/qc/Pipeline.h"

#include "dialect/QnnDialect.h"
#include "frontend/onnx/Importer.h"
#include "passes/Passes.h"
#include "runtime/Threading.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::SubCommand quantizeCmd(
    "quantize", "Quantize a float model: import, fold, policy, calibrate, "
                "evaluate, report");
static cl::OptionCategory qcCategory("qc quantize options");
static cl::opt<std::string> model(cl::Positional, cl::desc("<model.onnx|.mlir>"),
                                  cl::Required, cl::sub(quantizeCmd),
                                  cl::cat(qcCategory));
static cl::opt<std::string>
    policy("policy",
           cl::desc("Quantization policy keywords, e.g. "
                    "\"wt_bit=8,fm_bit=8,wt_quant_group=C\" (docs/policy.md)"),
           cl::sub(quantizeCmd), cl::cat(qcCategory));
static cl::opt<std::string>
    policyFile("policy-file", cl::desc("QDrop / MQBench YAML policy"),
               cl::sub(quantizeCmd), cl::cat(qcCategory));
static cl::opt<std::string> mode("mode", cl::desc("calibrate (PTQ)"),
                                 cl::init("calibrate"), cl::sub(quantizeCmd),
                                 cl::cat(qcCategory));
static cl::opt<std::string>
    observer("observer",
             cl::desc("Default observer: min_max, ema_min_max, percentile, "
                      "mse, avg_mse, entropy"),
             cl::init("min_max"), cl::sub(quantizeCmd), cl::cat(qcCategory));
static cl::opt<std::string>
    data("data", cl::desc("Data set: fashion-mnist"), cl::init("fashion-mnist"),
         cl::sub(quantizeCmd), cl::cat(qcCategory));
static cl::opt<std::string> dataDir("data-dir",
                                    cl::desc("Directory of the IDX files"),
                                    cl::init(qopt::kFashionMnistDir),
                                    cl::sub(quantizeCmd), cl::cat(qcCategory));
static cl::opt<int> calibImages("calib-images",
                                cl::desc("Training images for calibration"),
                                cl::init(512), cl::sub(quantizeCmd),
                                cl::cat(qcCategory));
static cl::opt<int> batchSize("batch-size", cl::desc("Batch size"),
                              cl::init(100), cl::sub(quantizeCmd),
                              cl::cat(qcCategory));
static cl::opt<int> evalLimit("eval-limit",
                              cl::desc("Evaluate only the first N test images"),
                              cl::init(0), cl::sub(quantizeCmd),
                              cl::cat(qcCategory));
static cl::opt<bool> biasCorrection(
    "bias-correction",
    cl::desc("Empirical bias correction after calibration: subtract each "
             "layer's mean output shift (fake-quant - float, per output "
             "channel, over the calibration images) from its bias"),
    cl::init(false), cl::sub(quantizeCmd), cl::cat(qcCategory));
static cl::opt<float> weightMseNorm(
    "wt-mse-p",
    cl::desc("p of the MSE observer's |w - Q(w)|^p for weights (QDrop / "
             "BRECQ: 2.4); 0 keeps the observer's default (2)"),
    cl::init(0.f), cl::sub(quantizeCmd), cl::cat(qcCategory));
static cl::opt<std::string> outDir("o", cl::desc("Output directory"),
                                   cl::init("out"), cl::sub(quantizeCmd),
                                   cl::cat(qcCategory));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // libLLVM registers an undocumented global --threads; ours replaces it.
  if (cl::Option *other = cl::getRegisteredOptions().lookup("threads"))
    other->setArgStr("llvm-internal-threads");
  static cl::opt<int> threads(
      "threads", cl::desc("Threads for kernels (default: all cores)"),
      cl::init(0), cl::sub(quantizeCmd), cl::cat(qcCategory));
  cl::ParseCommandLineOptions(argc, argv, "qc: the qopt quantization driver\n");
  if (!quantizeCmd) {
    llvm::errs() << "qc: error: give a command: qc quantize --help\n";
    return 1;
  }
  if (data != "fashion-mnist") {
    llvm::WithColor::error(llvm::errs(), "qc")
        << "unknown --data '" << data << "' (supported: fashion-mnist)\n";
    return 1;
  }
  if (threads < 0 || calibImages < 1 || batchSize < 1) {
    llvm::WithColor::error(llvm::errs(), "qc")
        << "--threads must be >= 0, --calib-images and --batch-size >= 1\n";
    return 1;
  }
  if (threads > 0)
    qrt::setNumThreads(threads);

  DialectRegistry registry;
  qopt::onnx_import::registerImportDialects(registry);
  registry.insert<qopt::qnn::QnnDialect, func::FuncDialect, arith::ArithDialect,
                  tensor::TensorDialect, quant::QuantDialect>();
  qopt::registerQnnPasses();
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();

  qopt::QuantizeOptions options;
  options.model = model;
  options.policy = policy;
  options.policyFile = policyFile;
  options.mode = mode;
  options.observer = observer;
  options.dataDir = dataDir;
  options.outDir = outDir;
  options.calibImages = calibImages;
  options.batchSize = batchSize;
  options.evalLimit = evalLimit;
  options.biasCorrection = biasCorrection;
  options.weightMseNorm = weightMseNorm;
  qopt::QuantizeReport report;
  if (failed(qopt::runQuantize(ctx, options, report)))
    return 1;
  return failed(qopt::writeReport(options, report)) ? 1 : 0;
}
