//===- Train.cpp - quantization-aware training in `qc quantize --mode qat` ===//
//
// The driver of @train_step (qnn-wrap-mode{mode=qat}, docs/training.md):
// shuffled mini-batches, the learning-rate schedule, checkpoints, resume,
// per-epoch test-mode evaluation, and the stop on a non-finite loss. The
// step itself (forward, loss, backward, optimizer) is the compiled graph;
// nothing here does math on tensors.
//
// Determinism: the batch order of epoch e is a shuffle seeded by
// (seed, e), the schedule is a function of the global step, and qrt's
// reductions are deterministic for a fixed thread count. A run resumed from
// its epoch-k checkpoint therefore ends with the same weights as one that
// was never interrupted (test/e2e/qat-resume.test).
//
//===----------------------------------------------------------------------===//

#include "tools/qc/Train.h"

#include "codegen/ExecutionPlan.h"
#include "codegen/GlobalState.h"
#include "runtime/Checkpoint.h"
#include "runtime/Optimizer.h"
#include "runtime/Progress.h"
#include "runtime/TrainOps.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

using namespace mlir;
using namespace qopt;

namespace {

using Training = QuantizeOptions::Training;

/// The learning rate of global step `step` of `total` (steps per epoch
/// `perEpoch`), schedule then warm-up.
double learningRate(const Training &t, int64_t step, int64_t total,
                    int64_t perEpoch) {
  double lr = t.lr;
  if (t.schedule == "cosine") {
    lr = qrt::cosineLr(step, total, t.lr);
  } else if (t.schedule == "poly") {
    lr = qrt::polyLr(step, total, t.lr, /*power=*/0.9);
  } else if (t.schedule == "sgdr") {
    lr = qrt::cosineRestartsLr(step, std::max<int64_t>(1, perEpoch), 2, t.lr);
  } else if (t.schedule == "multistep") {
    std::vector<int64_t> milestones;
    for (int64_t e : t.milestones)
      milestones.push_back(e * perEpoch);
    lr = qrt::multiStepLr(step, t.lr, milestones, t.gamma);
  }
  int64_t warm = static_cast<int64_t>(t.warmupEpochs * perEpoch);
  if (warm > 0 && step < warm)
    lr *= qrt::linearWarmupFactor(step, warm, 1.0 / warm);
  return lr;
}

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

qrt::Checkpoint snapshot(const GlobalState &state, int64_t epoch,
                         int64_t step, uint64_t seed) {
  qrt::Checkpoint c;
  c.meta["epoch"] = {static_cast<uint64_t>(epoch)};
  c.meta["step"] = {static_cast<uint64_t>(step)};
  c.meta["seed"] = {seed};
  for (const std::string &name : state.names())
    c.tensors.emplace_back(name, state.get(name));
  return c;
}

/// Puts a checkpoint's tensors into `state`; every global must be there
/// with its shape.
LogicalResult restore(GlobalState &state, const qrt::Checkpoint &c,
                      const std::string &path) {
  for (const std::string &name : state.names()) {
    const qrt::Tensor *t = c.find(name);
    if (!t)
      return qcFail(path + ": no tensor '" + name +
                    "' (a checkpoint of another model or policy?)");
    if (t->shape() != state.get(name).shape() ||
        t->dtype() != state.get(name).dtype())
      return qcFail(path + ": tensor '" + name + "' has shape " +
                    qrt::shapeToString(t->shape()) + ", the model needs " +
                    qrt::shapeToString(state.get(name).shape()));
    state.set(name, *t);
  }
  return success();
}

/// Rows of N x C `logits` whose argmax (the first maximum) is the label.
qrt::Expected<int64_t> countCorrect(const qrt::Tensor &logits,
                                    const qrt::Tensor &labels) {
  if (logits.dtype() != qrt::DType::F32 || logits.rank() != 2 ||
      labels.rank() != 1 || labels.dim(0) != logits.dim(0) ||
      labels.dtype() != qrt::DType::I32)
    return qrt::invalidArgument(
        "@train_step must return the loss and N x C f32 logits, got logits "
        "of shape " +
        qrt::shapeToString(logits.shape()));
  int64_t n = logits.dim(0), c = logits.dim(1), correct = 0;
  const float *z = logits.data<float>();
  const int32_t *y = labels.data<int32_t>();
  for (int64_t i = 0; i < n; ++i) {
    const float *row = z + i * c;
    correct += std::max_element(row, row + c) - row == y[i];
  }
  return correct;
}

} // namespace

