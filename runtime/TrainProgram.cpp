//===- TrainProgram.cpp - the main() of an emitted training program -------===//

#include "runtime/TrainProgram.h"
#include "runtime/Checkpoint.h"
#include "runtime/Collective.h"
#include "runtime/Data.h"
#include "runtime/Threading.h"
#include "runtime/TrainLoop.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <sys/stat.h>

using namespace qrt;
using namespace qrt::exec;

namespace {

/// One option: its name, value placeholder (null: a flag), help, and how
/// it sets its field (false: the value is not valid).
struct Option {
  const char *name, *value, *help;
  std::function<bool(TrainArgs &, const std::string &)> set;
};

bool toInt(const std::string &s, int64_t &out, int64_t min) {
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || errno || *end || v < min)
    return false;
  out = v;
  return true;
}

bool toDouble(const std::string &s, double &out) {
  char *end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || errno || *end)
    return false;
  out = v;
  return true;
}

template <typename F> auto intOption(F field, int64_t min) {
  return [=](TrainArgs &a, const std::string &v) {
    int64_t x;
    if (!toInt(v, x, min))
      return false;
    field(a) = x;
    return true;
  };
}

template <typename F> auto realOption(F field) {
  return [=](TrainArgs &a, const std::string &v) {
    double x;
    if (!toDouble(v, x))
      return false;
    field(a) = static_cast<std::remove_reference_t<decltype(field(a))>>(x);
    return true;
  };
}

