//===- Pipeline.cpp - the stages of `qc quantize` -------------------------===//

#include "pipeline/Pipeline.h"
#include "runtime/DetectionEval.h"
#include "pipeline/Reconstruct.h"
#include "pipeline/Train.h"
#include "pipeline/Analysis.h"

#include "codegen/EmitCpp.h"
#include "codegen/ExecutionPlan.h"
#include "export/onnx/Exporter.h"
#include "frontend/onnx/Importer.h"
#include "passes/Calibration.h"
#include "passes/Passes.h"
#include "runtime/Collective.h"

#include "mlir/IR/AsmState.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

#include <chrono>
#include <map>

using namespace mlir;
using namespace qopt;

namespace {
/// Times a stage and appends its record.
class Stage {
public:
  Stage(QuantizeReport &report, std::string name)
      : report(report), start(std::chrono::steady_clock::now()) {
    record.name = std::move(name);
    llvm::errs() << "qc: " << record.name << "\n";
  }
  ~Stage() {
    record.seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    report.stages.push_back(record);
  }
  StageRecord record;

private:
  QuantizeReport &report;
  std::chrono::steady_clock::time_point start;
};
} // namespace

/// Writes `module`'s @main as a C++ program directory (qemit).
static LogicalResult emitProgram(ModuleOp module, const std::string &dir,
                                 const std::string &name, Target target) {
  func::FuncOp func = mainFunctionOf(module);
  FailureOr<ExecutionPlan> plan = ExecutionPlan::compile(func, nullptr, target);
  if (failed(plan))
    return failure();
  return writeProgram({ProgramFunction(*plan, func, "forward")}, name, dir,
                      target);
}

LogicalResult qopt::reportError(const Twine &message) {
  llvm::WithColor::error(llvm::errs()) << message << "\n";
  return failure();
}

LogicalResult qopt::writeModuleFile(ModuleOp module, const std::string &path) {
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> out = openOutputFile(path, &error);
  if (!out)
    return reportError(error);
  module.print(out->os());
  out->keep();
  return success();
}

LogicalResult qopt::runPasses(ModuleOp module,
                              function_ref<void(OpPassManager &)> build) {
  PassManager pm(module->getName());
  build(pm);
  return pm.run(module);
}

/// Runs `pass` on every function of `module`.
static LogicalResult runOnFunctions(ModuleOp module,
                                    std::unique_ptr<Pass> pass) {
  return runPasses(module, [&](OpPassManager &pm) {
    pm.addNestedPass<func::FuncOp>(std::move(pass));
  });
}

/// qnn-wrap-mode with only `mode` set, on every function.
static LogicalResult wrapMode(ModuleOp module, StringRef mode) {
  WrapModePassOptions o;
  o.mode = mode.str();
  return runOnFunctions(module, createWrapModePass(o));
}

func::FuncOp qopt::mainFunctionOf(ModuleOp module) {
  if (auto f = module.lookupSymbol<func::FuncOp>("main"))
    return f;
  auto funcs = module.getOps<func::FuncOp>();
  return std::distance(funcs.begin(), funcs.end()) == 1 ? *funcs.begin()
                                                         : func::FuncOp();
}

static OwningOpRef<ModuleOp> loadModel(MLIRContext &ctx,
                                       const std::string &path) {
  if (llvm::sys::path::extension(path) == ".onnx")
    return onnx_import::importOnnxFile(path, &ctx, {});
  return parseSourceFile<ModuleOp>(path, &ctx);
}

