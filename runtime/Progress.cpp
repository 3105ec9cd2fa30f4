//===- Progress.cpp - a progress bar for long runs ------------------------===//

#include "runtime/Progress.h"

#include <cstdio>
#include <unistd.h>

using namespace qrt;

Progress::Progress(std::string label, int64_t total, bool always)
    : label(std::move(label)), total(total),
      enabled(always || isatty(STDERR_FILENO)),
      start(std::chrono::steady_clock::now()), lastDraw() {}

void Progress::update(int64_t done, const std::string &note) {
  if (!enabled || total <= 0)
    return;
  auto now = std::chrono::steady_clock::now();
  // Redraw at most ten times a second, and always at the end.
  if (done < total && now - lastDraw < std::chrono::milliseconds(100))
    return;
  lastDraw = now;
  constexpr int kWidth = 30;
  int filled = static_cast<int>(kWidth * done / total);
  double secs = std::chrono::duration<double>(now - start).count();
  std::fprintf(stderr, "\r%s [%.*s%*s] %lld/%lld %.0f/s %s\033[K",
               label.c_str(), filled, "##############################",
               kWidth - filled, "", (long long)done, (long long)total,
               secs > 0 ? done / secs : 0.0, note.c_str());
  std::fflush(stderr);
}

void Progress::finish() {
  if (enabled && total > 0)
    std::fprintf(stderr, "\n");
}
