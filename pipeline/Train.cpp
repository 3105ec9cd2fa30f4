//===- Train.cpp - quantization-aware training in `qc quantize --mode qat` ===//
//
// Wraps the model for training (qnn-wrap-mode{mode=qat}, docs/training.md),
// compiles @train_step and the test-mode @main over one set of globals, and
// runs qrt's training loop (runtime/TrainLoop.h, which emitted training
// programs share) through the interpreter; the trained values are then
// frozen back into the module.
//
//===----------------------------------------------------------------------===//

#include "pipeline/Train.h"
#include "runtime/Collective.h"

#include "codegen/EmitCpp.h"
#include "codegen/ExecutionPlan.h"
#include "codegen/GlobalState.h"
#include "dialect/QnnOps.h"
#include "passes/Passes.h"
#include "runtime/DetectionEval.h"
#include "runtime/DetectionTargets.h"
#include "runtime/TrainLoop.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <optional>

using namespace mlir;
using namespace qopt;

namespace {

using Training = QuantizeOptions::Training;

/// qnn-wrap-mode{mode=qat}'s options: the optimizer built into @train_step.
WrapModePassOptions wrapOptions(const Training &t) {
  WrapModePassOptions o;
  o.mode = "qat";
  o.loss = t.loss == "cross_entropy" ? "cross_entropy" : "fcos";
  o.optimizer = t.optimizer;
  o.momentum = t.momentum;
  o.weightDecay = t.weightDecay;
  o.nesterov = t.nesterov;
  if (!t.customLrList.empty()) {
    o.customLrList.assign(t.customLrList.begin(), t.customLrList.end());
    o.customLr = t.customLr;
  }
  if (!t.customDecayList.empty()) {
    o.customDecayList.assign(t.customDecayList.begin(),
                             t.customDecayList.end());
    o.customDecay = t.customDecay;
  }
  return o;
}

/// --loss fcos: the step's inputs are the images and their FCOS targets
/// (qrt::gatherFcosTargets), the levels read off @train_step's target
/// arguments (per level classes N x H x W, box, centerness, positives).
FailureOr<qrt::TrainBatchFn> fcosBatches(func::FuncOp trainFn,
                                         const std::string &lossSpec,
                                         const qrt::DataSource &train) {
  qrt::Expected<qrt::FcosTargetSpec> spec = qrt::parseFcosSpec(lossSpec);
  if (!spec)
    return reportError("--loss: " + spec.status().message());
  auto image = cast<RankedTensorType>(trainFn.getArgumentTypes()[0]);
  // image, 4 per level, npos, ctr_sum, lr
  unsigned args = trainFn.getNumArguments();
  if (image.getRank() != 4 || args < 8 || (args - 4) % 4 != 0)
    return reportError("--loss fcos: @train_step does not take an image "
                       "batch, per-level targets and the learning rate");
  int64_t h = image.getDimSize(2), w = image.getDimSize(3);
  std::vector<qrt::FcosLevel> levels;
  for (unsigned a = 1; a + 3 < args; a += 4) {
    auto cls = cast<RankedTensorType>(trainFn.getArgumentTypes()[a]);
    int64_t lh = cls.getDimSize(1), lw = cls.getDimSize(2);
    if (ShapedType::isDynamic(h) || ShapedType::isDynamic(w) || h % lh ||
        w % lw || h / lh != w / lw)
      return reportError(
          llvm::formatv("--loss fcos: level {0}'s {1} x {2} map is not the "
                        "{3} x {4} image divided by one whole stride",
                        levels.size(), lh, lw, h, w)
              .str());
    levels.push_back({h / lh, lh, lw});
  }
  if (spec->sizeBounds.size() + 1 != levels.size() &&
      !spec->sizeBounds.empty())
    return reportError(llvm::formatv("--loss {0}: {1} size boundaries for the "
                                     "model's {2} levels (need {3})",
                                     lossSpec, spec->sizeBounds.size(),
                                     levels.size(), levels.size() - 1)
                           .str());
  qrt::FcosTargetSpec s = *spec;
  return qrt::TrainBatchFn([&train, levels, s, h, w](
                               const std::vector<int64_t> &idx, uint64_t seed,
                               std::vector<qrt::Tensor> &inputs,
                               qrt::Tensor &labels) -> qrt::Status {
    qrt::Tensor images, ignored;
    QRT_RETURN_IF_ERROR(train.gather(idx, seed, images, ignored));
    qrt::Expected<std::vector<qrt::Tensor>> targets =
        qrt::gatherFcosTargets(train, idx, h, w, levels, s);
    if (!targets)
      return targets.status();
    inputs = {images};
    inputs.insert(inputs.end(), targets->begin(), targets->end());
    return qrt::Status::ok();
  });
}

/// The trained values become the module's constants again.
FailureOr<TrainOutcome> freezeTrained(ModuleOp module,
                                      const GlobalState &state) {
  if (failed(state.writeBack(module)) ||
      failed(runPasses(module, [](OpPassManager &pm) {
        pm.addPass(createFreezeGlobalsPass());
      })))
    return failure();
  return TrainOutcome::Finished;
}

/// --init: each checkpoint's tensors replace the values of the globals they
/// name, in order. Optimizer buffers are the run's own and stay zero;
/// tensors naming no global are counted and skipped; a checkpoint that
/// names none, or a tensor of another shape, is an error naming the file.
LogicalResult initFromCheckpoints(GlobalState &state,
                                  const std::vector<std::string> &paths,
                                  QuantizeReport &report) {
  for (const std::string &path : paths) {
    qrt::Expected<qrt::Checkpoint> ckpt = qrt::loadCheckpoint(path);
    if (!ckpt)
      return reportError("--init " + ckpt.status().message());
    int64_t loaded = 0, optimizerState = 0, unknown = 0;
    std::string firstUnknown;
    for (const auto &[name, tensor] : ckpt->tensors) {
      if (!state.contains(name)) {
        if (unknown++ == 0)
          firstUnknown = name;
        continue;
      }
      if (state.kind(name) == "optimizer_state") {
        ++optimizerState;
        continue;
      }
      const qrt::Tensor &current = state.get(name);
      if (tensor.shape() != current.shape() ||
          tensor.dtype() != current.dtype())
        return reportError("--init " + path + ": tensor '" + name +
                           "' has shape " + qrt::shapeToString(tensor.shape()) +
                           ", this model's needs " +
                           qrt::shapeToString(current.shape()) +
                           " (another policy or model?)");
      state.set(name, tensor);
      ++loaded;
    }
    if (loaded == 0)
      return reportError(
          "--init " + path + ": none of its " +
          std::to_string(ckpt->tensors.size()) +
          " tensors names a weight, batch-norm or quantizer parameter of "
          "this model" +
          (firstUnknown.empty() ? "" : " (the first: '" + firstUnknown + "')") +
          "; rename them with `qc checkpoint " + path +
          " --mf FROM.txt --mt TO.txt -o NEW.qckpt`");
    std::string line = llvm::formatv("init from {0}: {1} tensors loaded, {2} "
                                     "optimizer buffers and {3} tensors of "
                                     "no global of this model skipped",
                                     path, loaded, optimizerState, unknown)
                           .str();
    llvm::outs() << "qc: " << line << "\n";
    StageRecord record;
    record.name = line;
    record.artifact = path;
    report.stages.push_back(record);
  }
  return success();
}

} // namespace

