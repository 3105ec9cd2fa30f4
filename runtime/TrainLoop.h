//===- TrainLoop.h - the quantization-aware training loop -------*- C++ -*-===//
//
// The driver around a compiled @train_step (qnn-wrap-mode{mode=qat},
// docs/training.md): shuffled mini-batches, the learning-rate schedule, a
// checkpoint per epoch, --resume, per-epoch test-mode evaluation, the
// progress bar, and the stop on a non-finite loss naming the op. The step
// itself (forward, loss, backward, optimizer) is the model's; nothing here
// does math on tensors. `qc quantize --mode qat` (through the interpreter)
// and an emitted training program (qemit --entry train_step) both run this
// loop, so the same options give the same bytes.
//
// Determinism: the batch order of epoch e is a shuffle seeded by
// (seed, e), a batch's random transforms draw from (seed, step, sample),
// the schedule is a function of the global step, and qrt's
// reductions are deterministic for a fixed thread count. A run resumed from
// its epoch-k checkpoint therefore ends with the same weights as one that
// was never interrupted (test/e2e/qat-resume.test, qemit-train.test).
//
//===----------------------------------------------------------------------===//

#ifndef QRT_TRAINLOOP_H
#define QRT_TRAINLOOP_H

#include "runtime/Checkpoint.h"
#include "runtime/Evaluate.h"
#include "runtime/Exec.h"

#include <functional>
#include <string>
#include <vector>

namespace qrt {

struct TrainLoopOptions {
  int64_t epochs = 3;
  int64_t batchSize = 128;
  int64_t trainImages = 0; // 0: the whole training set
  /// cosine | multistep | poly | sgdr | constant, per iteration.
  double lr = 0.01;
  std::string schedule = "cosine";
  std::vector<int64_t> milestones; // multistep, in epochs
  double gamma = 0.1;              // multistep factor
  double warmupEpochs = 0;         // linear warm-up
  uint64_t seed = 0;
  bool resume = false;
  bool progress = false; // draw the progress bar even when not a terminal
  int64_t stopAfter = 0; // stop after this epoch's checkpoint (0: never)
  /// The checkpoint written after every epoch (and read by resume).
  std::string checkpointPath = "checkpoint.qckpt";
  int64_t evalBatchSize = 100;
  int64_t evalLimit = 0; // 0: the whole test set
};

/// True for a schedule learningRate knows: cosine, multistep, poly, sgdr,
/// constant.
bool knownSchedule(const std::string &schedule);

/// Ok, or an error naming the first option out of range (schedule name,
/// epochs, batch size, image count, lr, warm-up).
Status checkOptions(const TrainLoopOptions &o);

/// The learning rate of global step `step` of `total` (`perEpoch` steps an
/// epoch): the schedule, then the warm-up.
double learningRate(const TrainLoopOptions &o, int64_t step, int64_t total,
                    int64_t perEpoch);

/// One finished epoch.
struct EpochRecord {
  int64_t epoch = 0; // 1-based
  double loss = 0, trainTop1 = 0, testTop1 = 0;
  double seconds = 0;
  int64_t images = 0;
};

/// @train_step: (images f32 [n,1,H,W], labels i32 [n], lr f32 []) ->
/// (loss f32 [], logits f32 [n, classes]); with `checkFinite` every op's
/// results are checked and the first non-finite one fails the run, named.
using TrainStepFn = std::function<Expected<std::vector<Tensor>>(
    const std::vector<Tensor> &, bool checkFinite)>;

/// A training step's inputs before the learning rate for the samples
/// `indices`, random transforms drawn from `seed`. `labels` (i32 [n]) when
/// the step returns logits whose training top-1 the loop counts, else left
/// undefined. The default: {images, labels} of the data set (a classifier);
/// a detector's step takes its targets instead (qrt::fcosTargets).
using TrainBatchFn = std::function<Status(const std::vector<int64_t> &indices,
                                          uint64_t seed,
                                          std::vector<Tensor> &inputs,
                                          Tensor &labels)>;

enum class TrainOutcome { Finished, Stopped };

/// Trains `state` (the globals @train_step stores and `eval` loads) for
/// the options' epochs. `onEpoch` sees each finished epoch. Errors name
/// what went wrong (a non-finite loss names the op and leaves the last
/// checkpoint as it was). An empty `eval` skips the per-epoch evaluation
/// (testTop1 < 0); `batch` (default: images and labels) builds the step's
/// inputs; a step returning the loss alone has no training top-1
/// (trainTop1 < 0).
Expected<TrainOutcome>
trainLoop(const TrainLoopOptions &options, const DataSource &train,
          const DataSource &test, exec::Globals &state,
          const TrainStepFn &step, const ModelFn &eval,
          const std::function<void(const EpochRecord &)> &onEpoch = {},
          const TrainBatchFn &batch = {});

/// The state as a checkpoint: every global by name, and the epoch / step /
/// seed it was taken after.
Checkpoint snapshot(const exec::Globals &state, int64_t epoch, int64_t step,
                    uint64_t seed);
/// Puts a checkpoint's tensors into `state`; every global must be there
/// with its dtype and shape (errors name `path` and the tensor).
Status restore(exec::Globals &state, const Checkpoint &c,
               const std::string &path);

} // namespace qrt

#endif // QRT_TRAINLOOP_H
