//===- Train.h - quantization-aware training in `qc quantize --mode qat` -*- C++ -*-===//

#ifndef QOPT_PIPELINE_TRAIN_H
#define QOPT_PIPELINE_TRAIN_H

#include "pipeline/Pipeline.h"

#include "runtime/TrainLoop.h"

namespace qopt {

/// Outcome of trainQat: finished, or stopped early after a checkpoint
/// (--stop-after).
using TrainOutcome = qrt::TrainOutcome;

/// Trains `module` (a calibrated, policy-annotated forward @main) with
/// qnn-wrap-mode{mode=qat}: SGD / Adam on Fashion-MNIST, learning-rate
/// schedule per iteration, a checkpoint after every epoch (atomic), test-mode
/// evaluation per epoch. On success the trained values are frozen back into
/// `module` (qnn-freeze-globals), which is again a plain @main.
mlir::FailureOr<TrainOutcome> trainQat(mlir::ModuleOp module,
                                       const QuantizeOptions &options,
                                       const qrt::DataSource &train,
                                       const qrt::DataSource &test,
                                       QuantizeReport &report);

} // namespace qopt

#endif // QOPT_PIPELINE_TRAIN_H