/// Compiles and evaluates @main of `module` on the evaluation data: top-1
/// and top-5 where the data has labels, and the share of images whose
/// top-1 class agrees with the float model's (`floatPredictions`; filled by
/// the first evaluation, the float model's).
static LogicalResult evaluate(ModuleOp module, const QuantizeOptions &options,
                              const qrt::DataSource &test,
                              std::vector<int32_t> &floatPredictions,
                              Stage &stage) {
  func::FuncOp fn = mainFunctionOf(module);
  if (!fn)
    return reportError("the model has no @main function");
  FailureOr<ExecutionPlan> plan = ExecutionPlan::compile(fn);
  if (failed(plan))
    return failure();
  qrt::Tensor logits;
  qrt::Expected<EvalResult> r =
      evaluateTop1(*plan, test, options.batchSize, options.evalLimit,
                   stage.record.name, &logits);
  if (!r)
    return reportError(r.status().message());
  stage.record.evaluation = true;
  if (r->labelled) {
    stage.record.top1 = r->top1();
    stage.record.top5 = r->top5();
  }
  stage.record.imagesPerSecond = r->imagesPerSecond();
  int64_t n = logits.rank() == 2 ? logits.dim(0) : 0;
  int64_t classes = n ? logits.dim(1) : 0;
  std::vector<int32_t> predictions(n);
  for (int64_t i = 0; i < n; ++i) {
    const float *row = logits.data<float>() + i * classes;
    predictions[i] = std::max_element(row, row + classes) - row;
  }
  if (floatPredictions.empty()) {
    floatPredictions = std::move(predictions);
  } else if (floatPredictions.size() == predictions.size() && n) {
    int64_t same = 0;
    for (int64_t i = 0; i < n; ++i)
      same += predictions[i] == floatPredictions[i];
    stage.record.agreement = 100.0 * same / n;
  }
  return success();
}

/// COCO box mAP of a detector body (--detector): the body's maps on the
/// evaluation images, qrt's FCOS post-processing, qrt::cocoBoxMap (= what
/// pycocotools computes, test/e2e/detection-map.test). With
/// --save-detections the detections go to OUT/detections-<tag>.json.
static LogicalResult evaluateDetector(ModuleOp module,
                                      const QuantizeOptions &options,
                                      const qrt::DataSource &test,
                                      const std::string &tag, Stage &stage) {
  qrt::Expected<qrt::FcosPostprocess> post =
      qrt::parseFcosPostprocess(options.detector);
  if (!post)
    return reportError("--detector: " + post.status().message());
  FailureOr<ExecutionPlan> plan = ExecutionPlan::compile(mainFunctionOf(module));
  if (failed(plan))
    return failure();
  qrt::Expected<qrt::DetectionEvalResult> r = qrt::evaluateCocoMap(
      modelOf(*plan), test, *post, options.batchSize, options.evalLimit);
  if (!r)
    return reportError("--detector " + options.detector + ": " +
                       r.status().message());
  stage.record.evaluation = true;
  stage.record.imagesPerSecond =
      r->seconds > 0 ? r->images.size() / r->seconds : 0;
  stage.record.ap = r->map.ap;
  stage.record.ap50 = r->map.ap50;
  stage.record.ap75 = r->map.ap75;
  if (options.saveDetections) {
    stage.record.artifact = options.outDir + "/detections-" + tag + ".json";
    if (qrt::Status s =
            qrt::writeCocoResults(stage.record.artifact,
                                  *test.dataset().cocoAnnotations(),
                                  r->images, r->detections);
        !s)
      return reportError(s.message());
  }
  return success();
}

/// Checks that `data`'s samples, after preprocessing, have the shape of
/// @main's image input ([N, C, H, W], static C, H, W).
static LogicalResult checkInputShape(ModuleOp module,
                                     const qrt::DataSource &data,
                                     const std::string &option,
                                     const std::string &spec) {
  func::FuncOp fn = mainFunctionOf(module);
  if (!fn)
    return reportError("the model has no @main function");
  if (fn.getNumArguments() != 1 || fn.getNumResults() < 1)
    return reportError("qc quantize needs a model of one image batch "
                       "returning logits (or a detector body's maps); @" +
                       fn.getName().str() + " takes " +
                       std::to_string(fn.getNumArguments()) +
                       " input(s) and returns " +
                       std::to_string(fn.getNumResults()));
  auto type = dyn_cast<RankedTensorType>(fn.getArgumentTypes()[0]);
  qrt::Expected<qrt::Shape> sample = data.sampleShape();
  if (!sample)
    return reportError(option + " " + spec + ": " +
                       sample.status().message());
  std::string want;
  bool ok = type && type.getRank() == 4;
  if (type) {
    llvm::raw_string_ostream os(want);
    llvm::interleave(
        type.getShape(), os,
        [&](int64_t d) { os << (ShapedType::isDynamic(d) ? "?" : std::to_string(d)); },
        "x");
  }
  for (int i = 0; ok && i < 3; ++i)
    ok = ShapedType::isDynamic(type.getDimSize(i + 1)) ||
         type.getDimSize(i + 1) == (*sample)[i];
  if (ok)
    return success();
  std::string got = std::to_string((*sample)[0]) + "x" +
                    std::to_string((*sample)[1]) + "x" +
                    std::to_string((*sample)[2]);
  return reportError(option + " " + spec + " gives images " + got +
                     " (channels x height x width) after --transform '" +
                     data.preprocess().str() + "', but the model's input is " +
                     (want.empty() ? "not a ranked tensor" : want) +
                     ": change --transform (Resize, CenterCrop, Grayscale)");
}

