//===- qc.cpp - the qopt driver -------------------------------------------===//
//
// `qc quantize model.onnx --policy ... -o out/` runs the whole flow a user
// wants: import, fold batch norm, quantization policy, calibration, and
// evaluation of the float and quantized models, writing each stage's module
// and a report.
//
//===----------------------------------------------------------------------===//

#include "codegen/EmitCpp.h"
#include "pipeline/Pipeline.h"
#include "tools/qc/Commands.h"
#include "tools/support/Threads.h"

#include "dialect/QnnDialect.h"
#include "frontend/onnx/Importer.h"
#include "passes/Passes.h"
#include "passes/Policy.h"
#include "runtime/Collective.h"
#include "runtime/Data.h"
#include "runtime/Dataset.h"
#include "runtime/DetectionTargets.h"
#include "runtime/Threading.h"
#include "runtime/TrainLoop.h"
#ifdef QOPT_HAVE_MPI
#include "runtime/mpi/MpiCollective.h"
#endif

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"

#include <cstdio>

using namespace mlir;
namespace cl = llvm::cl;

static cl::SubCommand quantizeCmd(
    "quantize", "Quantize a float model: import, fold, policy, calibrate, "
                "evaluate, report");
static cl::SubCommand dataCmd(
    "data", "Show what a data set gives the model after --transform, and "
            "write it as .npy (docs/data.md)");
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
static cl::opt<std::string> mode("mode",
                                 cl::desc("calibrate (PTQ) or qat (calibrate, "
                                          "then quantization-aware training)"),
                                 cl::init("calibrate"), cl::sub(quantizeCmd),
                                 cl::cat(qcCategory));
static cl::opt<std::string>
    observer("observer",
             cl::desc("Default observer: min_max, ema_min_max, percentile, "
                      "mse, avg_mse, entropy, lsq_init (LSQ's 2 mean|x| / "
                      "sqrt(Qp); PACT / DoReFa clips max|x|)"),
             cl::init("min_max"), cl::sub(quantizeCmd), cl::cat(qcCategory));
static cl::opt<std::string> data(
    "data",
    cl::desc("Training data, and calibration / evaluation data unless "
             "--calib-data / --eval-data say otherwise: fashion-mnist[:DIR], "
             "mnist:DIR, folder:DIR (ImageFolder), images:DIR (no labels), "
             "npy:X.npy[,labels=Y.npy][,layout=nhwc], cifar10:DIR, "
             "cifar100:DIR, idx:IMAGES[,labels=LABELS], "
             "coco:ANNOTATIONS.json[,images=DIR] (docs/data.md)"),
    cl::value_desc("SPEC"), cl::init("fashion-mnist"), cl::sub(quantizeCmd),
    cl::cat(qcCategory));
static cl::opt<std::string> calibData(
    "calib-data",
    cl::desc("Calibration (and reconstruction) data (default: --data)"),
    cl::value_desc("SPEC"), cl::sub(quantizeCmd), cl::cat(qcCategory));
static cl::opt<std::string> evalData(
    "eval-data",
    cl::desc("Evaluation data (default: --data's test split; --data itself "
             "when it has none)"),
    cl::value_desc("SPEC"), cl::sub(quantizeCmd), cl::cat(qcCategory));
static cl::opt<std::string> transform(
    "transform",
    cl::desc("Preprocessing of every image, torchvision's transform names: "
             "\"Resize(256),CenterCrop(224),ToTensor,Normalize([0.485,0.456,"
             "0.406],[0.229,0.224,0.225])\" (default: ToTensor,Normalize("
             "[0.2860],[0.3530]) on IDX data, ToTensor otherwise; "
             "docs/data.md)"),
    cl::value_desc("SPEC"), cl::sub(quantizeCmd), cl::sub(dataCmd),
    cl::cat(qcCategory));
static cl::opt<std::string> dataDir("data-dir",
                                    cl::desc("Directory of the Fashion-MNIST "
                                             "IDX files (fashion-mnist "
                                             "without :DIR)"),
                                    cl::init(qopt::kFashionMnistDir),
                                    cl::sub(quantizeCmd), cl::sub(dataCmd),
                                    cl::cat(qcCategory));

