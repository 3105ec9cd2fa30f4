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

#include "runtime/Program.h"

namespace qrt {
namespace exec {

/// Parses argv (--help lists the options), trains, and returns the exit
/// status. The state is checkpointed after every epoch to --out DIR's
/// checkpoint.qckpt (qc's file and format); the last one is the result.
int trainMain(int argc, char **argv, const ProgramSpec &step,
              const ProgramSpec &eval);

} // namespace exec
} // namespace qrt

#endif // QRT_TRAINPROGRAM_H