/// Calibrates a copy of `module` on training images and writes the observed
/// parameters back into `module`'s quantizers.
static LogicalResult calibrate(ModuleOp module, const QuantizeOptions &options,
                               const qrt::DataSource &train,
                               QuantizeReport &report, bool batchStatistics) {
  OwningOpRef<ModuleOp> calib = module.clone();
  // The report names the quantizers whose observer is not the option's
  // (qnn-wrap-mode's rule, observerFor).
  std::optional<qnn::ObserverKind> kind =
      qnn::symbolizeObserverKind(options.observer);
  unsigned fallbacks = 0, fqIndex = 0;
  std::string fallbackNames;
  mainFunctionOf(*calib).walk([&](qnn::FakeQuantOp op) {
    std::string name = quantizerName(op, fqIndex++);
    if (kind && isCalibrated(op) && !op->hasAttr("qnn.observer") &&
        observerFor(op, *kind) != *kind)
      fallbackNames += (fallbacks++ ? ", " : "") + name;
  });
  if (fallbacks)
    report.notes.push_back(
        std::to_string(fallbacks) + " quantizer(s) use min_max instead of " +
        options.observer + ": per-channel ones (" + options.observer +
        " is per-tensor only) and, for entropy, the model input: " +
        fallbackNames);
  if (options.weightMseNorm > 0.f && kind == qnn::ObserverKind::Mse)
    report.notes.push_back("weights: MSE observer with p = " +
                           std::to_string(options.weightMseNorm));
  WrapModePassOptions wrap;
  wrap.mode = "calibrate";
  wrap.observer = options.observer;
  wrap.weightNorm = options.weightMseNorm;
  wrap.batchStatistics = batchStatistics;
  if (failed(runOnFunctions(*calib, createWrapModePass(wrap))))
    return failure();
  FailureOr<ExecutionPlan> plan = ExecutionPlan::compile(mainFunctionOf(*calib));
  if (failed(plan))
    return failure();
  // Data-parallel (runtime/Collective.h): rank r observes batches r, r + R,
  // ... (the batches one process would see, so batch statistics are the
  // same), then the observers' states are merged. Observers whose state
  // cannot be merged exactly make every rank observe every batch instead.
  int ranks = qrt::worldSize(), rank = qrt::worldRank();
  int64_t count = std::min<int64_t>(options.calibImages, train.size());
  int64_t batches = (count + options.batchSize - 1) / options.batchSize;
  bool sharded = false;
  if (ranks > 1 && batches >= ranks) {
    for (int64_t k = rank; k < batches; k += ranks) {
      int64_t begin = k * options.batchSize;
      qrt::Tensor images, labels;
      qrt::Status s = train.batch(
          begin, std::min<int64_t>(options.batchSize, count - begin), images,
          labels);
      if (!s)
        return reportError(s.message());
      qrt::Expected<std::vector<qrt::Tensor>> r = plan->run({images});
      if (!r)
        return reportError(r.status().message());
    }
    bool reducible = true;
    for (const auto &[name, observer] : plan->observers())
      reducible &= observer && observer->reducible();
    if (reducible) {
      for (const auto &[name, observer] : plan->observers())
        if (qrt::Status s = observer->reduce(*qrt::collective()); !s)
          return reportError("observer '" + name + "': " + s.message());
      sharded = true;
      report.notes.push_back("calibration: " + std::to_string(ranks) +
                             " ranks, rank r observing batches r, r + " +
                             std::to_string(ranks) +
                             ", ...; observers merged");
    } else {
      plan = ExecutionPlan::compile(mainFunctionOf(*calib));
      if (failed(plan))
        return failure();
      report.notes.push_back(
          "calibration: the " + options.observer +
          " observers cannot be merged across ranks; every rank observed "
          "every batch");
    }
  }
  if (!sharded) {
    qrt::Status s = runForObservers(*plan, train, options.batchSize,
                                    options.calibImages, "calibrate");
    if (!s)
      return reportError(s.message());
  }
  std::map<std::string, CalibratedParams> params;
  for (const auto &[name, observer] : plan->observers()) {
    if (!observer)
      return reportError("observer '" + name + "' saw no data");
    qrt::Expected<qrt::QuantParams> p = observer->compute();
    if (!p)
      return reportError("observer '" + name + "': " + p.status().message());
    params[name] = {p->scale, p->zeroPoint};
  }
  if (failed(applyCalibration(mainFunctionOf(module), params)))
    return failure();

  // Report each quantizer's calibrated step sizes.
  unsigned index = 0;
  mainFunctionOf(module).walk([&](qnn::FakeQuantOp op) {
    QuantizerRecord r;
    r.name = quantizerName(op, index++);
    r.role = qnn::stringifyQuantRole(op.getRole()).str();
    r.method = qnn::stringifyQuantMethod(op.getMethod()).str();
    r.bits = op.getBits();
    auto it = params.find(r.name);
    if (it != params.end() && !it->second.scale.empty()) {
      r.groups = it->second.scale.size();
      r.minScale = *std::min_element(it->second.scale.begin(),
                                     it->second.scale.end());
      r.maxScale = *std::max_element(it->second.scale.begin(),
                                     it->second.scale.end());
    }
    report.quantizers.push_back(r);
  });
  return success();
}