const std::vector<Option> &options() {
  static const std::vector<Option> list = {
      {"weights", "PATH", "The weights file (default: NAME.weights beside "
                          "the executable)",
       [](TrainArgs &a, const std::string &v) {
         a.weights = v;
         return true;
       }},
      {"data-dir", "DIR", "Directory of the Fashion-MNIST IDX files",
       [](TrainArgs &a, const std::string &v) {
         a.dataDir = v;
         return true;
       }},
      {"out", "DIR", "Where checkpoint.qckpt goes, rewritten after each "
                     "epoch (default: out)",
       [](TrainArgs &a, const std::string &v) {
         a.outDir = v;
         return true;
       }},
      {"epochs", "N", "Epochs (default 3)",
       intOption([](TrainArgs &a) -> int64_t & { return a.loop.epochs; }, 1)},
      {"train-batch-size", "N",
       "Mini-batch size of each rank (default 128; under mpirun -np R the "
       "global batch is R times it)",
       intOption([](TrainArgs &a) -> int64_t & { return a.loop.batchSize; },
                 1)},
      {"train-images", "N", "Train on the first N images (0: all)",
       intOption([](TrainArgs &a) -> int64_t & { return a.loop.trainImages; },
                 0)},
      {"lr", "X", "Base learning rate (default 0.01)",
       realOption([](TrainArgs &a) -> double & { return a.loop.lr; })},
      {"lr-schedule", "NAME",
       "cosine, multistep, poly, sgdr or constant (default cosine)",
       [](TrainArgs &a, const std::string &v) {
         a.loop.schedule = v;
         return true;
       }},
      {"milestones", "E1,E2", "multistep: epochs",
       [](TrainArgs &a, const std::string &v) {
         a.loop.milestones.clear();
         size_t start = 0;
         while (start <= v.size()) {
           size_t comma = v.find(',', start);
           std::string item = v.substr(start, comma - start);
           int64_t e;
           if (!toInt(item, e, 0))
             return false;
           a.loop.milestones.push_back(e);
           if (comma == std::string::npos)
             break;
           start = comma + 1;
         }
         return true;
       }},
      {"gamma", "X", "multistep: factor at each milestone (default 0.1)",
       realOption([](TrainArgs &a) -> double & { return a.loop.gamma; })},
      {"warmup-epochs", "X", "Linear learning-rate warm-up (default 0)",
       realOption(
           [](TrainArgs &a) -> double & { return a.loop.warmupEpochs; })},
      {"seed", "N", "Shuffle seed (default 0)",
       [](TrainArgs &a, const std::string &v) {
         int64_t x;
         if (!toInt(v, x, 0))
           return false;
         a.loop.seed = static_cast<uint64_t>(x);
         return true;
       }},
      {"resume", nullptr, "Continue from --out's checkpoint, if any",
       [](TrainArgs &a, const std::string &) {
         a.loop.resume = true;
         return true;
       }},
      {"stop-after", "N", "Stop after epoch N's checkpoint (0: never)",
       intOption([](TrainArgs &a) -> int64_t & { return a.loop.stopAfter; },
                 0)},
      {"deterministic", nullptr,
       "Order-fixed reductions: the same bytes at any --threads, about 10% "
       "slower (also QRT_DETERMINISTIC=1)",
       [](TrainArgs &a, const std::string &) {
         setOrderFixedReductions(true);
         return true;
       }},
      {"progress", nullptr, "Draw the progress bar even when not a terminal",
       [](TrainArgs &a, const std::string &) {
         a.loop.progress = true;
         return true;
       }},
      {"batch-size", "N", "Evaluation batch size (default 100)",
       intOption(
           [](TrainArgs &a) -> int64_t & { return a.loop.evalBatchSize; },
           1)},
      {"eval-limit", "N", "Evaluate the first N test images (0: all)",
       intOption([](TrainArgs &a) -> int64_t & { return a.loop.evalLimit; },
                 0)},
      {"mean", "M", "Normalization mean (default 0.2860)",
       realOption([](TrainArgs &a) -> float & { return a.norm.mean; })},
      {"std", "S", "Normalization std (default 0.3530)",
       realOption([](TrainArgs &a) -> float & { return a.norm.std; })},
      {"data", "SPEC",
       "Training data (default fashion-mnist; folder:DIR, npy:X.npy,"
       "labels=Y.npy, cifar10:DIR, ...: docs/data.md)",
       [](TrainArgs &a, const std::string &v) {
         a.data = v;
         return !v.empty();
       }},
      {"eval-data", "SPEC", "Evaluation data (default: --data's test split)",
       [](TrainArgs &a, const std::string &v) {
         a.evalData = v;
         return !v.empty();
       }},
      {"transform", "SPEC",
       "Preprocessing, torchvision's names, e.g. "
       "\"Resize(32),ToTensor,Normalize([0.5],[0.5])\" (default: "
       "ToTensor,Normalize(--mean, --std) on IDX data, ToTensor otherwise)",
       [](TrainArgs &a, const std::string &v) {
         a.transform = v;
         return true;
       }},
      {"threads", "T", "Threads for kernels (default: all cores)",
       intOption([](TrainArgs &a) -> int64_t & { return a.threads; }, 0)},
      {"amp", "MODE",
       "fp16: mixed-precision training, fp16 convolutions and GEMMs with "
       "dynamic loss scaling (CUDA training programs)",
       [](TrainArgs &a, const std::string &v) {
         a.amp = v;
         return v == "fp16";
       }},
      {"help", nullptr, "Print this help and exit",
       [](TrainArgs &a, const std::string &) {
         a.help = true;
         return true;
       }},
  };
  return list;
}

Status parse(int argc, char **argv, TrainArgs &args) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i], value;
    if (a.rfind("--", 0) == 0)
      a = a.substr(2);
    else if (a.rfind("-", 0) == 0)
      a = a.substr(1);
    else
      return invalidArgument("unexpected argument '" + a + "'");
    bool inlineValue = false;
    if (size_t eq = a.find('='); eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
      inlineValue = true;
    }
    const Option *o = nullptr;
    for (const Option &candidate : options())
      if (a == candidate.name)
        o = &candidate;
    if (!o)
      return invalidArgument("unknown option --" + a + " (see --help)");
    if (o->value && !inlineValue) {
      if (i + 1 >= argc)
        return invalidArgument("--" + a + " needs a value (" + o->value + ")");
      value = argv[++i];
    }
    if (!o->set(args, value))
      return invalidArgument("--" + a + ": '" + value + "' is not a valid " +
                             o->value);
  }
  return Status::ok();
}