// qc data SPEC: the data set and its preprocessing, as the model sees them.
static cl::opt<std::string> dataSpec(cl::Positional, cl::desc("<data spec>"),
                                     cl::Required, cl::sub(dataCmd));
static cl::opt<std::string> dataSplit(
    "role",
    cl::desc("Which split a spec without split= means: train (default) or "
             "eval"),
    cl::init("train"), cl::sub(dataCmd));
static cl::opt<int> dataLimit("limit",
                              cl::desc("Samples to read (default 16; 0: all)"),
                              cl::init(16), cl::sub(dataCmd));
static cl::opt<std::string>
    dumpPath("dump",
             cl::desc("Write the preprocessed samples, f32 [N, C, H, W]"),
             cl::value_desc("FILE.npy"), cl::sub(dataCmd));
static cl::opt<std::string>
    labelsOut("labels-out", cl::desc("Write their labels, i64 [N]"),
              cl::value_desc("FILE.npy"), cl::sub(dataCmd));
static cl::opt<std::string> fcosTargetSpec(
    "fcos-targets",
    cl::desc("Compute the samples' FCOS training targets (coco: data): "
             "fcos[,sizes=B1/B2/..][,radius=R] (docs/data.md)"),
    cl::value_desc("SPEC"), cl::sub(dataCmd));
static cl::opt<std::string> fcosLevels(
    "levels",
    cl::desc("The detector's feature-map sizes for --fcos-targets, "
             "HEIGHTxWIDTH per level (stride = image size / level size)"),
    cl::value_desc("12x12,6x6,3x3"), cl::sub(dataCmd));
static cl::opt<std::string> dumpTargets(
    "dump-targets",
    cl::desc("Write the --fcos-targets tensors as DIR/<name>.npy (cls_p0, "
             "box_p0, ctr_p0, pos_p0, .., npos, ctr_sum)"),
    cl::value_desc("DIR"), cl::sub(dataCmd));
static cl::opt<bool> augment(
    "augment",
    cl::desc("Draw the random transforms as a training batch does (seed "
             "--seed, step 0)"),
    cl::init(false), cl::sub(dataCmd));
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
static cl::opt<std::string> detectorSpec(
    "detector",
    cl::desc("A detector body's post-processing: fcos[,score=S][,topk=K]"
             "[,nms=T][,dets=D] (FCOS's: 0.05, 100 per level, 0.6, 100). The "
             "evaluation stages then score COCO box mAP (AP, AP50, AP75) on "
             "a coco: evaluation set (docs/detection.md)"),
    cl::init(""), cl::sub(quantizeCmd), cl::cat(qcCategory));
static cl::opt<bool> saveDetections(
    "save-detections",
    cl::desc("With --detector: write each evaluated model's detections as a "
             "COCO results file, OUT/detections-<stage>.json"),
    cl::init(false), cl::sub(quantizeCmd), cl::cat(qcCategory));
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
static cl::opt<std::string> emitDir(
    "emit",
    cl::desc("Also write the float, fake-quant and integer models as C++ "
             "programs (qemit) into DIR/float, DIR/fake_quant, DIR/integer"),
    cl::value_desc("DIR"), cl::sub(quantizeCmd), cl::cat(qcCategory));
static cl::opt<std::string> emitTarget(
    "emit-target",
    cl::desc("What the --emit programs run on: cpu (default) or cuda "
             "(qemit --target cuda)"),
    cl::init("cpu"), cl::sub(quantizeCmd), cl::cat(qcCategory));

// AdaRound reconstruction (docs/reconstruction.md): runs when the policy
// quantizes weights with `adaround` (e.g. "wt_method=adaround").
static cl::OptionCategory reconCategory(
    "qc quantize reconstruction options (adaround weights)");
static cl::opt<int> reconIters("recon-iters",
                               cl::desc("AdaRound iterations per layer"),
                               cl::init(2000), cl::sub(quantizeCmd),
                               cl::cat(reconCategory));
