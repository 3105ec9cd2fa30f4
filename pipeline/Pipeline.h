//===- Pipeline.h - the stages of `qc quantize` -----------------*- C++ -*-===//

#ifndef QOPT_PIPELINE_PIPELINE_H
#define QOPT_PIPELINE_PIPELINE_H

#include "codegen/EmitCpp.h"
#include "tools/support/Evaluate.h"

#include "runtime/TrainLoop.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <string>
#include <vector>

namespace qopt {

struct QuantizeOptions {
  std::string model;      // .onnx or .mlir
  std::string policy;     // keyword string
  std::string policyFile; // QDrop / MQBench YAML
  std::string mode = "calibrate";
  /// Batch norm in --mode qat: "fold" folds it into the float convs before
  /// the policy; "keep" trains with it (batch statistics) and folds it after
  /// training through the trained weight quantizers; "auto" keeps it in
  /// --mode qat (docs/training.md).
  std::string bn = "auto";
  std::string observer = "min_max";
  /// The data (runtime/Dataset.h specs, docs/data.md): training (--data),
  /// calibration (--calib-data; empty: --data) and evaluation (--eval-data;
  /// empty: --data's test split, or --data itself when it has no splits),
  /// all preprocessed by `transform` (empty: the default model's
  /// normalization on IDX data, ToTensor otherwise).
  std::string data = "fashion-mnist", calibData, evalData, transform;
  /// Where `fashion-mnist` without a directory looks.
  std::string dataDir = kFashionMnistDir;
  std::string outDir = "out";
  /// QAT's checkpoint (empty: outDir/checkpoint.qckpt). Ranks > 0 of a
  /// data-parallel run write elsewhere but resume from rank 0's.
  std::string checkpointPath;
  /// When set, the float, fake-quant and integer programs are emitted as
  /// C++ program directories under it (qemit, docs/codegen.md).
  std::string emitDir;
  /// What the emitted programs run on (qemit --target).
  Target emitTarget = Target::Cpu;
  int64_t calibImages = 512;
  int64_t batchSize = 100;
  int64_t evalLimit = 0; // 0: the whole test set
  /// --detector: a detector body's post-processing
  /// ("fcos[,score=..][,topk=..][,nms=..][,dets=..]",
  /// qrt::parseFcosPostprocess); the evaluation stages then score COCO box
  /// mAP on a coco: evaluation set. Empty: classifiers only.
  std::string detector;
  /// --save-detections: each mAP stage's detections as a COCO results file.
  bool saveDetections = false;
  /// The default transform's normalization of IDX data.
  Normalization norm;
  /// Empirical bias correction after calibration (Nagel et al. 2019).
  bool biasCorrection = false;
  /// p of the MSE observer's |x - Q(x)|^p for weights (0: the observer's
  /// default, 2).
  float weightMseNorm = 0.f;

  // AdaRound (Reconstruct.cpp): runs after calibration when the policy
  // quantizes weights with `adaround`; BRECQ / QDrop's defaults but for
  // the iteration count (they use 20000 per block).
  struct Reconstruction {
    int64_t iterations = 2000;
    int64_t batchSize = 32;
    double lr = 1e-3;     // Adam on V
    /// Adam on the learnable activation parameters (LSQ steps), cosine
    /// annealed to 0 (QDrop's `scale_lr`); 0: they stay as calibrated.
    double actLr = 4e-5;
    double lambda = 0.01; // rounding regularizer weight
    double warmup = 0.2;  // fraction of iterations without the regularizer
    double betaStart = 20, betaEnd = 2;
    /// QDrop: probability of dropping an input element's quantization
    /// (0: plain AdaRound; QDrop uses 0.5).
    double dropProb = 0;
    /// layer (AdaRound) or block (BRECQ: residual blocks).
    std::string unit = "layer";
    uint64_t seed = 0;
  } reconstruction;

