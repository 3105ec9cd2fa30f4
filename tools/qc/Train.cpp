//===- Train.cpp - quantization-aware training in `qc quantize --mode qat` ===//
//
// Wraps the model for training (qnn-wrap-mode{mode=qat}, docs/training.md),
// compiles @train_step and the test-mode @main over one set of globals, and
// runs qrt's training loop (runtime/TrainLoop.h, which emitted training
// programs share) through the interpreter; the trained values are then
// frozen back into the module.
//
//===----------------------------------------------------------------------===//

#include "tools/qc/Train.h"

#include "codegen/EmitCpp.h"
#include "codegen/ExecutionPlan.h"
#include "codegen/GlobalState.h"
#include "runtime/TrainLoop.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace qopt;

namespace {

using Training = QuantizeOptions::Training;

std::string passOptions(const Training &t) {
  std::string s = "mode=qat optimizer=" + t.optimizer;
  llvm::raw_string_ostream os(s);
  os << " momentum=" << t.momentum << " weight-decay=" << t.weightDecay;
  if (t.nesterov)
    os << " nesterov=true";
  if (!t.customLrList.empty())
    os << " custom-lr-list=" << llvm::join(t.customLrList, ",")
       << " custom-lr=" << t.customLr;
  if (!t.customDecayList.empty())
    os << " custom-decay-list=" << llvm::join(t.customDecayList, ",")
       << " custom-decay=" << t.customDecay;
  return s;
}

} // namespace

FailureOr<TrainOutcome> qopt::trainQat(ModuleOp module,
                                       const QuantizeOptions &options,
                                       const qrt::ImageDataset &train,
                                       const qrt::ImageDataset &test,
                                       QuantizeReport &report) {
  auto out = [&](StringRef name) { return options.outDir + "/" + name.str(); };
  if (failed(runPassPipeline(
          module, "qnn-wrap-mode{" + passOptions(options.training) + "}")) ||
      failed(writeModuleFile(module, out("3-train.mlir"))))
    return failure();

  FailureOr<std::shared_ptr<GlobalState>> globals =
      GlobalState::fromModule(module);
  if (failed(globals))
    return failure();
  GlobalState &state = **globals;
  auto trainFn = module.lookupSymbol<func::FuncOp>("train_step");
  func::FuncOp evalFn = mainFunctionOf(module);
  if (!trainFn || !evalFn)
    return qcFail("qnn-wrap-mode{mode=qat} made no @train_step / @main");
  FailureOr<ExecutionPlan> stepPlan = ExecutionPlan::compile(trainFn, *globals);
  FailureOr<ExecutionPlan> evalPlan = ExecutionPlan::compile(evalFn, *globals);
  if (failed(stepPlan) || failed(evalPlan))
    return failure();

  if (!options.emitDir.empty()) {
    // The training program starts from the state this run starts from, so
    // that it trains to the same bytes (docs/codegen.md).
    StageRecord record;
    record.name = "emit C++ training program (train_step, forward)";
    record.artifact = options.emitDir + "/train";
    if (failed(writeProgram({ProgramFunction(*stepPlan, trainFn, "train_step"),
                             ProgramFunction(*evalPlan, evalFn, "forward")},
                            "model_train", record.artifact)))
      return failure();
    report.stages.push_back(record);
  }

  qrt::TrainLoopOptions loop = options.training.loop;
  loop.checkpointPath = out("checkpoint.qckpt");
  loop.norm = options.norm;
  loop.evalBatchSize = options.batchSize;
  loop.evalLimit = options.evalLimit;
  // The loop prints with stdio; what qc wrote before comes first.
  llvm::outs().flush();
  qrt::Expected<qrt::TrainOutcome> outcome = qrt::trainLoop(
      loop, train, test, *state.table(),
      [&](const std::vector<qrt::Tensor> &inputs, bool checkFinite) {
        return stepPlan->run(inputs, checkFinite);
      },
      modelOf(*evalPlan), [&](const qrt::EpochRecord &e) {
        StageRecord record;
        record.name =
            "QAT epoch " + std::to_string(e.epoch) + " (loss " +
            llvm::formatv("{0:F4}", e.loss).str() + ", train top-1 " +
            llvm::formatv("{0:F2}", e.trainTop1).str() +
            "%, test mode, quantizers training)";
        record.seconds = e.seconds;
        record.top1 = e.testTop1;
        record.imagesPerSecond = e.images / e.seconds;
        record.artifact = loop.checkpointPath;
        report.stages.push_back(record);
      });
  if (!outcome)
    return qcFail(outcome.status().message());
  if (*outcome == TrainOutcome::Stopped)
    return *outcome;

  // The trained values become the module's constants again.
  if (failed(state.writeBack(module)) ||
      failed(runPassPipeline(module, "qnn-freeze-globals")))
    return failure();
  return TrainOutcome::Finished;
}