static cl::opt<int> reconBatch("recon-batch-size",
                               cl::desc("AdaRound mini-batch size"),
                               cl::init(32), cl::sub(quantizeCmd),
                               cl::cat(reconCategory));
static cl::opt<double> reconLr("recon-lr",
                               cl::desc("Adam learning rate of V"),
                               cl::init(1e-3), cl::sub(quantizeCmd),
                               cl::cat(reconCategory));
static cl::opt<double> reconLambda(
    "recon-lambda", cl::desc("Weight of the rounding regularizer"),
    cl::init(0.01), cl::sub(quantizeCmd), cl::cat(reconCategory));
static cl::opt<double> reconWarmup(
    "recon-warmup",
    cl::desc("Fraction of iterations before the regularizer starts"),
    cl::init(0.2), cl::sub(quantizeCmd), cl::cat(reconCategory));
static cl::opt<double> reconActLr(
    "recon-act-lr",
    cl::desc("Adam learning rate of the learnable activation quantizer "
             "parameters (fm_method=lsq steps), cosine-annealed to 0 "
             "(QDrop's scale_lr); 0 keeps them as calibrated"),
    cl::init(4e-5), cl::sub(quantizeCmd), cl::cat(reconCategory));
static cl::opt<double> reconDropProb(
    "recon-drop-prob",
    cl::desc("QDrop: probability that an element skips its activation "
             "quantizer during reconstruction, at every activation quantizer "
             "of the unit (0: AdaRound / BRECQ; QDrop uses 0.5)"),
    cl::init(0.0), cl::sub(quantizeCmd), cl::cat(reconCategory));
static cl::opt<std::string> reconUnit(
    "recon-unit",
    cl::desc("What one reconstruction step learns: layer (AdaRound, one "
             "layer at a time) or block (BRECQ: the layers of a residual "
             "block together, on the block's output)"),
    cl::init("layer"), cl::sub(quantizeCmd), cl::cat(reconCategory));

// --mode qat (docs/training.md).
static cl::OptionCategory qatCategory("qc quantize --mode qat options");
static cl::opt<std::string> bnMode(
    "bn",
    cl::desc("Batch norm in QAT: keep (train with it, fold it after "
             "training through the trained weight quantizers), fold (into "
             "the float convs, before the policy), auto (keep with --mode "
             "qat unless a weight quantizer cannot be folded through, e.g. "
             "lqnet; fold with --mode calibrate)"),
    cl::init("auto"), cl::sub(quantizeCmd), cl::cat(qatCategory));
static cl::opt<int>
    epochs("epochs",
           cl::desc("QAT epochs (0: no training step: the calibrated or "
                    "--init values are the trained ones)"),
           cl::init(3), cl::sub(quantizeCmd), cl::cat(qatCategory));
static cl::opt<int> trainBatch("train-batch-size",
                               cl::desc("QAT mini-batch size"), cl::init(128),
                               cl::sub(quantizeCmd), cl::cat(qatCategory));
static cl::opt<int> trainImages(
    "train-images",
    cl::desc("Train on the first N training images (0: all 60,000)"),
    cl::init(0), cl::sub(quantizeCmd), cl::cat(qatCategory));
static cl::opt<std::string> lossSpec(
    "loss",
    cl::desc("The training loss: cross_entropy (a classifier, default) or "
             "fcos[,sizes=A/B/...][,radius=R] (a dense detector body "
             "returning (class, box, centerness) maps per level, trained on "
             "a coco: data set with FCOS's targets: docs/detection.md)"),
    cl::init("cross_entropy"), cl::sub(quantizeCmd), cl::cat(qatCategory));
static cl::opt<std::string> optimizer("optimizer", cl::desc("sgd or adam"),
                                      cl::init("sgd"), cl::sub(quantizeCmd),
                                      cl::cat(qatCategory));
static cl::opt<double> lr("lr", cl::desc("Base learning rate"), cl::init(0.01),
                          cl::sub(quantizeCmd), cl::cat(qatCategory));
