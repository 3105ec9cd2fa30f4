//===- Evaluate.cpp - top-1 evaluation and timing of a model --------------===//

#include "runtime/Evaluate.h"
#include "runtime/Progress.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace qrt {

namespace {

std::string percent(double v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%.2f%%", v);
  return buf;
}

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
}

} // namespace

Expected<EvalResult> evaluateTop1(const ModelFn &model,
                                  const DataSource &data, int64_t batchSize,
                                  int64_t limit,
                                  const std::string &label, Tensor *allLogits) {
  if (batchSize < 1)
    return invalidArgument("the batch size must be positive");
  EvalResult r;
  r.labelled = data.hasLabels();
  r.total = limit > 0 ? std::min<int64_t>(limit, data.size()) : data.size();
  Tensor all; // [total, classes], allocated once the first batch shows classes
  Progress progress(label, r.total);
  for (int64_t begin = 0; begin < r.total; begin += batchSize) {
    int64_t count = std::min<int64_t>(batchSize, r.total - begin);
    Tensor images, labels;
    QRT_RETURN_IF_ERROR(data.batch(begin, count, images, labels));
    auto t0 = std::chrono::steady_clock::now();
    Expected<std::vector<Tensor>> out = model({images});
    r.seconds += secondsSince(t0);
    if (!out)
      return out.status();
    if (out->size() != 1)
      return invalidArgument("evaluation expects one logits tensor, the "
                             "model returned " +
                             std::to_string(out->size()) + " results");
    const Tensor &logits = (*out)[0];
    if (logits.dtype() != DType::F32 || logits.rank() != 2 ||
        logits.dim(0) != count)
      return invalidArgument(
          "evaluation expects f32 logits [batch, classes], got " +
          std::string(dtypeName(logits.dtype())) +
          shapeToString(logits.shape()));
    int64_t classes = logits.dim(1);
    for (int64_t i = 0; r.labelled && i < count; ++i) {
      const float *row = logits.data<float>() + i * classes;
      int64_t label = labels.data<int64_t>()[i];
      int64_t best = std::max_element(row, row + classes) - row;
      r.correct += best == label;
      // Rank of the label: classes scoring higher, or as high and earlier.
      if (label >= 0 && label < classes) {
        int64_t above = 0;
        for (int64_t k = 0; k < classes; ++k)
          above += row[k] > row[label] || (row[k] == row[label] && k < label);
        r.correct5 += above < 5;
      }
    }
    if (allLogits) {
      if (!all.defined())
        all = Tensor::empty({r.total, classes}, DType::F32);
      else if (all.dim(1) != classes)
        return invalidArgument(
            "the model returned " + std::to_string(all.dim(1)) +
            " classes for the first batch but " + std::to_string(classes) +
            " for images from " + std::to_string(begin));
      std::memcpy(all.data<float>() + begin * classes, logits.data<float>(),
                  logits.nbytes());
    }
    progress.update(begin + count,
                    r.labelled ? "top-1 " + percent(100.0 * r.correct /
                                                    (begin + count))
                               : std::string());
  }
  progress.finish();
  if (allLogits)
    *allLogits = all.defined() ? all : Tensor::empty({0, 0}, DType::F32);
  return r;
}

Status runOnImages(const ModelFn &model, const DataSource &data,
                   int64_t batchSize, int64_t count,
                   const std::string &label) {
  if (batchSize < 1)
    return invalidArgument("the batch size must be positive");
  count = std::min<int64_t>(count, data.size());
  Progress progress(label, count);
  for (int64_t begin = 0; begin < count; begin += batchSize) {
    int64_t n = std::min<int64_t>(batchSize, count - begin);
    Tensor images, labels;
    QRT_RETURN_IF_ERROR(data.batch(begin, n, images, labels));
    Expected<std::vector<Tensor>> out = model({images});
    if (!out)
      return out.status();
    progress.update(begin + n);
  }
  progress.finish();
  return Status::ok();
}

std::string formatTop1Line(const EvalResult &r, int64_t batchSize,
                           int threads, const std::string &data) {
  char buf[256];
  if (r.labelled)
    std::snprintf(buf, sizeof(buf),
                  "%s top-1: %.2f%% (%lld / %lld), %.0f images/s "
                  "(batch %lld, %d threads)\n",
                  data.c_str(), r.top1(), (long long)r.correct,
                  (long long)r.total, r.imagesPerSecond(),
                  (long long)batchSize, threads);
  else
    std::snprintf(buf, sizeof(buf),
                  "%s: %lld images (no labels), %.0f images/s (batch %lld, "
                  "%d threads)\n",
                  data.c_str(), (long long)r.total, r.imagesPerSecond(),
                  (long long)batchSize, threads);
  return buf;
}

Expected<double> timeRuns(const ModelFn &model, const std::vector<Tensor> &args,
                          int runs, std::vector<Tensor> &results) {
  Expected<std::vector<Tensor>> out = model(args);
  if (!out)
    return out.status();
  results = std::move(*out);
  if (runs <= 1)
    return 0.0;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < runs; ++i) {
    out = model(args);
    if (!out)
      return out.status();
  }
  double ms = secondsSince(t0) * 1000.0 / runs;
  results = std::move(*out);
  return ms;
}

std::string formatTimeLine(double msPerRun, int runs, int threads) {
  char buf[128];
  std::snprintf(buf, sizeof(buf),
                "time per run: %.3f ms (%d runs, %d threads)\n", msPerRun, runs,
                threads);
  return buf;
}

std::string formatResultSummary(size_t index, const Tensor &t) {
  std::string s = "result " + std::to_string(index) + ": " +
                  dtypeName(t.dtype()) + shapeToString(t.shape());
  if (t.dtype() == DType::F32) {
    s += " [";
    int64_t n = std::min<int64_t>(t.numel(), 8);
    char buf[32];
    for (int64_t i = 0; i < n; ++i) {
      std::snprintf(buf, sizeof(buf), "%g", t.data<float>()[i]);
      s += (i ? ", " : "") + std::string(buf);
    }
    s += t.numel() > n ? ", ...]" : "]";
  }
  return s + "\n";
}

} // namespace qrt