  // --mode qat (Train.cpp): quantization-aware training after calibration,
  // which initializes the quantizers' parameters.
  /// --mode qat: the loop (runtime/TrainLoop.h, shared with emitted
  /// training programs) and the optimizer that qnn-wrap-mode{mode=qat}
  /// builds into @train_step. The loop's checkpoint, evaluation batch,
  /// limit and normalization are set from the options above.
  struct Training {
    qrt::TrainLoopOptions loop;
    std::string optimizer = "sgd";
    /// --loss: "cross_entropy" or an FCOS target spec "fcos[,sizes=...]"
    /// (qrt::parseFcosSpec): qnn-wrap-mode's loss=fcos, targets assigned by
    /// qrt::fcosTargets from the training set's boxes.
    std::string loss = "cross_entropy";
    double momentum = 0.9, weightDecay = 5e-5;
    bool nesterov = false;
    /// model-quantization's custom_lr_list / custom_decay_list: globals whose
    /// name contains an entry (e.g. "clip", "scale") get lr * customLr and
    /// weight decay customDecay (qnn-wrap-mode{mode=qat} options).
    std::vector<std::string> customLrList, customDecayList;
    double customLr = 1.0, customDecay = 0.0;
    /// --init: checkpoints whose tensors replace the calibrated values of
    /// the globals they name, in order (a later one wins: model-quantization's
    /// double-pass initialization); optimizer state is not taken.
    std::vector<std::string> initCheckpoints;
  } training;
};

/// One row of the report: what ran, how long it took, and its accuracy when
/// it was an evaluation.
struct StageRecord {
  std::string name;
  double seconds = 0;
  bool evaluation = false;
  double top1 = -1, top5 = -1; // < 0: not measured (no labels)
  /// A detector's COCO box mAP (--detector; < 0: not measured).
  double ap = -1, ap50 = -1, ap75 = -1;
  /// Share of images whose top-1 class is the float model's (< 0: not
  /// measured).
  double agreement = -1;
  double imagesPerSecond = 0;
  std::string artifact; // file written, if any
};

/// One quantizer's calibrated parameters, for the report.
struct QuantizerRecord {
  std::string name, role, method;
  int64_t bits = 0;
  float minScale = 0, maxScale = 0;
  int64_t groups = 1;
};

/// One conv / linear layer: output SQNR of the fake-quant graph against the
/// float graph, and the float ranges of its input and weight.
struct LayerRecord {
  std::string name, kind;
  int64_t weightBits = 0, actBits = 0; // 0: not quantized
  double sqnrDb = 0;
  float inMin = 0, inMax = 0, wMin = 0, wMax = 0;
};

/// The bias shift removed from one layer by bias correction.
struct BiasCorrectionRecord {
  size_t layer = 0;
  double maxAbsShift = 0, meanAbsShift = 0;
};

/// One layer's AdaRound reconstruction.
struct ReconstructionRecord {
  std::string layer;
  int64_t iterations = 0;
  double recLoss = 0; // output loss over the last tenth of the iterations
  double regLoss = 0; // the rounding regularizer at the end (0: all hard)
  double seconds = 0;            // data, plans and iterations
  double iterationsPerSecond = 0; // the iterations alone
};

/// An activation quantizer parameter learned during reconstruction.
struct LearnedParamRecord {
  std::string name;               // the global, e.g. "<layer>.act_scale"
  double calibrated = 0, learned = 0; // mean over its elements
};

struct QuantizeReport {
  std::vector<StageRecord> stages;
  std::vector<QuantizerRecord> quantizers;
  std::vector<LayerRecord> layers;
  std::vector<BiasCorrectionRecord> biasCorrections;
  std::vector<ReconstructionRecord> reconstruction;
  std::vector<LearnedParamRecord> learnedActivations;
  std::string sqnrPlot;           // PNG file, if written
  std::string rangesPlot;         // PNG file, if written
  /// What the data were: descriptions of the sources, for report.md.
  std::string trainData, calibData, evalData;
  std::vector<std::string> notes; // e.g. observer fallbacks
};

/// Runs import, BN folding, float evaluation, policy, calibration, test-mode
/// evaluation and writes every stage's module and the report into outDir.
/// Errors are reported on the context's diagnostic handler or stderr;
/// returns failure after reporting.
mlir::LogicalResult runQuantize(mlir::MLIRContext &ctx,
                                const QuantizeOptions &options,
                                QuantizeReport &report);

// Helpers shared by the stages (Pipeline.cpp, Train.cpp).
/// Prints "error: message" (the driver names itself in its own errors)
/// and returns failure.
mlir::LogicalResult reportError(const llvm::Twine &message);
/// Runs the passes that `build` adds (with their typed options, e.g.
/// createWrapModePass(WrapModePassOptions{...})) on `module`.
mlir::LogicalResult
runPasses(mlir::ModuleOp module,
          llvm::function_ref<void(mlir::OpPassManager &)> build);
mlir::LogicalResult writeModuleFile(mlir::ModuleOp module,
                                    const std::string &path);
/// @main, or the module's only function.
mlir::func::FuncOp mainFunctionOf(mlir::ModuleOp module);

/// Writes report.md (and prints the accuracy table to stdout).
mlir::LogicalResult writeReport(const QuantizeOptions &options,
                                const QuantizeReport &report);

} // namespace qopt

#endif // QOPT_PIPELINE_PIPELINE_H
