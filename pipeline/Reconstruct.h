//===- Reconstruct.h - AdaRound reconstruction in `qc quantize` -*- C++ -*-===//

#ifndef QOPT_PIPELINE_RECONSTRUCT_H
#define QOPT_PIPELINE_RECONSTRUCT_H

#include "pipeline/Pipeline.h"

#include "runtime/Data.h"

namespace qopt {

/// True when a quantizer of `module` has the `adaround` method.
bool usesAdaround(mlir::ModuleOp module);

/// Runs AdaRound reconstruction (layer or block units, QDrop) on the
/// calibrated `module`, whose policy quantizes weights with `adaround`
/// (usesAdaround): builds the reconstruction steps
/// (qnn-build-reconstruction), runs them unit by unit on the calibration
/// images, and leaves `module` a forward of constants with the learned
/// offsets. docs/reconstruction.md describes the schedule.
mlir::LogicalResult reconstruct(mlir::ModuleOp module,
                                const QuantizeOptions &options,
                                const qrt::DataSource &train,
                                QuantizeReport &report);

} // namespace qopt

#endif // QOPT_PIPELINE_RECONSTRUCT_H
