//===- TrainLoop.cpp - the quantization-aware training loop ---------------===//

#include "runtime/TrainLoop.h"
#include "runtime/Collective.h"
#include "runtime/Optimizer.h"
#include "runtime/Progress.h"
#include "runtime/TrainOps.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <sys/stat.h>

using namespace qrt;

bool qrt::knownSchedule(const std::string &schedule) {
  static const char *schedules[] = {"cosine", "multistep", "poly", "sgdr",
                                    "constant"};
  return std::find_if(std::begin(schedules), std::end(schedules),
                      [&](const char *s) { return schedule == s; }) !=
         std::end(schedules);
}

Status qrt::checkOptions(const TrainLoopOptions &o) {
  if (!knownSchedule(o.schedule))
    return invalidArgument("--lr-schedule must be cosine, multistep, poly, "
                           "sgdr or constant, not '" + o.schedule + "'");
  if (o.epochs < 1 || o.batchSize < 1 || o.evalBatchSize < 1)
    return invalidArgument("--epochs and the batch sizes must be >= 1");
  if (o.trainImages < 0 || o.evalLimit < 0 || o.stopAfter < 0)
    return invalidArgument("--train-images, --eval-limit and --stop-after "
                           "must be >= 0");
  if (!(o.lr > 0) || !(o.warmupEpochs >= 0) || !(o.gamma > 0))
    return invalidArgument("--lr and --lr-gamma must be > 0, "
                           "--warmup-epochs >= 0");
  return Status::ok();
}

double qrt::learningRate(const TrainLoopOptions &o, int64_t step,
                         int64_t total, int64_t perEpoch) {
  double lr = o.lr;
  if (o.schedule == "cosine") {
    lr = cosineLr(step, total, o.lr);
  } else if (o.schedule == "poly") {
    lr = polyLr(step, total, o.lr, /*power=*/0.9);
  } else if (o.schedule == "sgdr") {
    lr = cosineRestartsLr(step, std::max<int64_t>(1, perEpoch), 2, o.lr);
  } else if (o.schedule == "multistep") {
    std::vector<int64_t> milestones;
    for (int64_t e : o.milestones)
      milestones.push_back(e * perEpoch);
    lr = multiStepLr(step, o.lr, milestones, o.gamma);
  }
  int64_t warm = static_cast<int64_t>(o.warmupEpochs * perEpoch);
  if (warm > 0 && step < warm)
    lr *= linearWarmupFactor(step, warm, 1.0 / warm);
  return lr;
}

Checkpoint qrt::snapshot(const exec::Globals &state, int64_t epoch,
                         int64_t step, uint64_t seed) {
  Checkpoint c;
  c.meta["epoch"] = {static_cast<uint64_t>(epoch)};
  c.meta["step"] = {static_cast<uint64_t>(step)};
  c.meta["seed"] = {seed};
  for (int32_t i = 0; i < state.size(); ++i)
    c.tensors.emplace_back(state.names()[i], state.get(i));
  return c;
}

Status qrt::restore(exec::Globals &state, const Checkpoint &c,
                    const std::string &path) {
  for (int32_t i = 0; i < state.size(); ++i) {
    const std::string &name = state.names()[i];
    const Tensor *t = c.find(name);
    if (!t)
      return formatError(path + ": no tensor '" + name +
                         "' (a checkpoint of another model or policy?)");
    if (t->shape() != state.get(i).shape() ||
        t->dtype() != state.get(i).dtype())
      return formatError(path + ": tensor '" + name + "' has shape " +
                         shapeToString(t->shape()) + ", the model needs " +
                         shapeToString(state.get(i).shape()));
    state.set(i, *t);
  }
  return Status::ok();
}

/// Rows of N x C `logits` whose argmax (the first maximum) is the label.
static Expected<int64_t> countCorrect(const Tensor &logits,
                                      const Tensor &labels) {
  if (logits.dtype() != DType::F32 || logits.rank() != 2 ||
      labels.rank() != 1 || labels.dim(0) != logits.dim(0) ||
      labels.dtype() != DType::I32)
    return invalidArgument(
        "@train_step must return the loss and N x C f32 logits, got logits "
        "of shape " +
        shapeToString(logits.shape()));
  int64_t n = logits.dim(0), c = logits.dim(1), correct = 0;
  const float *z = logits.data<float>();
  const int32_t *y = labels.data<int32_t>();
  for (int64_t i = 0; i < n; ++i) {
    const float *row = z + i * c;
    correct += std::max_element(row, row + c) - row == y[i];
  }
  return correct;
}

/// Fault injection for the resume tests: QRT_KILL_AT_STEP=N sends the
/// process SIGKILL just before global step N, as a crash or an OOM killer
/// would (nothing is flushed or cleaned up).
static int64_t killAtStep() {
  const char *v = std::getenv("QRT_KILL_AT_STEP");
  return v && *v ? std::strtoll(v, nullptr, 10) : -1;
}