Status train(const TrainArgs &args, const ProgramSpec &step,
             const ProgramSpec &eval) {
  if (!args.amp.empty())
    return unsupported("--amp " + args.amp +
                       ": mixed precision needs the CUDA training program "
                       "(qemit --target cuda)");
  Expected<Checkpoint> weights = loadCheckpoint(args.weights);
  if (!weights)
    return weights.status();
  Expected<std::unique_ptr<Program>> stepProgram =
      Program::load(step, *weights, args.weights, nullptr);
  if (!stepProgram)
    return stepProgram.status();
  Expected<std::unique_ptr<Program>> evalProgram =
      Program::load(eval, *weights, args.weights, (*stepProgram)->globals());
  if (!evalProgram)
    return evalProgram.status();
  return runTraining(
      args, *(*stepProgram)->globals(),
      [&](const std::vector<Tensor> &in, bool checkFinite) {
        return (*stepProgram)->run(in, checkFinite);
      },
      [&](const std::vector<Tensor> &in) { return (*evalProgram)->run(in); });
}

} // namespace

Status qrt::exec::runTraining(const TrainArgs &args, Globals &state,
                              const TrainStepFn &step, const ModelFn &eval) {
  Expected<DataSource> trainSet =
      openDataSource(args.data, DataRole::Train, args.transform, args.dataDir,
                     args.norm.mean, args.norm.std, "--data");
  if (!trainSet)
    return trainSet.status();
  Expected<DataSource> testSet = openDataSource(
      args.evalData.empty() ? args.data : args.evalData, DataRole::Eval,
      args.transform, args.dataDir, args.norm.mean, args.norm.std,
      "--eval-data");
  if (!testSet)
    return testSet.status();
  if (::mkdir(args.outDir.c_str(), 0755) != 0 && errno != EEXIST)
    return ioError("cannot create " + args.outDir);
  TrainLoopOptions loop = args.loop;
  loop.checkpointPath = args.outDir + "/checkpoint.qckpt";
  Expected<TrainOutcome> outcome =
      trainLoop(loop, *trainSet, *testSet, state, step, eval);
  if (!outcome)
    return outcome.status();
  if (*outcome == TrainOutcome::Finished)
    std::printf("trained state: %s\n", loop.checkpointPath.c_str());
  return Status::ok();
}

int qrt::exec::trainMainWith(
    int argc, char **argv, const std::string &name,
    const std::function<Status(const TrainArgs &)> &train) {
  preferPassiveWaitPolicy(argv);
  TrainArgs args;
  args.weights = defaultWeightsPath(name);
  if (Status s = parse(argc, argv, args); !s) {
    std::fprintf(stderr, "%s: error: %s\n", name.c_str(),
                 s.message().c_str());
    return 2;
  }
  if (args.help) {
    std::printf("%s: quantization-aware training of the emitted @train_step "
                "(qc quantize --mode qat's loop)\n\nOptions:\n",
                name.c_str());
    for (const Option &o : options())
      std::printf("  --%s%s%s\n      %s\n", o.name, o.value ? " " : "",
                  o.value ? o.value : "", o.help);
    return 0;
  }
  Status s = checkOptions(args.loop);
  if (s && args.threads > 0)
    setNumThreads(static_cast<int>(args.threads));
  if (s)
    s = train(args);
  if (!s) {
    std::fprintf(stderr, "%s: error: %s\n", name.c_str(),
                 s.message().c_str());
    // The other ranks may wait in a collective for this one: end them all.
    if (worldSize() > 1)
      collective()->abort(1);
    return 1;
  }
  return 0;
}

int qrt::exec::trainMain(int argc, char **argv, const ProgramSpec &step,
                         const ProgramSpec &eval) {
  return trainMainWith(argc, argv, step.name, [&](const TrainArgs &args) {
    return train(args, step, eval);
  });
}
