//===- Analysis.h - per-layer SQNR, ranges, bias correction -----*- C++ -*-===//

#ifndef QOPT_PIPELINE_ANALYSIS_H
#define QOPT_PIPELINE_ANALYSIS_H

#include "pipeline/Pipeline.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace qopt {

/// The qnn.conv2d / qnn.linear ops of @main, in program order.
std::vector<mlir::Operation *> layersOf(mlir::ModuleOp module);

/// Per-layer output SQNR (float graph vs fake-quant graph) and the float
/// ranges of each layer's input and weight, on the first calibration batch.
mlir::LogicalResult analyzeLayers(mlir::ModuleOp floatModule,
                                  mlir::ModuleOp fqModule,
                                  const QuantizeOptions &options,
                                  const qrt::DataSource &calib,
                                  std::vector<LayerRecord> &records);

/// Empirical bias correction (Nagel et al. 2019, sec. 4.2): layer by layer in
/// program order, the per-output-channel mean of the fake-quant layer's
/// output minus that of the float layer, over the calibration images, is
/// subtracted from the layer's constant bias (written back as a new
/// constant). Layers with a quantized weight and a constant bias only.
mlir::LogicalResult correctBiases(mlir::ModuleOp floatModule,
                                  mlir::ModuleOp fqModule,
                                  const QuantizeOptions &options,
                                  const qrt::DataSource &calib,
                                  std::vector<BiasCorrectionRecord> &records);

/// Writes a bar chart of the layers' SQNR, named by layer, as a PNG
/// (PLplot).
mlir::LogicalResult writeSqnrPlot(const std::string &path,
                                  const std::vector<LayerRecord> &layers);

/// Draws ranges.png: per layer, the float range [min, max] of its input
/// activation (top panel) and of its weight (bottom panel), as floating
/// bars named by layer, on the first calibration batch.
mlir::LogicalResult writeRangesPlot(const std::string &path,
                                    const std::vector<LayerRecord> &layers);

} // namespace qopt

#endif // QOPT_PIPELINE_ANALYSIS_H
