//===- ApplyCalibration.cpp - quantizers from a ranges file ---------------===//

#include "passes/Calibration.h"
#include "passes/Passes.h"

#include "runtime/Ranges.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

namespace qopt {
#define GEN_PASS_DEF_APPLYCALIBRATIONPASS
#include "passes/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {
struct ApplyCalibrationPass
    : qopt::impl::ApplyCalibrationPassBase<ApplyCalibrationPass> {
  using ApplyCalibrationPassBase::ApplyCalibrationPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (ranges.empty()) {
      func.emitError("qnn-apply-calibration: give the ranges file "
                     "(ranges=FILE)");
      return signalPassFailure();
    }
    qrt::Expected<std::vector<qrt::ObservedRange>> read =
        qrt::readRanges(ranges);
    if (!read) {
      func.emitError("qnn-apply-calibration: ") << read.status().message();
      return signalPassFailure();
    }
    std::map<std::string, CalibratedParams> params;
    for (const qrt::ObservedRange &r : *read)
      params[r.name] = {r.params.scale, r.params.zeroPoint};
    if (failed(applyCalibration(func, params)))
      signalPassFailure();
  }
};
} // namespace