FailureOr<TrainOutcome> qopt::trainQat(ModuleOp module,
                                       const QuantizeOptions &options,
                                       const qrt::ImageDataset &train,
                                       const qrt::ImageDataset &test,
                                       QuantizeReport &report) {
  const Training &t = options.training;
  auto out = [&](StringRef name) { return options.outDir + "/" + name.str(); };
  if (failed(runPassPipeline(module, "qnn-wrap-mode{" + passOptions(t) + "}")) ||
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

  int64_t n = t.trainImages > 0 ? std::min<int64_t>(t.trainImages, train.size())
                                : train.size();
  int64_t perEpoch = (n + t.batchSize - 1) / t.batchSize;
  int64_t total = perEpoch * t.epochs;
  std::string ckptPath = out("checkpoint.qckpt");
  int64_t firstEpoch = 0, step = 0;
  if (t.resume && llvm::sys::fs::exists(ckptPath)) {
    qrt::Expected<qrt::Checkpoint> c = qrt::loadCheckpoint(ckptPath);
    if (!c)
      return qcFail(c.status().message());
    if (c->value("seed") != t.seed)
      return qcFail(ckptPath + " was written with --seed " +
                    std::to_string(c->value("seed")) + ", not " +
                    std::to_string(t.seed));
    if (failed(restore(state, *c, ckptPath)))
      return failure();
    firstEpoch = static_cast<int64_t>(c->value("epoch"));
    step = static_cast<int64_t>(c->value("step"));
    llvm::outs() << "resuming from " << ckptPath << " after epoch "
                 << firstEpoch << " (step " << step << ")\n";
  }

  std::vector<int64_t> order(n);
  qrt::Tensor lr = qrt::Tensor::zeros({}, qrt::DType::F32);
  for (int64_t epoch = firstEpoch; epoch < t.epochs; ++epoch) {
    auto start = std::chrono::steady_clock::now();
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(t.seed * 1000003ull + static_cast<uint64_t>(epoch));
    std::shuffle(order.begin(), order.end(), rng);
    qrt::Progress bar("epoch " + std::to_string(epoch + 1) + "/" +
                          std::to_string(t.epochs),
                      n, t.progress);
    double lossSum = 0;
    int64_t seen = 0, correct = 0;
    for (int64_t b = 0; b < n; b += t.batchSize) {
      std::vector<int64_t> idx(order.begin() + b,
                               order.begin() + std::min(n, b + t.batchSize));
      // Fresh tensors: the last batch of an epoch may be smaller.
      qrt::Tensor images, labels;
      if (qrt::Status s = train.gather(idx, options.norm.mean, options.norm.std,
                                       images, labels);
          !s)
        return qcFail(s.message());
      float rate = static_cast<float>(learningRate(t, step, total, perEpoch));
      lr.data<float>()[0] = rate;
      // Stores rebind globals, so keeping the old tensors is a snapshot.
      std::vector<qrt::Tensor> before;
      for (const std::string &name : state.names())
        before.push_back(state.get(name));
      qrt::Expected<std::vector<qrt::Tensor>> r =
          stepPlan->run({images, labels, lr});
      if (!r)
        return qcFail("train step " + std::to_string(step) + ": " +
                      r.status().message());
      if (r->size() != 2)
        return qcFail("@train_step must return the loss and the logits, got " +
                      std::to_string(r->size()) + " result(s)");
      float loss = (*r)[0].data<float>()[0];
      // The loss, and the state the step stored (a finite loss can still
      // come with an overflowing update): ~80k values, cheap per step.
      std::string poisoned;
      if (!std::isfinite(loss))
        poisoned = "loss";
      for (const std::string &name : state.names())
        if (poisoned.empty() && qrt::firstNonFinite(state.get(name)) >= 0)
          poisoned = "@" + name;
      if (!poisoned.empty()) {
        // Undo the step, then re-run it checking every op's result to name
        // the one that went non-finite. No checkpoint is written.
        for (size_t i = 0; i < before.size(); ++i)
          state.set(state.names()[i], before[i]);
        qrt::Expected<std::vector<qrt::Tensor>> again =
            stepPlan->run({images, labels, lr}, /*checkFinite=*/true);
        for (size_t i = 0; i < before.size(); ++i)
          state.set(state.names()[i], before[i]);
        return qcFail("non-finite " + poisoned + " at epoch " +
                      std::to_string(epoch + 1) +
                      ", step " + std::to_string(step) + " (lr " +
                      std::to_string(rate) + "): " +
                      (again ? std::string("no op produced it (an input?)")
                             : again.status().message()) +
                      "; the last checkpoint is left as it was");
      }
      // Running training top-1 of the epoch, from the step's own logits
      // (weights before this step's update, as PyTorch's usual loop).
      qrt::Expected<int64_t> hits = countCorrect((*r)[1], labels);
      if (!hits)
        return qcFail(hits.status().message());
      correct += *hits;
      lossSum += loss * idx.size();
      seen += idx.size();
      ++step;
      char note[96];
      std::snprintf(note, sizeof note, "loss %.4f top-1 %.2f%% lr %.5f",
                    lossSum / seen, 100.0 * correct / seen, rate);
      bar.update(seen, note);
    }
    bar.finish();
    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    if (qrt::Status s =
            qrt::saveCheckpoint(ckptPath, snapshot(state, epoch + 1, step, t.seed));
        !s)
      return qcFail(s.message());
    qrt::Expected<EvalResult> eval =
        evaluateTop1(*evalPlan, test, options.batchSize, options.norm,
                     options.evalLimit, "evaluate epoch " +
                                            std::to_string(epoch + 1));
    if (!eval)
      return qcFail(eval.status().message());
    double trainTop1 = 100.0 * correct / std::max<int64_t>(1, seen);
    StageRecord record;
    record.name =
        "QAT epoch " + std::to_string(epoch + 1) + " (loss " +
        llvm::formatv("{0:F4}", lossSum / std::max<int64_t>(1, seen)).str() +
        ", train top-1 " + llvm::formatv("{0:F2}", trainTop1).str() +
        "%, test mode, quantizers training)";
    record.seconds = seconds;
    record.top1 = eval->top1();
    record.imagesPerSecond = seen / seconds;
    record.artifact = ckptPath;
    report.stages.push_back(record);
    llvm::outs() << llvm::formatv(
        "epoch {0}/{1}: loss {2:F4}, train top-1 {3:F2}%, {4:F0} images/s, "
        "test top-1 {5:F2}%\n",
        epoch + 1, t.epochs, lossSum / std::max<int64_t>(1, seen), trainTop1,
        seen / seconds, eval->top1());
    if (t.stopAfter > 0 && epoch + 1 == t.stopAfter && epoch + 1 < t.epochs) {
      llvm::outs() << "stopped after epoch " << epoch + 1
                   << " (--stop-after); continue with --resume\n";
      return TrainOutcome::Stopped;
    }
  }

  // The trained values become the module's constants again.
  if (failed(state.writeBack(module)) ||
      failed(runPassPipeline(module, "qnn-freeze-globals")))
    return failure();
  return TrainOutcome::Finished;
}