static cl::opt<double> momentum("momentum", cl::desc("SGD momentum"),
                                cl::init(0.9), cl::sub(quantizeCmd),
                                cl::cat(qatCategory));
static cl::opt<bool> nesterov("nesterov", cl::desc("Nesterov momentum"),
                              cl::init(false), cl::sub(quantizeCmd),
                              cl::cat(qatCategory));
static cl::opt<double> weightDecay(
    "weight-decay",
    cl::desc("L2 weight decay (none on BN and quantizer parameters)"),
    cl::init(5e-5), cl::sub(quantizeCmd), cl::cat(qatCategory));
static cl::opt<std::string>
    lrSchedule("lr-schedule",
               cl::desc("cosine, multistep, poly, sgdr (cosine with warm "
                        "restarts) or constant; applied per iteration"),
               cl::init("cosine"), cl::sub(quantizeCmd), cl::cat(qatCategory));
static cl::list<int64_t> milestones("milestones",
                                    cl::desc("multistep: epochs, e.g. 2,4"),
                                    cl::CommaSeparated, cl::sub(quantizeCmd),
                                    cl::cat(qatCategory));
static cl::opt<double> lrGamma("gamma",
                             cl::desc("multistep: factor at each milestone"),
                             cl::init(0.1), cl::sub(quantizeCmd),
                             cl::cat(qatCategory));
static cl::opt<double> warmupEpochs("warmup-epochs",
                                    cl::desc("Linear learning-rate warm-up"),
                                    cl::init(0), cl::sub(quantizeCmd),
                                    cl::cat(qatCategory));
static cl::list<std::string> customLrList(
    "custom-lr-list",
    cl::desc("Globals whose name contains one of these (e.g. clip,scale: the "
             "quantizer parameters) train with lr * --custom-lr"),
    cl::CommaSeparated, cl::sub(quantizeCmd), cl::cat(qatCategory));
static cl::opt<double> customLr("custom-lr",
                                cl::desc("Learning-rate factor of "
                                         "--custom-lr-list"),
                                cl::init(1.0), cl::sub(quantizeCmd),
                                cl::cat(qatCategory));
static cl::list<std::string> customDecayList(
    "custom-decay-list",
    cl::desc("Globals whose name contains one of these get weight decay "
             "--custom-decay (e.g. PACT's clip)"),
    cl::CommaSeparated, cl::sub(quantizeCmd), cl::cat(qatCategory));
static cl::opt<double> customDecay("custom-decay",
                                   cl::desc("Weight decay of "
                                            "--custom-decay-list"),
                                   cl::init(0.0), cl::sub(quantizeCmd),
                                   cl::cat(qatCategory));
static cl::opt<uint64_t> seed("seed",
                              cl::desc("Random seed (QAT shuffle and random "
                                       "transforms, reconstruction "
                                       "mini-batches)"),
                              cl::init(0), cl::sub(quantizeCmd),
                              cl::sub(dataCmd), cl::cat(qatCategory));
static cl::opt<bool> resume(
    "resume",
    cl::desc("Continue from <out>/checkpoint.qckpt where it stopped"),
    cl::init(false), cl::sub(quantizeCmd), cl::cat(qatCategory));
static cl::list<std::string> initCheckpoints(
    "init",
    cl::desc("Start QAT from this checkpoint's weights, batch-norm and "
             "quantizer parameters instead of the calibrated ones (those it "
             "names; optimizer state is not taken). Repeatable: a later one "
             "wins (double-pass initialization). Rename another model's "
             "tensors first with `qc checkpoint --mf --mt`"),
    cl::value_desc("CKPT.qckpt"), cl::sub(quantizeCmd), cl::cat(qatCategory));
static cl::opt<int> stopAfter(
    "stop-after",
    cl::desc("Stop after this epoch's checkpoint (as if killed; for resume "
             "tests)"),
    cl::init(0), cl::sub(quantizeCmd), cl::cat(qatCategory), cl::Hidden);

