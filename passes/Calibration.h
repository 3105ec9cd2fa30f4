//===- Calibration.h - naming quantizers, writing results back --*- C++ -*-===//
//
// Calibration runs a graph whose fake_quants were turned into observers
// (qnn-wrap-mode{mode=calibrate}), and writes the observers' results back
// into the quantizers of the original graph. Both sides find a quantizer by
// the same name.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_PASSES_CALIBRATION_H
#define QOPT_PASSES_CALIBRATION_H

#include "dialect/QnnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <map>
#include <string>
#include <vector>

namespace qopt {

/// The name of the `index`-th fake_quant of a function (in program order):
/// its `qnn.name` attribute, or "fq<index>".
std::string quantizerName(qnn::FakeQuantOp op, unsigned index);

/// True when the method's step size is calibrated by an observer.
bool isCalibrated(qnn::QuantMethod method);
/// True when calibration initializes a parameter of `op`: its method is
/// calibrated, or it is a DoReFa activation quantizer with a clip operand.
bool isCalibrated(qnn::FakeQuantOp op);

/// The observer that qnn-wrap-mode{mode=calibrate} gives `op` (a calibrated
/// quantizer without a `qnn.observer` attribute) for the `observer` option
/// `requested`: `requested`, or min_max where it cannot serve (a per-tensor
/// observer of a per-channel quantizer, entropy on the graph input).
qnn::ObserverKind observerFor(qnn::FakeQuantOp op, qnn::ObserverKind requested);

/// One quantizer's calibrated step sizes and zero points (one per group).
struct CalibratedParams {
  std::vector<float> scale, zeroPoint;
};

/// Replaces the scale (and zero point, where the method has one) operands of
/// the named fake_quants with constants holding `params`. Fails, with an
/// error at the quantizer, when a count does not match its granularity.
mlir::LogicalResult
applyCalibration(mlir::func::FuncOp func,
                 const std::map<std::string, CalibratedParams> &params);

} // namespace qopt

#endif // QOPT_PASSES_CALIBRATION_H