static bool fileExists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Expected<TrainOutcome>
qrt::trainLoop(const TrainLoopOptions &t, const DataSource &train,
               const DataSource &test, exec::Globals &state,
               const TrainStepFn &runStep, const ModelFn &eval,
               const std::function<void(const EpochRecord &)> &onEpoch,
               const TrainBatchFn &makeBatch) {
  QRT_RETURN_IF_ERROR(checkOptions(t));
  int64_t n = t.trainImages > 0 ? std::min<int64_t>(t.trainImages, train.size())
                                : train.size();
  if (n == 0)
    return invalidArgument("the training set is empty");
  if (!makeBatch && !train.hasLabels())
    return invalidArgument("training needs labels: " +
                           train.dataset().describe() + " has none");
  TrainBatchFn gather = makeBatch;
  if (!gather)
    gather = [&](const std::vector<int64_t> &idx, uint64_t seed,
                 std::vector<Tensor> &inputs, Tensor &labels) {
      Tensor images;
      QRT_RETURN_IF_ERROR(train.gather(idx, seed, images, labels));
      inputs = {images, labels};
      return Status::ok();
    };
  // Data parallelism (runtime/Collective.h): every rank draws the same
  // shuffle and takes its share of each global batch of ranks x batchSize
  // samples; qnn.all_reduce weighs its gradients by that share.
  Collective *comm = collective();
  int64_t ranks = worldSize(), rank = worldRank();
  int64_t globalBatch = t.batchSize * ranks;
  int64_t perEpoch = (n + globalBatch - 1) / globalBatch;
  int64_t total = perEpoch * t.epochs;
  int64_t firstEpoch = 0, step = 0;
  // Whether to resume is rank 0's decision (every rank must start from the
  // same step).
  bool resume = t.resume && fileExists(t.checkpointPath);
  if (Collective *c = collective(); c && c->size() > 1 && t.resume) {
    char flag = resume ? 1 : 0;
    QRT_RETURN_IF_ERROR(c->broadcast(&flag, 1, 0));
    if (flag && !resume)
      return ioError("rank " + std::to_string(c->rank()) + ": cannot read " +
                     t.checkpointPath + ", which rank 0 resumes from");
    resume = flag;
  }
  if (resume) {
    Expected<Checkpoint> c = loadCheckpoint(t.checkpointPath);
    if (!c)
      return c.status();
    if (c->value("seed") != t.seed)
      return invalidArgument(t.checkpointPath + " was written with --seed " +
                             std::to_string(c->value("seed")) + ", not " +
                             std::to_string(t.seed));
    QRT_RETURN_IF_ERROR(restore(state, *c, t.checkpointPath));
    firstEpoch = static_cast<int64_t>(c->value("epoch"));
    step = static_cast<int64_t>(c->value("step"));
    std::printf("resuming from %s after epoch %lld (step %lld)\n",
                t.checkpointPath.c_str(), (long long)firstEpoch,
                (long long)step);
    std::fflush(stdout);
  }

  int64_t killAt = killAtStep();
  std::vector<int64_t> order(n);
  Tensor lr = Tensor::zeros({}, DType::F32);
  for (int64_t epoch = firstEpoch; epoch < t.epochs; ++epoch) {
    auto start = std::chrono::steady_clock::now();
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(t.seed * 1000003ull + static_cast<uint64_t>(epoch));
    std::shuffle(order.begin(), order.end(), rng);
    Progress bar("epoch " + std::to_string(epoch + 1) + "/" +
                     std::to_string(t.epochs),
                 n, t.progress);
    double lossSum = 0;
    int64_t seen = 0, correct = 0;
    bool counted = true; // the step returns logits to count top-1 on
    for (int64_t b = 0; b < n; b += globalBatch) {
      if (step == killAt)
        std::raise(SIGKILL);
      int64_t len = std::min(n, b + globalBatch) - b;
      if (len < ranks) {
        ++step; // a last global batch too small to give every rank a sample
        continue;
      }
      int64_t lo = b + rank * len / ranks, hi = b + (rank + 1) * len / ranks;
      std::vector<int64_t> idx(order.begin() + lo, order.begin() + hi);
      setGradientWeight(static_cast<double>(hi - lo) / len);
      // Fresh tensors: the last batch of an epoch may be smaller.
      std::vector<Tensor> inputs;
      Tensor labels;
      QRT_RETURN_IF_ERROR(
          gather(idx, batchSeed(t.seed, step), inputs, labels));
      float rate = static_cast<float>(learningRate(t, step, total, perEpoch));
      lr.data<float>()[0] = rate;
      inputs.push_back(lr);
      // Stores rebind globals, so keeping the old tensors is a snapshot.
      std::vector<Tensor> before;
      for (int32_t i = 0; i < state.size(); ++i)
        before.push_back(state.get(i));
      Expected<std::vector<Tensor>> r = runStep(inputs, false);
      if (!r)
        return Status::error(r.status().code(),
                             "train step " + std::to_string(step) + ": " +
                                 r.status().message());
      counted = labels.defined();
      if (r->size() != (counted ? 2u : 1u))
        return invalidArgument(
            std::string("@train_step must return the loss") +
            (counted ? " and the logits" : "") + ", got " +
            std::to_string(r->size()) + " result(s)");
      float loss = (*r)[0].data<float>()[0];
      // The loss, and the state the step stored (a finite loss can still
      // come with an overflowing update): ~80k values, cheap per step.
      std::string poisoned;
      if (!std::isfinite(loss))
        poisoned = "loss";
      for (int32_t i = 0; i < state.size() && poisoned.empty(); ++i)
        if (firstNonFinite(state.get(i)) >= 0)
          poisoned = "@" + state.names()[i];
      if (!poisoned.empty()) {
        // Undo the step, then re-run it checking every op's result to name
        // the one that went non-finite. No checkpoint is written.
        for (int32_t i = 0; i < state.size(); ++i)
          state.set(i, before[i]);
        Expected<std::vector<Tensor>> again =
            runStep(inputs, /*checkFinite=*/true);
        for (int32_t i = 0; i < state.size(); ++i)
          state.set(i, before[i]);
        return invalidArgument(
            "non-finite " + poisoned + " at epoch " +
            std::to_string(epoch + 1) + ", step " + std::to_string(step) +
            " (lr " + std::to_string(rate) + "): " +
            (again ? std::string("no op produced it (an input?)")
                   : again.status().message()) +
            "; the last checkpoint is left as it was");
      }
      // Running training top-1 of the epoch, from the step's own logits
      // (weights before this step's update, as PyTorch's usual loop).
      if (counted) {
        Expected<int64_t> hits = countCorrect((*r)[1], labels);
        if (!hits)
          return hits.status();
        correct += *hits;
      }
      lossSum += loss * idx.size();
      seen += idx.size();
      ++step;
      char note[96];
      if (counted)
        std::snprintf(note, sizeof note, "loss %.4f top-1 %.2f%% lr %.5f",
                      lossSum / seen, 100.0 * correct / seen, rate);
      else
        std::snprintf(note, sizeof note, "loss %.4f lr %.5f", lossSum / seen,
                      rate);
      bar.update(seen, note);
    }
    bar.finish();
    if (comm && ranks > 1) {
      // The epoch's loss and training top-1 over every rank's samples.
      double totals[3] = {lossSum, static_cast<double>(seen),
                          static_cast<double>(correct)};
      QRT_RETURN_IF_ERROR(comm->allReduceSum(totals, 3));
      lossSum = totals[0];
      seen = static_cast<int64_t>(totals[1]);
      correct = static_cast<int64_t>(totals[2]);
    }
    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    // Every rank holds the same state; rank 0 writes it.
    if (rank == 0)
      QRT_RETURN_IF_ERROR(saveCheckpoint(
          t.checkpointPath, snapshot(state, epoch + 1, step, t.seed)));
    EpochRecord record;
    record.epoch = epoch + 1;
    record.loss = lossSum / std::max<int64_t>(1, seen);
    record.trainTop1 =
        counted ? 100.0 * correct / std::max<int64_t>(1, seen) : -1.0;
    record.testTop1 = -1.0;
    record.seconds = seconds;
    record.images = seen;
    if (eval) {
      Expected<EvalResult> result =
          evaluateTop1(eval, test, t.evalBatchSize, t.evalLimit,
                       "evaluate epoch " + std::to_string(epoch + 1));
      if (!result)
        return result.status();
      record.testTop1 = result->top1();
    }
    if (rank == 0) {
      std::string line = "epoch " + std::to_string(epoch + 1) + "/" +
                         std::to_string(t.epochs);
      char part[96];
      std::snprintf(part, sizeof part, ": loss %.4f", record.loss);
      line += part;
      if (record.trainTop1 >= 0) {
        std::snprintf(part, sizeof part, ", train top-1 %.2f%%",
                      record.trainTop1);
        line += part;
      }
      std::snprintf(part, sizeof part, ", %.0f images/s", seen / seconds);
      line += part;
      if (record.testTop1 >= 0) {
        std::snprintf(part, sizeof part, ", test top-1 %.2f%%",
                      record.testTop1);
        line += part;
      }
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    }
    if (onEpoch)
      onEpoch(record);
    if (t.stopAfter > 0 && epoch + 1 == t.stopAfter && epoch + 1 < t.epochs) {
      std::printf("stopped after epoch %lld (--stop-after); continue with "
                  "--resume\n",
                  (long long)(epoch + 1));
      std::fflush(stdout);
      return TrainOutcome::Stopped;
    }
  }
  return TrainOutcome::Finished;
}