static cl::opt<bool> deterministic(
    "deterministic",
    cl::desc("Order-fixed reductions: training and reconstruction give the "
             "same bytes at any --threads, about 10% slower (also "
             "QRT_DETERMINISTIC=1; docs/reliability.md)"),
    cl::init(false), cl::sub(quantizeCmd), cl::cat(qcCategory));

static cl::opt<bool> progress(
    "progress",
    cl::desc("Draw the training progress bar (loss, running training top-1, "
             "lr) on stderr even when it is not a terminal"),
    cl::init(false), cl::sub(quantizeCmd), cl::cat(qatCategory));

/// qc data: opens the spec as qc quantize would, prints what it holds and
/// the shape of a sample after the transforms, and writes the first
/// --limit samples.
/// The reconstruction options: QDrop's YAML `recon` section (with
/// --policy-file) where the command line does not say otherwise, then
/// checked. Returns an error message, or "".
static std::string
reconstructionOptions(qopt::QuantizeOptions::Reconstruction &r) {
  r.iterations = reconIters;
  r.batchSize = reconBatch;
  r.lr = reconLr;
  r.actLr = reconActLr;
  r.lambda = reconLambda;
  r.warmup = reconWarmup;
  r.dropProb = reconDropProb;
  r.unit = reconUnit;
  r.seed = seed;
  if (!policyFile.empty()) {
    qopt::policy::Policy p;
    if (llvm::Error e = qopt::policy::parseYamlFile(p, policyFile))
      return llvm::toString(std::move(e));
    if (p.recon) {
      const qopt::policy::ReconConfig &y = *p.recon;
      auto take = [](auto &field, const auto &yaml, const cl::Option &flag) {
        if (yaml && flag.getNumOccurrences() == 0)
          field = *yaml;
      };
      take(r.iterations, y.iters, reconIters);
      take(r.batchSize, y.batchSize, reconBatch);
      take(r.actLr, y.scaleLr, reconActLr);
      take(r.lambda, y.weight, reconLambda);
      take(r.warmup, y.warmUp, reconWarmup);
      take(r.dropProb, y.dropProb, reconDropProb);
      if (y.bRange.size() == 2) {
        r.betaStart = y.bRange[0];
        r.betaEnd = y.bRange[1];
      }
      // QDrop reconstructs blocks.
      if (reconUnit.getNumOccurrences() == 0)
        r.unit = "block";
      if (!y.roundMode.empty() && y.roundMode != "learned_hard_sigmoid")
        return policyFile + ": recon: round_mode '" + y.roundMode +
               "' is not supported (qopt's AdaRound is "
               "learned_hard_sigmoid)";
    }
  }
  if (r.iterations < 1 || r.batchSize < 1 || !(r.lr > 0) ||
      !(r.actLr >= 0) || !(r.lambda >= 0) ||
      !(r.warmup >= 0 && r.warmup < 1) ||
      !(r.dropProb >= 0 && r.dropProb <= 1) ||
      (r.unit != "layer" && r.unit != "block") || !(r.betaStart > 0) ||
      !(r.betaEnd > 0))
    return "bad reconstruction option: --recon-iters and --recon-batch-size "
           "must be >= 1, --recon-lr > 0, --recon-act-lr >= 0, "
           "--recon-lambda >= 0, --recon-warmup in [0, 1), "
           "--recon-drop-prob in [0, 1], --recon-unit layer or block, "
           "b_range positive";
  return "";
}

