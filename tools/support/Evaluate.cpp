//===- Evaluate.cpp - top-1 evaluation of a plan on Fashion-MNIST ---------===//

#include "tools/support/Evaluate.h"
#include "tools/support/Progress.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

using namespace qopt;

static std::string percent(double v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%.2f%%", v);
  return buf;
}

qrt::Expected<EvalResult> qopt::evaluateTop1(const ExecutionPlan &plan,
                                             const qrt::ImageDataset &data,
                                             int64_t batchSize,
                                             Normalization norm, int64_t limit,
                                             const std::string &label) {
  if (plan.arguments().size() != 1 || plan.results().size() != 1)
    return qrt::invalidArgument("evaluation needs a function of one image "
                                "batch returning one logits tensor");
  if (batchSize < 1)
    return qrt::invalidArgument("the batch size must be positive");
  EvalResult r;
  r.total = limit > 0 ? std::min<int64_t>(limit, data.size()) : data.size();
  Progress progress(label, r.total);
  for (int64_t begin = 0; begin < r.total; begin += batchSize) {
    int64_t count = std::min<int64_t>(batchSize, r.total - begin);
    qrt::Tensor images, labels;
    qrt::Status s =
        data.batch(begin, count, norm.mean, norm.std, images, labels);
    if (!s)
      return s;
    auto t0 = std::chrono::steady_clock::now();
    qrt::Expected<std::vector<qrt::Tensor>> out = plan.run({images});
    r.seconds += std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - t0)
                     .count();
    if (!out)
      return out.status();
    const qrt::Tensor &logits = (*out)[0];
    if (logits.dtype() != qrt::DType::F32 || logits.rank() != 2 ||
        logits.dim(0) != count)
      return qrt::invalidArgument(
          "evaluation expects f32 logits [batch, classes], got " +
          std::string(qrt::dtypeName(logits.dtype())) +
          qrt::shapeToString(logits.shape()));
    int64_t classes = logits.dim(1);
    for (int64_t i = 0; i < count; ++i) {
      const float *row = logits.data<float>() + i * classes;
      int64_t best = std::max_element(row, row + classes) - row;
      r.correct += best == labels.data<int64_t>()[i];
    }
    progress.update(begin + count,
                    "top-1 " + percent(100.0 * r.correct / (begin + count)));
  }
  progress.finish();
  return r;
}

qrt::Status qopt::runForObservers(const ExecutionPlan &plan,
                                  const qrt::ImageDataset &data,
                                  int64_t batchSize, Normalization norm,
                                  int64_t count, const std::string &label) {
  if (batchSize < 1)
    return qrt::invalidArgument("the batch size must be positive");
  count = std::min<int64_t>(count, data.size());
  Progress progress(label, count);
  for (int64_t begin = 0; begin < count; begin += batchSize) {
    int64_t n = std::min<int64_t>(batchSize, count - begin);
    qrt::Tensor images, labels;
    qrt::Status s = data.batch(begin, n, norm.mean, norm.std, images, labels);
    if (!s)
      return s;
    qrt::Expected<std::vector<qrt::Tensor>> out = plan.run({images});
    if (!out)
      return out.status();
    progress.update(begin + n);
  }
  progress.finish();
  return qrt::Status::ok();
}