/// The policy pass options of `options`.
/// qnn-apply-policy with the run's policy.
static LogicalResult applyPolicy(ModuleOp module,
                                 const QuantizeOptions &options) {
  ApplyPolicyPassOptions o;
  o.policy = options.policy;
  o.policyFile = options.policyFile;
  return runOnFunctions(module, createApplyPolicyPass(o));
}

/// Whether QAT trains with batch norm (--bn, docs/training.md). `auto`
/// keeps it in --mode qat unless a weight quantizer of the policy (applied
/// to a copy of the model) has levels qnn-fold-batch-norm cannot fold
/// through (lqnet, lsq_plus, adaround; the ternary non_uniform weights fold
/// as levels -1 / 0 / 1). Measured on the default
/// model, keeping BN and folding after training is better for every method
/// (LSQ W4A4 92.43 vs 91.89, W2A2 91.34 vs 90.11) and the only way DoReFa /
/// PACT / XNOR train (their weight quantizers normalize the weights' scale
/// away, which the BN after each conv undoes). PTQ always folds first.
static FailureOr<bool> keepsBatchNorm(ModuleOp imported,
                                      const QuantizeOptions &options,
                                      std::string &why) {
  if (options.mode != "qat" || options.bn == "fold")
    return false;
  why = "--bn " + options.bn;
  if (options.bn == "keep")
    return true;
  OwningOpRef<ModuleOp> probe = imported.clone();
  if (failed(applyPolicy(*probe, options)))
    return failure();
  std::string unfoldable;
  probe->walk([&](qnn::FakeQuantOp op) {
    qnn::QuantMethod m = op.getMethod();
    if (op.getRole() == qnn::QuantRole::Weight && unfoldable.empty() &&
        m != qnn::QuantMethod::Uniform && m != qnn::QuantMethod::Lsq &&
        m != qnn::QuantMethod::Dorefa && m != qnn::QuantMethod::Xnor &&
        m != qnn::QuantMethod::XnorPlusPlus &&
        !(m == qnn::QuantMethod::NonUniform && !op.getHalfRange()))
      unfoldable = qnn::stringifyQuantMethod(m).str();
  });
  return unfoldable.empty();
}

