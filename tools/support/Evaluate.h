//===- Evaluate.h - top-1 evaluation of a plan on Fashion-MNIST -*- C++ -*-===//

#ifndef QOPT_TOOLS_SUPPORT_EVALUATE_H
#define QOPT_TOOLS_SUPPORT_EVALUATE_H

#include "codegen/ExecutionPlan.h"
#include "runtime/Data.h"

#include <string>

namespace qopt {

constexpr const char *kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

struct Normalization {
  float mean = 0.2860f, std = 0.3530f;
};

struct EvalResult {
  int64_t correct = 0, total = 0;
  double seconds = 0; // time inside the plan only
  double top1() const { return total ? 100.0 * correct / total : 0.0; }
  double imagesPerSecond() const { return seconds > 0 ? total / seconds : 0; }
};

/// Runs `plan` (one image batch in, one [batch, classes] f32 logits out) on
/// the first `limit` images of `data` (all when limit <= 0) and counts
/// top-1 hits. Shows a progress bar labelled `label` on terminals.
qrt::Expected<EvalResult> evaluateTop1(const ExecutionPlan &plan,
                                       const qrt::ImageDataset &data,
                                       int64_t batchSize, Normalization norm,
                                       int64_t limit, const std::string &label);

/// Runs `plan` on the first `count` images of `data` for the side effect of
/// its observers (calibration).
qrt::Status runForObservers(const ExecutionPlan &plan,
                            const qrt::ImageDataset &data, int64_t batchSize,
                            Normalization norm, int64_t count,
                            const std::string &label);

} // namespace qopt

#endif // QOPT_TOOLS_SUPPORT_EVALUATE_H
