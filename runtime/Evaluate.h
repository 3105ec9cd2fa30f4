//===- Evaluate.h - top-1 evaluation and timing of a model ------*- C++ -*-===//
//
// What the interpreter (qrun, qc) and emitted programs (ProgramMain.h) share
// to evaluate a model on Fashion-MNIST and to time it: the model is a
// callback, so the same loop serves an ExecutionPlan and generated code, and
// the lines printed are formatted here once, so that tests and benchmarks
// parse both alike.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_EVALUATE_H
#define QRT_EVALUATE_H

#include "runtime/Data.h"
#include "runtime/Dataset.h"

#include <functional>
#include <string>
#include <vector>

namespace qrt {

/// Where the Fashion-MNIST IDX files are installed (the tools' default
/// --data-dir).
constexpr const char *kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

/// A model: its input tensors in, its result tensors out.
using ModelFn =
    std::function<Expected<std::vector<Tensor>>(const std::vector<Tensor> &)>;

/// (pixel / 255 - mean) / std; the default model's training statistics.
struct Normalization {
  float mean = 0.2860f, std = 0.3530f;
};

struct EvalResult {
  /// Top-1 and top-5 hits; 0 on data without labels (`labelled` false).
  int64_t correct = 0, correct5 = 0, total = 0;
  bool labelled = true;
  double seconds = 0; // time inside the model only
  double top1() const { return total ? 100.0 * correct / total : 0.0; }
  double top5() const { return total ? 100.0 * correct5 / total : 0.0; }
  double imagesPerSecond() const { return seconds > 0 ? total / seconds : 0; }
};

/// Runs `model` (one f32 image batch [n, C, H, W] in, one f32 logits
/// [n, classes] out) on the first `limit` images of `data` (all when
/// limit <= 0) in batches of `batchSize`, and counts top-1 hits (the first
/// maximum wins ties) and top-5 hits (the label among the five largest
/// logits, ties broken towards lower classes) when the data has labels.
/// Shows a progress bar labelled `label` on terminals.
/// When `allLogits` is given it receives every evaluated image's logits,
/// the batches' rows concatenated: f32 [total, classes].
Expected<EvalResult> evaluateTop1(const ModelFn &model,
                                  const DataSource &data, int64_t batchSize,
                                  int64_t limit,
                                  const std::string &label,
                                  Tensor *allLogits = nullptr);

/// Runs `model` on the first `count` images of `data` (all when count
/// exceeds the data set) for its side effects, e.g. a calibration plan's
/// observers; its results are dropped.
Status runOnImages(const ModelFn &model, const DataSource &data,
                   int64_t batchSize, int64_t count,
                   const std::string &label);

/// "fashion-mnist top-1: 91.91% (9191 / 10000), 2345 images/s (batch 100,
/// 2 threads)\n": qrun's --eval line; `data` names the data set. Without
/// labels: "<data>: 10000 images (no labels), 2345 images/s (...)".
std::string formatTop1Line(const EvalResult &r, int64_t batchSize, int threads,
                           const std::string &data = "fashion-mnist");

/// Runs `model` on `args` once (a warm-up whose results go to `results`),
/// then, when runs > 1, `runs` more times, timed; returns the mean
/// milliseconds per timed run (0 when runs <= 1). `results` ends with the
/// last run's results.
Expected<double> timeRuns(const ModelFn &model, const std::vector<Tensor> &args,
                          int runs, std::vector<Tensor> &results);

/// "time per run: 1.234 ms (10 runs, 2 threads)\n": qrun's --repeat line.
std::string formatTimeLine(double msPerRun, int runs, int threads);

/// "result 0: f32[2,10] [0.1, -2, ...]\n" (the first 8 values of an f32
/// result): what qrun prints for a result without --output.
std::string formatResultSummary(size_t index, const Tensor &t);

} // namespace qrt

#endif // QRT_EVALUATE_H