LogicalResult qopt::runQuantize(MLIRContext &ctx,
                                const QuantizeOptions &options,
                                QuantizeReport &report) {
  if (options.mode != "calibrate" && options.mode != "qat")
    return reportError("unknown --mode '" + options.mode +
                  "' (supported: calibrate, qat)");
  if (std::error_code ec = llvm::sys::fs::create_directories(options.outDir))
    return reportError("cannot create " + options.outDir + ": " + ec.message());
  auto out = [&](StringRef name) { return options.outDir + "/" + name.str(); };

  // The data: opened (and their specs checked) before anything runs.
  qrt::Expected<qrt::DataSource> train = qrt::openDataSource(
      options.data, qrt::DataRole::Train, options.transform, options.dataDir,
      options.norm.mean, options.norm.std, "--data");
  if (!train)
    return reportError(train.status().message());
  qrt::Expected<qrt::DataSource> calib = *train;
  if (!options.calibData.empty())
    calib = qrt::openDataSource(options.calibData, qrt::DataRole::Train,
                                options.transform, options.dataDir,
                                options.norm.mean, options.norm.std,
                                "--calib-data");
  if (!calib)
    return reportError(calib.status().message());
  std::string evalSpec =
      options.evalData.empty() ? options.data : options.evalData;
  qrt::Expected<qrt::DataSource> test = qrt::openDataSource(
      evalSpec, qrt::DataRole::Eval, options.transform, options.dataDir,
      options.norm.mean, options.norm.std,
      options.evalData.empty() ? "--data" : "--eval-data");
  if (!test)
    return reportError(test.status().message());
  // A classifier trains on labels; a detector (--loss fcos) on boxes, which
  // its batches' target assignment checks.
  if (options.mode == "qat" && options.training.loss == "cross_entropy" &&
      !train->hasLabels())
    return reportError("--mode qat trains on labels: --data " + options.data +
                       " has none (" + train->dataset().describe() + ")");
  report.trainData = train->describe();
  report.calibData = calib->describe();
  report.evalData = test->describe();
  if (options.evalData.empty() &&
      !qrt::dataKindHasSplits(qrt::dataKind(options.data)))
    report.notes.push_back("--data " + options.data +
                           " has no test split: the evaluations ran on the "
                           "same images as calibration (give --eval-data)");

  OwningOpRef<ModuleOp> module;
  {
    Stage stage(report, "import");
    module = loadModel(ctx, options.model);
    if (!module)
      return reportError("cannot load " + options.model);
  }
  if (failed(checkInputShape(*module, *calib,
                             options.calibData.empty() ? "--data"
                                                       : "--calib-data",
                             options.calibData.empty() ? options.data
                                                       : options.calibData)) ||
      failed(checkInputShape(*module, *test,
                             options.evalData.empty() ? "--data"
                                                      : "--eval-data",
                             evalSpec)))
    return failure();
  // A detector body (several maps) has no evaluation stages.
  unsigned results = mainFunctionOf(*module).getNumResults();
  bool classifier = results == 1;
  if (classifier && !options.detector.empty())
    return reportError("--detector " + options.detector +
                       " post-processes a detector body's maps (class "
                       "logits, box distances, centerness logits per level); "
                       "the model returns one tensor (a classifier?)");
  if (!classifier) {
    if (options.mode == "qat" && options.training.loss == "cross_entropy")
      return reportError("--mode qat with --loss cross_entropy trains "
                         "classifiers: the model returns " +
                         std::to_string(results) +
                         " tensors (a detector body trains with --loss "
                         "fcos)");
    if (options.detector.empty())
      report.notes.push_back(
          "the model returns " + std::to_string(results) +
          " tensors (a detector body?): without --detector qc has no "
          "evaluation rows for it; --detector fcos scores COCO mAP "
          "(docs/detection.md)");
    else
      report.notes.push_back(
          "COCO box mAP of the evaluation images (--detector " +
          options.detector +
          "): qrt's FCOS post-processing of the body's maps, scored as "
          "pycocotools' COCOeval (AP over IoU 0.50:0.95, AP50, AP75)");
  } else if (!test->hasLabels()) {
    report.notes.push_back("the evaluation data have no labels: the table "
                           "reports agreement with the float model's top-1 "
                           "class instead of accuracy");
  }
  std::vector<int32_t> floatPredictions;
  // A classifier's top-1 / top-5, or a detector's COCO mAP with --detector;
  // a detector without it has no evaluation stages.
  auto evaluateStage = [&](const std::string &name,
                           const std::string &tag) -> LogicalResult {
    if (classifier) {
      Stage stage(report, name);
      return evaluate(*module, options, *test, floatPredictions, stage);
    }
    if (options.detector.empty())
      return success();
    Stage stage(report, name + " (COCO mAP)");
    return evaluateDetector(*module, options, *test, tag, stage);
  };
  std::string keepWhy;
  FailureOr<bool> keepOrFail = keepsBatchNorm(*module, options, keepWhy);
  if (failed(keepOrFail))
    return failure();
  bool keepBn = *keepOrFail;
  if (keepBn) {
    // Trained with batch statistics; folded after training through the
    // trained weight quantizers (stage "fold batch norm through the weight
    // quantizers" below).
    Stage stage(report, "keep batch norm for training (" + keepWhy + ")");
    stage.record.artifact = out("1-imported.mlir");
    if (failed(writeModuleFile(*module, stage.record.artifact)))
      return failure();
  } else {
    Stage stage(report, "fold batch norm");
    stage.record.artifact = out("1-folded.mlir");
    if (failed(runOnFunctions(*module, createFoldBatchNormPass())) ||
        failed(writeModuleFile(*module, stage.record.artifact)))
      return failure();
  }
  OwningOpRef<ModuleOp> floatModule = module->clone();
  // The per-layer SQNR compares conv outputs with the deployed (folded)
  // graph's: the float reference is folded as well.
  OwningOpRef<ModuleOp> floatFolded = module->clone();
  if (keepBn &&
      failed(runOnFunctions(*floatFolded, createFoldBatchNormPass())))
    return failure();
  if (failed(evaluateStage("evaluate float", "float")))
    return failure();
  {
    Stage stage(report, "apply policy");
    stage.record.artifact = out("2-policy.mlir");
    if (failed(applyPolicy(*module, options)) ||
        failed(writeModuleFile(*module, stage.record.artifact)))
      return failure();
  }
  // Test mode (frozen, as deployed), bias correction, and the stage's file.
  auto freeze = [&](const std::string &path) -> LogicalResult {
    if (failed(wrapMode(*module, "test")))
      return failure();
    if (options.biasCorrection &&
        failed(correctBiases(*floatModule, *module, options, *calib,
                             report.biasCorrections)))
      return failure();
    return writeModuleFile(*module, path);
  };
  bool adaround = usesAdaround(*module);
  {
    Stage stage(report, "calibrate (" +
                            std::to_string(std::min<int64_t>(
                                options.calibImages, calib->size())) +
                            " images, " + options.observer +
                            (keepBn ? ", BN batch statistics" : "") +
                            (options.biasCorrection ? ", bias correction"
                                                    : "") +
                            ")");
    stage.record.artifact = out("3-calibrated.mlir");
    if (failed(calibrate(*module, options, *calib, report, keepBn)))
      return failure();
    if (!adaround && failed(freeze(stage.record.artifact)))
      return failure();
    if (adaround && failed(writeModuleFile(*module, stage.record.artifact)))
      return failure();
  }
  if (adaround) {
    const auto &r = options.reconstruction;
    Stage stage(report, "reconstruct (AdaRound, " +
                            std::to_string(r.iterations) + " iterations per " +
                            r.unit +
                            (r.dropProb > 0 ? ", QDrop" : "") + ")");
    stage.record.artifact = out("3-reconstructed.mlir");
    if (failed(reconstruct(*module, options, *calib, report)) ||
        failed(freeze(stage.record.artifact)))
      return failure();
  }
  if (options.mode == "qat") {
    // Calibration above initialized the quantizers; training goes on from
    // there (docs/training.md).
    Stage stage(report, "quantization-aware training (" +
                            std::to_string(options.training.loop.epochs) +
                            " epochs, " + options.training.optimizer + ")");
    FailureOr<TrainOutcome> outcome =
        trainQat(*module, options, *train, *test, report);
    if (failed(outcome))
      return failure();
    if (qrt::worldRank() > 0)
      return success(); // rank 0 finishes: freezing, lowering, the report
    if (*outcome == TrainOutcome::Stopped) {
      report.notes.push_back("stopped after epoch " +
                             std::to_string(options.training.loop.stopAfter) +
                             " (--stop-after); resume with --resume");
      return success();
    }
    stage.record.artifact = out("3-trained.mlir");
    if (failed(wrapMode(*module, "test")) ||
        failed(writeModuleFile(*module, stage.record.artifact)))
      return failure();
  }
  // After training with BN kept, or with PACT / DoReFa activations, the
  // trained test-mode model is rewritten into its deployable form.
  bool uniformActs = false;
  if (options.mode == "qat")
    module->walk([&](qnn::FakeQuantOp op) {
      uniformActs |= op.getRole() == qnn::QuantRole::Activation &&
                     (op.getMethod() == qnn::QuantMethod::Pact ||
                      op.getMethod() == qnn::QuantMethod::Dorefa);
    });
  if (keepBn || uniformActs) {
    if (failed(evaluateStage(std::string("evaluate trained (test mode") +
                                 (keepBn ? ", batch norm unfolded)" : ")"),
                             "trained")))
      return failure();
    // Each test-mode BN becomes the scale of its conv's integer weight
    // levels (qnn-fold-batch-norm through a fake-quantized weight); PACT /
    // DoReFa activations become the uniform grids they are, which
    // qnn-lower-to-integer lowers.
    std::string what;
    if (keepBn)
      what = "fold batch norm through the weight quantizers";
    if (uniformActs)
      what += std::string(what.empty() ? "" : "; ") +
              "PACT / DoReFa activations as uniform grids";
    Stage stage(report, what);
    stage.record.artifact = out("3-folded.mlir");
    auto passes = [&](OpPassManager &pm) {
      OpPassManager &fn = pm.nest<func::FuncOp>();
      if (keepBn)
        fn.addPass(createFoldBatchNormPass());
      if (uniformActs)
        fn.addPass(createUniformActivationsPass());
    };
    if (failed(runPasses(*module, passes)) ||
        failed(writeModuleFile(*module, stage.record.artifact)))
      return failure();
    int64_t kept = 0;
    module->walk([&](qnn::BatchNormOp) { ++kept; });
    if (kept && keepBn)
      report.notes.push_back(
          std::to_string(kept) +
          " batch_norm(s) could not be folded after training and run in "
          "float (`qopt 3-trained.mlir -qnn-fold-batch-norm` prints why)");
  }
  {
    Stage stage(report, "layer SQNR (1 calibration batch)");
    if (failed(analyzeLayers(*floatFolded, *module, options, *calib,
                             report.layers)))
      return failure();
    stage.record.artifact = out("sqnr.png");
    if (failed(writeSqnrPlot(stage.record.artifact, report.layers)) ||
        failed(writeRangesPlot(out("ranges.png"), report.layers)))
      return failure();
    report.sqnrPlot = "sqnr.png";
    report.rangesPlot = "ranges.png";
  }
  if (failed(evaluateStage("evaluate fake-quant (test mode)", "fake-quant")))
    return failure();
  {
    // The same frozen graph as ONNX QDQ, for ONNX Runtime or TensorRT. Only
    // uniform quantizers have a QDQ form; other methods are reported (on
    // stderr) and the flow goes on.
    Stage stage(report, "export QDQ ONNX");
    stage.record.artifact =
        out(options.mode == "qat" ? "3-trained.onnx" : "3-calibrated.onnx");
    if (failed(onnx_export::exportOnnxFile(mainFunctionOf(*module),
                                           stage.record.artifact)))
      stage.record.artifact = "(not exported, see the error above)";
  }
  // The simulation, as the fake-quant program emits it.
  OwningOpRef<ModuleOp> simulated;
  if (!options.emitDir.empty())
    simulated = module->clone();
  {
    Stage stage(report, "lower to integer");
    stage.record.artifact = out("4-integer.mlir");
    if (failed(runOnFunctions(*module, createLowerToIntegerPass())) ||
        failed(writeModuleFile(*module, stage.record.artifact)))
      return failure();
  }
  if (failed(evaluateStage("evaluate integer", "integer")))
    return failure();
  if (!options.emitDir.empty()) {
    Stage stage(report, "emit C++ programs (float, fake_quant, integer)");
    stage.record.artifact = options.emitDir;
    for (auto [kind, m] : {std::pair<const char *, ModuleOp>{
                               "float", *floatModule},
                           {"fake_quant", *simulated},
                           {"integer", *module}})
      if (failed(emitProgram(m, options.emitDir + "/" + kind,
                             std::string("model_") + kind,
                             options.emitTarget)))
        return failure();
  }
  return success();
}