/// qc data --fcos-targets: the targets of samples [0, n) of `data`, whose
/// preprocessed images are imageHeight x imageWidth; printed, and written
/// under --dump-targets. Returns an error message, or "".
static std::string runFcosTargets(const qrt::DataSource &data, int64_t n,
                                  int64_t imageHeight, int64_t imageWidth) {
  qrt::Expected<qrt::FcosTargetSpec> spec = qrt::parseFcosSpec(fcosTargetSpec);
  if (!spec)
    return "--fcos-targets: " + spec.status().message();
  qrt::Expected<std::vector<qrt::FcosLevel>> levels =
      qrt::parseFcosLevels(fcosLevels, imageHeight, imageWidth);
  if (!levels)
    return "--levels: " + levels.status().message();
  std::vector<int64_t> indices(n);
  for (int64_t i = 0; i < n; ++i)
    indices[i] = i;
  qrt::Expected<std::vector<qrt::Tensor>> targets = qrt::gatherFcosTargets(
      data, indices, imageHeight, imageWidth, *levels, *spec);
  if (!targets)
    return targets.status().message();
  std::vector<std::string> names = qrt::fcosTargetNames(levels->size());
  llvm::outs() << "fcos targets:";
  for (size_t l = 0; l < levels->size(); ++l) {
    const qrt::Tensor &pos = (*targets)[4 * l + 3];
    const float *p = pos.data<float>();
    int64_t count = std::count(p, p + pos.numel(), 1.f);
    llvm::outs() << (l ? "," : "") << " p" << l << " " << (*levels)[l].height
                 << "x" << (*levels)[l].width << " stride "
                 << (*levels)[l].stride << ": " << count << " positives";
  }
  llvm::outs() << "; npos " << int64_t(targets->end()[-2].data<float>()[0])
               << ", ctr_sum "
               << llvm::format("%.6g", targets->back().data<float>()[0])
               << "\n";
  if (dumpTargets.empty())
    return "";
  if (std::error_code ec = llvm::sys::fs::create_directories(dumpTargets))
    return "--dump-targets: cannot create " + dumpTargets + ": " + ec.message();
  for (size_t i = 0; i < names.size(); ++i)
    if (qrt::Status s =
            qrt::writeNpy(dumpTargets + "/" + names[i] + ".npy", (*targets)[i]);
        !s)
      return s.message();
  llvm::outs() << "wrote " << names.size() << " targets to " << dumpTargets
               << "\n";
  return "";
}

static int runDataCommand() {
  auto fail = [](const std::string &message) {
    llvm::WithColor::error(llvm::errs(), "qc") << message << "\n";
    return 1;
  };
  if (fcosTargetSpec.empty() && (!fcosLevels.empty() || !dumpTargets.empty()))
    return fail("--levels and --dump-targets go with --fcos-targets");
  if (!fcosTargetSpec.empty() && fcosLevels.empty())
    return fail("--fcos-targets needs --levels (the detector's feature-map "
                "sizes, e.g. 12x12,6x6,3x3)");
  if (dataSplit != "train" && dataSplit != "eval")
    return fail("--role must be train or eval, not '" + dataSplit + "'");
  if (dataLimit < 0)
    return fail("--limit must be >= 0 (0: all samples)");
  qopt::Normalization norm;
  qrt::Expected<qrt::DataSource> data = qrt::openDataSource(
      dataSpec,
      dataSplit == "train" ? qrt::DataRole::Train : qrt::DataRole::Eval,
      transform, dataDir, norm.mean, norm.std, "data");
  if (!data)
    return fail(data.status().message());
  int64_t n = dataLimit == 0 ? data->size()
                             : std::min<int64_t>(dataLimit, data->size());
  qrt::Tensor images, labels;
  if (augment) {
    std::vector<int64_t> indices(n);
    for (int64_t i = 0; i < n; ++i)
      indices[i] = i;
    qrt::Tensor labels32;
    if (qrt::Status s = data->gather(indices, qrt::batchSeed(seed, 0), images,
                                     labels32);
        !s)
      return fail(s.message());
    labels = qrt::Tensor::empty({n}, qrt::DType::I64);
    for (int64_t i = 0; i < n; ++i)
      labels.data<int64_t>()[i] = labels32.data<int32_t>()[i];
  } else if (qrt::Status s = data->batch(0, n, images, labels); !s) {
    return fail(s.message());
  }
  const qrt::Dataset &d = data->dataset();
  llvm::outs() << "data: " << d.describe() << "\n"
               << "preprocessing: " << data->preprocess().str() << "\n"
               << "samples: " << d.size() << ", labels: "
               << (d.hasLabels() ? std::to_string(d.numClasses()) + " classes"
                                 : std::string("none"))
               << "\n";
  if (n > 0) {
    const float *p = images.data<float>();
    auto [lo, hi] = std::minmax_element(p, p + images.numel());
    double sum = 0;
    for (int64_t i = 0; i < images.numel(); ++i)
      sum += p[i];
    llvm::outs() << "sample shape: " << images.dim(1) << "x" << images.dim(2)
                 << "x" << images.dim(3) << " (channels x height x width)\n"
                 << "first " << n << " samples: min "
                 << llvm::format("%.4g", *lo) << ", max "
                 << llvm::format("%.4g", *hi) << ", mean "
                 << llvm::format("%.4g", sum / images.numel()) << "\n";
  }
  if (!dumpPath.empty()) {
    if (qrt::Status s = qrt::writeNpy(dumpPath, images); !s)
      return fail(s.message());
    llvm::outs() << "wrote " << dumpPath << "\n";
  }
  if (!labelsOut.empty()) {
    if (qrt::Status s = qrt::writeNpy(labelsOut, labels); !s)
      return fail(s.message());
    llvm::outs() << "wrote " << labelsOut << "\n";
  }
  if (!fcosTargetSpec.empty()) {
    if (n == 0)
      return fail("--fcos-targets: no samples");
    std::string error = runFcosTargets(*data, n, images.dim(2), images.dim(3));
    if (!error.empty())
      return fail(error);
  }
  return 0;
}

