//===- Ranges.h - calibration results as a file ------------------*- C++ -*-===//
//
// A calibration run (an emitted calibration program, or qc) ends with one
// scale / zero-point vector per observer. The ranges file keeps them in
// runtime/Checkpoint's format: tensors "<observer>/scale" and
// "<observer>/zero_point" (f32 [n]), in observer order; the compiler reads
// it back with qnn-apply-calibration to freeze the quantizers.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_RANGES_H
#define QRT_RANGES_H

#include "runtime/Observer.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace qrt {

/// One observer's result.
struct ObservedRange {
  std::string name;
  QuantParams params;
};

/// The results of `observers` (each must have seen data).
Expected<std::vector<ObservedRange>> computeRanges(
    const std::vector<std::pair<std::string, std::unique_ptr<Observer>>>
        &observers);

Status writeRanges(const std::string &path,
                   const std::vector<ObservedRange> &ranges);
/// Reads a ranges file; FormatError when a scale has no zero point (or the
/// other way round) or their sizes differ.
Expected<std::vector<ObservedRange>> readRanges(const std::string &path);

} // namespace qrt

#endif // QRT_RANGES_H
