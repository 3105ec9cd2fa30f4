//===- Evaluate.h - top-1 evaluation of a plan on a data set -*- C++ -*-===//
//
// ExecutionPlan adapters over qrt's evaluation loop (runtime/Evaluate.h),
// which emitted programs share.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_TOOLS_SUPPORT_EVALUATE_H
#define QOPT_TOOLS_SUPPORT_EVALUATE_H

#include "codegen/ExecutionPlan.h"
#include "runtime/Evaluate.h"

#include <string>

namespace qopt {

using qrt::EvalResult;
using qrt::kFashionMnistDir;
using qrt::Normalization;

/// `plan` as a qrt::ModelFn (the plan must outlive it).
qrt::ModelFn modelOf(const ExecutionPlan &plan);

/// Runs `plan` (one image batch in, one [batch, classes] f32 logits out) on
/// the first `limit` images of `data` (all when limit <= 0) and counts
/// top-1 hits. Shows a progress bar labelled `label` on terminals. When
/// `allLogits` is given it receives every evaluated image's logits, f32
/// [total, classes] (qrt::evaluateTop1).
qrt::Expected<EvalResult> evaluateTop1(const ExecutionPlan &plan,
                                       const qrt::DataSource &data,
                                       int64_t batchSize, int64_t limit,
                                       const std::string &label,
                                       qrt::Tensor *allLogits = nullptr);

/// Runs `plan` on the first `count` images of `data` for the side effect of
/// its observers (calibration).
qrt::Status runForObservers(const ExecutionPlan &plan,
                            const qrt::DataSource &data, int64_t batchSize,
                            int64_t count,
                            const std::string &label);

} // namespace qopt

#endif // QOPT_TOOLS_SUPPORT_EVALUATE_H