int main(int argc, char **argv) {
  qopt::preferPassiveWaitPolicy(argv);
#ifdef QOPT_HAVE_MPI
  // Under mpirun: one rank of a data-parallel run (docs/training.md).
  qrt::mpi::Session mpi(&argc, &argv);
#endif
  llvm::InitLLVM init(argc, argv);
  qopt::renameLlvmThreadsOption();
  static cl::opt<int> threads(
      "threads", cl::desc("Threads for kernels (default: all cores)"),
      cl::init(0), cl::sub(quantizeCmd), cl::cat(qcCategory));
  cl::ParseCommandLineOptions(argc, argv, "qc: the qopt quantization driver\n");
  if (dataCmd)
    return runDataCommand();
  if (qopt::checkpointCommandSelected())
    return qopt::runCheckpointCommand();
  if (!quantizeCmd) {
    llvm::errs() << "qc: error: give a command: qc quantize --help, qc data "
                    "--help, qc checkpoint --help\n";
    return 1;
  }
  if (threads < 0 || calibImages < 1 || batchSize < 1) {
    llvm::WithColor::error(llvm::errs(), "qc")
        << "--threads must be >= 0, --calib-images and --batch-size >= 1\n";
    return 1;
  }
  if (threads > 0)
    qrt::setNumThreads(threads);
  if (deterministic)
    qrt::setOrderFixedReductions(true);

  DialectRegistry registry;
  qopt::onnx_import::registerImportDialects(registry);
  registry.insert<qopt::qnn::QnnDialect, func::FuncDialect, arith::ArithDialect,
                  tensor::TensorDialect, quant::QuantDialect,
                  ml_program::MLProgramDialect>();
  qopt::registerQnnPasses();
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();

  qopt::QuantizeOptions options;
  options.model = model;
  options.policy = policy;
  options.policyFile = policyFile;
  options.mode = mode;
  if (bnMode != "auto" && bnMode != "keep" && bnMode != "fold") {
    llvm::WithColor::error(llvm::errs(), "qc")
        << "unknown --bn '" << bnMode << "' (supported: auto, keep, fold)\n";
    return 1;
  }
  if (bnMode == "keep" && mode != "qat") {
    llvm::WithColor::error(llvm::errs(), "qc")
        << "--bn keep trains with batch norm: it needs --mode qat\n";
    return 1;
  }
  options.bn = bnMode;
  options.observer = observer;
  options.dataDir = dataDir;
  options.data = data;
  options.calibData = calibData;
  options.evalData = evalData;
  options.transform = transform;
  options.outDir = outDir;
  options.emitDir = emitDir;
  if (std::optional<qopt::Target> t = qopt::parseTarget(emitTarget)) {
    options.emitTarget = *t;
  } else {
    llvm::WithColor::error(llvm::errs(), "qc")
        << "--emit-target '" << emitTarget << "' is not a target (cpu, cuda)\n";
    return 1;
  }
  options.calibImages = calibImages;
  options.batchSize = batchSize;
  options.evalLimit = evalLimit;
  options.detector = detectorSpec;
  options.saveDetections = saveDetections;
  if (saveDetections && detectorSpec.empty()) {
    llvm::WithColor::error(llvm::errs(), "qc")
        << "--save-detections writes the detections --detector makes: give "
           "--detector fcos\n";
    return 1;
  }
  options.biasCorrection = biasCorrection;
  options.weightMseNorm = weightMseNorm;
  if (!qrt::knownSchedule(lrSchedule) ||
      (optimizer != "sgd" && optimizer != "adam") || epochs < 0 ||
      trainBatch < 1 || trainImages < 0 || !(lr > 0)) {
    llvm::WithColor::error(llvm::errs(), "qc")
        << "bad training option: --lr-schedule must be cosine, multistep, "
           "poly, sgdr or constant; --optimizer sgd or adam; --epochs >= 0, "
           "--train-batch-size >= 1; --lr > 0\n";
    return 1;
  }
  if (!initCheckpoints.empty() && mode != "qat") {
    llvm::WithColor::error(llvm::errs(), "qc")
        << "--init starts quantization-aware training from a checkpoint: it "
           "needs --mode qat\n";
    return 1;
  }
  options.training.initCheckpoints.assign(initCheckpoints.begin(),
                                          initCheckpoints.end());
  if (std::string error = reconstructionOptions(options.reconstruction);
      !error.empty()) {
    llvm::WithColor::error(llvm::errs(), "qc") << error << "\n";
    return 1;
  }
  options.training.loop.epochs = epochs;
  options.training.loop.batchSize = trainBatch;
  options.training.loop.trainImages = trainImages;
  options.training.optimizer = optimizer;
  options.training.loss = lossSpec;
  options.training.loop.lr = lr;
  options.training.momentum = momentum;
  options.training.nesterov = nesterov;
  options.training.weightDecay = weightDecay;
  options.training.loop.schedule = lrSchedule;
  options.training.loop.milestones.assign(milestones.begin(), milestones.end());
  options.training.loop.gamma = lrGamma;
  options.training.loop.warmupEpochs = warmupEpochs;
  options.training.loop.seed = seed;
  options.training.customLrList.assign(customLrList.begin(), customLrList.end());
  options.training.customLr = customLr;
  options.training.customDecayList.assign(customDecayList.begin(),
                                          customDecayList.end());
  options.training.customDecay = customDecay;
  options.training.loop.resume = resume;
  options.training.loop.stopAfter = stopAfter;
  options.training.loop.progress = progress;
  if (int rank = qrt::worldRank(); rank > 0) {
    // Rank 0 writes the run's files and prints; the others keep theirs
    // (the stages before training, their stdout) under OUT/rank<r>.
    options.checkpointPath = options.outDir + "/checkpoint.qckpt";
    options.outDir += "/rank" + std::to_string(rank);
    if (std::error_code ec = llvm::sys::fs::create_directories(options.outDir);
        ec || !std::freopen((options.outDir + "/stdout.log").c_str(), "w",
                            stdout)) {
      llvm::WithColor::error(llvm::errs(), "qc")
          << "rank " << rank << ": cannot write " << options.outDir << "\n";
      return 1;
    }
    qopt::QuantizeReport report;
    if (failed(qopt::runQuantize(ctx, options, report)))
      qrt::collective()->abort(1); // rank 0 may wait for this one
    return 0;
  }
  qopt::QuantizeReport report;
  if (failed(qopt::runQuantize(ctx, options, report)) ||
      failed(qopt::writeReport(options, report))) {
    // In a data-parallel run the other ranks may wait for this one.
    if (qrt::worldSize() > 1)
      qrt::collective()->abort(1);
    return 1;
  }
  return 0;
}
