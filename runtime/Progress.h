//===- Progress.h - a progress bar for long runs ----------------*- C++ -*-===//
//
// Drawn on stderr only when stderr is a terminal (unless asked); silent in
// pipes, logs and tests, so output stays diffable. Used by the tools
// (qc's training and calibration) and by qrt's evaluation loop (Evaluate.h).
//
//===----------------------------------------------------------------------===//

#ifndef QRT_PROGRESS_H
#define QRT_PROGRESS_H

#include <chrono>
#include <cstdint>
#include <string>

namespace qrt {

class Progress {
public:
  /// `always` draws even when stderr is not a terminal (tests, logs).
  Progress(std::string label, int64_t total, bool always = false);
  /// Shows `done` of `total` with a trailing note (e.g. running accuracy).
  void update(int64_t done, const std::string &note = "");
  /// Ends the bar's line.
  void finish();

private:
  std::string label;
  int64_t total;
  bool enabled;
  std::chrono::steady_clock::time_point start, lastDraw;
};

} // namespace qrt

#endif // QRT_PROGRESS_H