FailureOr<TrainOutcome> qopt::trainQat(ModuleOp module,
                                       const QuantizeOptions &options,
                                       const qrt::DataSource &train,
                                       const qrt::DataSource &test,
                                       QuantizeReport &report) {
  auto out = [&](StringRef name) { return options.outDir + "/" + name.str(); };
  WrapModePassOptions wrap = wrapOptions(options.training);
  // The step is data-parallel (qnn-data-parallel), so that it, and the
  // training program emitted from it, run as N processes under mpirun; in
  // one process its all_reduces are copies and the step's bytes are
  // unchanged. LQ-Nets' basis update has no data-parallel form: those
  // steps stay single-process unless run by several ranks, which the pass
  // then refuses.
  bool lqnet = false;
  module.walk([&](qnn::FakeQuantOp op) {
    lqnet |= op.getMethod() == qnn::QuantMethod::Lqnet;
  });
  bool dataParallel = !lqnet || qrt::worldSize() > 1;
  if (failed(runPasses(module, [&](OpPassManager &pm) {
        pm.addPass(createWrapModePass(wrap));
        if (dataParallel)
          pm.addNestedPass<func::FuncOp>(createDataParallelPass());
      })))
    return failure();

  FailureOr<std::shared_ptr<GlobalState>> globals =
      GlobalState::fromModule(module);
  if (failed(globals))
    return failure();
  GlobalState &state = **globals;
  // The initialized values are the training graph's initial values, which
  // 3-train.mlir and an emitted training program start from.
  const std::vector<std::string> &inits = options.training.initCheckpoints;
  if ((!inits.empty() && (failed(initFromCheckpoints(state, inits, report)) ||
                          failed(state.writeBack(module)))) ||
      failed(writeModuleFile(module, out("3-train.mlir"))))
    return failure();
  auto trainFn = module.lookupSymbol<func::FuncOp>("train_step");
  func::FuncOp evalFn = mainFunctionOf(module);
  if (!trainFn || !evalFn)
    return reportError("qnn-wrap-mode{mode=qat} made no @train_step / @main");
  bool detector = wrap.loss != "cross_entropy";
  qrt::TrainBatchFn batches;
  if (detector) {
    FailureOr<qrt::TrainBatchFn> fn =
        fcosBatches(trainFn, options.training.loss, train);
    if (failed(fn))
      return failure();
    batches = *fn;
    if (qrt::worldSize() > 1)
      return reportError(
          "--loss fcos under mpirun: the targets' normalizers (positives, "
          "centerness sum) would count only each rank's shard; train a "
          "detector in one process");
    if (!options.emitDir.empty())
      return reportError(
          "--emit with --loss fcos: an emitted training program reads "
          "a classifier's images and labels; a detector trains in qc, whose "
          "trained inference programs `qemit` emits from 4-integer.mlir");
  }
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
                            "model_train", record.artifact,
                            options.emitTarget)))
      return failure();
    report.stages.push_back(record);
  }

  // --epochs 0: no step; the initial values (calibrated, or --init's) are
  // the trained ones, e.g. to evaluate and deploy a checkpoint.
  if (options.training.loop.epochs == 0)
    return freezeTrained(module, state);

  qrt::TrainLoopOptions loop = options.training.loop;
  loop.checkpointPath = options.checkpointPath.empty()
                            ? out("checkpoint.qckpt")
                            : options.checkpointPath;
  loop.evalBatchSize = options.batchSize;
  loop.evalLimit = options.evalLimit;
  // A detector with --detector: COCO mAP of the test-mode body after every
  // epoch (the classifier's per-epoch top-1 is the loop's own).
  std::optional<qrt::FcosPostprocess> post;
  if (detector && !options.detector.empty()) {
    qrt::Expected<qrt::FcosPostprocess> p =
        qrt::parseFcosPostprocess(options.detector);
    if (!p)
      return reportError("--detector: " + p.status().message());
    post = *p;
  }
  std::string epochError;
  // The loop prints with stdio; what qc wrote before comes first.
  llvm::outs().flush();
  qrt::Expected<qrt::TrainOutcome> outcome = qrt::trainLoop(
      loop, train, test, *state.table(),
      [&](const std::vector<qrt::Tensor> &inputs, bool checkFinite) {
        return stepPlan->run(inputs, checkFinite);
      },
      detector ? qrt::ModelFn() : modelOf(*evalPlan),
      [&](const qrt::EpochRecord &e) {
        StageRecord record;
        record.name = "QAT epoch " + std::to_string(e.epoch) + " (loss " +
                      llvm::formatv("{0:F4}", e.loss).str();
        if (e.trainTop1 >= 0)
          record.name += ", train top-1 " +
                         llvm::formatv("{0:F2}", e.trainTop1).str() +
                         "%, test mode, quantizers training";
        record.name += ")";
        record.seconds = e.seconds;
        record.evaluation = e.testTop1 >= 0;
        record.top1 = e.testTop1;
        record.imagesPerSecond = e.images / e.seconds;
        record.artifact = loop.checkpointPath;
        if (post && epochError.empty() && qrt::worldRank() == 0) {
          qrt::Expected<qrt::DetectionEvalResult> r =
              qrt::evaluateCocoMap(modelOf(*evalPlan), test, *post,
                                   options.batchSize, options.evalLimit);
          if (!r) {
            epochError = "--detector, epoch " + std::to_string(e.epoch) +
                         ": " + r.status().message();
          } else {
            record.evaluation = true;
            record.ap = r->map.ap;
            record.ap50 = r->map.ap50;
            record.ap75 = r->map.ap75;
            record.name += " (COCO mAP)";
            std::printf("epoch %lld/%lld: test AP %.4f, AP50 %.4f, AP75 "
                        "%.4f\n",
                        (long long)e.epoch, (long long)loop.epochs,
                        r->map.ap, r->map.ap50, r->map.ap75);
            std::fflush(stdout);
          }
        }
        report.stages.push_back(record);
      },
      batches);
  if (!epochError.empty())
    return reportError(epochError);
  if (!outcome)
    return reportError(outcome.status().message());
  if (*outcome == TrainOutcome::Stopped)
    return *outcome;

  return freezeTrained(module, state);
}
