//===- Evaluate.cpp - top-1 evaluation of a plan on Fashion-MNIST ---------===//

#include "tools/support/Evaluate.h"

using namespace qopt;

qrt::ModelFn qopt::modelOf(const ExecutionPlan &plan) {
  return
      [&plan](const std::vector<qrt::Tensor> &args) { return plan.run(args); };
}

qrt::Expected<EvalResult>
qopt::evaluateTop1(const ExecutionPlan &plan, const qrt::DataSource &data,
                   int64_t batchSize, int64_t limit,
                   const std::string &label, qrt::Tensor *allLogits) {
  if (plan.arguments().size() != 1 || plan.results().size() != 1)
    return qrt::invalidArgument("evaluation needs a function of one image "
                                "batch returning one logits tensor");
  return qrt::evaluateTop1(modelOf(plan), data, batchSize, limit, label,
                           allLogits);
}

qrt::Status qopt::runForObservers(const ExecutionPlan &plan,
                                  const qrt::DataSource &data,
                                  int64_t batchSize, int64_t count,
                                  const std::string &label) {
  return qrt::runOnImages(modelOf(plan), data, batchSize, count, label);
}
