//===- TrainProgram.h - the main() of an emitted training program -*- C++ -*-=//
//
// A training program emitted by qemit (--entry train_step) is two functions
// of one module over one set of globals: @train_step and the test-mode
// @main. trainMain loads both from the weights file (the globals' initial
// values are "@name" tensors there), reads Fashion-MNIST's IDX files and
// runs qrt's training loop (TrainLoop.h) with qc's option names and
// defaults, so the same options give the bytes `qc quantize --mode qat`
// gives.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_TRAINPROGRAM_H
#define QRT_TRAINPROGRAM_H

#include "runtime/Data.h"
#include "runtime/Program.h"
#include "runtime/TrainLoop.h"

#include <functional>

namespace qrt {
namespace exec {

/// Parses argv (--help lists the options), trains, and returns the exit
/// status. The state is checkpointed after every epoch to --out DIR's
/// checkpoint.qckpt (qc's file and format); the last one is the result.
int trainMain(int argc, char **argv, const ProgramSpec &step,
              const ProgramSpec &eval);

/// A training program's options (qc's names and defaults).
struct TrainArgs {
  TrainLoopOptions loop;
  std::string weights, dataDir = kFashionMnistDir, outDir = "out";
  /// Training and evaluation data (runtime/Dataset.h specs; evalData
  /// empty: data's test split) and their preprocessing (empty: Fashion-
  /// MNIST's normalization with `norm`).
  std::string data = "fashion-mnist", evalData, transform;
  Normalization norm;
  int64_t threads = 0;
  /// Mixed precision: "" (fp32) or "fp16" (CUDA training programs only).
  std::string amp;
  bool help = false;
};

/// trainMain over any back end: parses argv (weights default:
/// `name`.weights beside the executable), prints --help, and runs `train`.
int trainMainWith(int argc, char **argv, const std::string &name,
                  const std::function<Status(const TrainArgs &)> &train);

/// The training of a loaded program: the data opened, --out created,
/// the loop run over `state` with the step and the evaluation.
Status runTraining(const TrainArgs &args, Globals &state,
                   const TrainStepFn &step, const ModelFn &eval);

} // namespace exec
} // namespace qrt

#endif // QRT_TRAINPROGRAM_H
