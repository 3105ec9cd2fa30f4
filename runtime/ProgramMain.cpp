//===- ProgramMain.cpp - the main() of an emitted program -----------------===//

#include "runtime/ProgramMain.h"
#include "runtime/Threading.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>

namespace qrt {

namespace {

/// The parsed command line; defaults as in qrun.
struct Options {
  std::vector<std::string> inputs, outputs;
  std::string eval, dataDir = kFashionMnistDir, logitsOut, calibrate, rangesOut,
      transform;
  int64_t batchSize = 100, limit = 0, repeat = 1, threads = 0,
          calibImages = 512;
  float mean = Normalization().mean, std = Normalization().std;
  bool help = false;
  std::map<std::string, int> seen; // option name -> occurrences
};

enum class Kind { List, String, Int, Float, Flag };

struct OptionSpec {
  const char *name;
  Kind kind;
  const char *valueName;
  const char *help;
};

const OptionSpec kOptions[] = {
    {"input", Kind::List, "FILE.npy",
     "A .npy file per program input, in order"},
    {"output", Kind::List, "FILE.npy",
     "A .npy file per program result, in order (default: print a summary)"},
    {"repeat", Kind::Int, "N",
     "With N > 1: after one untimed run, time N runs of the --input tensors "
     "and print the mean time per run (default 1: one run, no timing)"},
    {"eval", Kind::String, "SPEC",
     "Evaluate top-1 / top-5 accuracy on a data set: fashion-mnist (the 10k "
     "test images), folder:DIR, images:DIR, npy:X.npy[,labels=Y.npy], "
     "cifar10:DIR, ... (docs/data.md)"},
    {"calibrate", Kind::String, "SPEC",
     "Run a calibration program's observers over a data set: fashion-mnist "
     "(its training images, qc's order and batches) or any --eval SPEC; "
     "needs --ranges-out"},
    {"transform", Kind::String, "SPEC",
     "Preprocessing of --eval / --calibrate images, torchvision's names: "
     "\"Resize(32),CenterCrop(28),ToTensor,Normalize([0.5],[0.5])\" "
     "(default: ToTensor,Normalize(--mean, --std) on IDX data, ToTensor "
     "otherwise)"},
    {"calib-images", Kind::Int, "N",
     "With --calibrate: the first N training images (default 512)"},
    {"ranges-out", Kind::String, "FILE",
     "With --calibrate: write the observed ranges (runtime/Ranges.h) that "
     "qnn-apply-calibration reads"},
    {"data-dir", Kind::String, "DIR", "Directory of the IDX files"},
    {"batch-size", Kind::Int, "N",
     "Evaluation / calibration batch size (default 100)"},
    {"limit", Kind::Int, "N", "Evaluate only the first N images (0: all)"},
    {"mean", Kind::Float, "M", "Normalization mean (default 0.2860)"},
    {"std", Kind::Float, "S", "Normalization std (default 0.3530)"},
    {"logits-out", Kind::String, "FILE.npy",
     "With --eval: write every evaluated image's logits, f32 [N, classes]"},
    {"threads", Kind::Int, "T",
     "Threads for kernels (default: all cores; idle threads sleep unless "
     "OMP_WAIT_POLICY or GOMP_SPINCOUNT says otherwise)"},
    {"help", Kind::Flag, nullptr, "Print this help and exit"},
};

const OptionSpec *findOption(const std::string &name) {
  for (const OptionSpec &o : kOptions)
    if (name == o.name)
      return &o;
  return nullptr;
}

std::optional<int64_t> parseInt(const std::string &text) {
  if (text.empty())
    return std::nullopt;
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno || *end)
    return std::nullopt;
  return v;
}

std::optional<float> parseFloat(const std::string &text) {
  if (text.empty())
    return std::nullopt;
  char *end = nullptr;
  errno = 0;
  float v = std::strtof(text.c_str(), &end);
  if (errno || *end)
    return std::nullopt;
  return v;
}

Status setOption(Options &o, const OptionSpec &spec, const std::string &value) {
  std::string name = spec.name;
  if (spec.kind != Kind::List && ++o.seen[name] > 1)
    return invalidArgument("--" + name + " given more than once");
  if (spec.kind == Kind::List)
    ++o.seen[name];
  if (spec.kind == Kind::Int) {
    std::optional<int64_t> v = parseInt(value);
    if (!v)
      return invalidArgument("--" + name + ": '" + value +
                             "' is not an integer");
    if (name == "repeat" && (*v < 1 || *v > 1000000000))
      return invalidArgument("--repeat must be between 1 and 10^9");
    if (name == "batch-size" && *v < 1)
      return invalidArgument("--batch-size must be positive");
    if (name == "limit" && *v < 0)
      return invalidArgument("--limit must be >= 0 (0: all images)");
    if (name == "threads" && (*v < 0 || *v > 1 << 16))
      return invalidArgument("--threads must be >= 0");
    if (name == "calib-images" && *v < 1)
      return invalidArgument("--calib-images must be positive");
    (name == "repeat"         ? o.repeat
     : name == "batch-size"   ? o.batchSize
     : name == "limit"        ? o.limit
     : name == "calib-images" ? o.calibImages
                              : o.threads) = *v;
    return Status::ok();
  }
  if (spec.kind == Kind::Float) {
    std::optional<float> v = parseFloat(value);
    if (!v)
      return invalidArgument("--" + name + ": '" + value + "' is not a number");
    if (name == "std" && !(*v > 0))
      return invalidArgument("--std must be > 0");
    (name == "mean" ? o.mean : o.std) = *v;
    return Status::ok();
  }
  if (name == "input")
    o.inputs.push_back(value);
  else if (name == "output")
    o.outputs.push_back(value);
  else if (name == "eval")
    o.eval = value;
  else if (name == "data-dir")
    o.dataDir = value;
  else if (name == "logits-out")
    o.logitsOut = value;
  else if (name == "calibrate")
    o.calibrate = value;
  else if (name == "transform")
    o.transform = value;
  else if (name == "ranges-out")
    o.rangesOut = value;
  return Status::ok();
}

/// LLVM-style: --name value, --name=value, -name value, -name=value.
Status parse(int argc, char **argv, Options &o) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.size() < 2 || arg[0] != '-')
      return invalidArgument("unexpected argument '" + arg +
                             "' (options start with --; see --help)");
    std::string name = arg.substr(arg[1] == '-' ? 2 : 1);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (name == "h")
      name = "help";
    const OptionSpec *spec = findOption(name);
    if (!spec)
      return invalidArgument("unknown option '" + arg + "' (see --help)");
    if (spec->kind == Kind::Flag) {
      if (value)
        return invalidArgument("--" + name + " takes no value");
      o.help = true;
      continue;
    }
    if (!value) {
      if (i + 1 >= argc)
        return invalidArgument("--" + name + " needs a value (" +
                               spec->valueName + ")");
      value = argv[++i];
    }
    QRT_RETURN_IF_ERROR(setOption(o, *spec, *value));
  }
  return Status::ok();
}

std::string signature(const std::vector<TensorInfo> &list) {
  std::string s = "(";
  for (size_t i = 0; i < list.size(); ++i)
    s += (i ? ", " : "") + describe(list[i]);
  return s + ")";
}

void printHelp(const ProgramInfo &info) {
  std::printf("%s: %s\n\n", info.name.c_str(),
              info.description.empty() ? "a model compiled by qopt"
                                       : info.description.c_str());
  std::printf("  inputs  %s\n  outputs %s\n\n", signature(info.inputs).c_str(),
              signature(info.outputs).c_str());
  std::printf("USAGE: %s --input FILE.npy ... [--output FILE.npy ...] "
              "[--repeat N]\n"
              "       %s --eval fashion-mnist [--limit N] [--logits-out "
              "FILE.npy] ...\n\nOPTIONS:\n",
              info.name.c_str(), info.name.c_str());
  for (const OptionSpec &o : kOptions) {
    std::string left = std::string("--") + o.name;
    if (o.valueName)
      left += std::string(" ") + o.valueName;
    std::string help = o.help;
    if (left == "--data-dir DIR")
      help += std::string(" (default ") + kFashionMnistDir + ")";
    // Words wrapped at 80 columns, continuation lines under the text.
    std::printf("  %-20s", left.c_str());
    size_t column = 0;
    for (size_t start = 0; start < help.size();) {
      size_t end = help.find(' ', start);
      if (end == std::string::npos)
        end = help.size();
      std::string word = help.substr(start, end - start);
      if (column && column + 1 + word.size() > 56) {
        std::printf("\n%22s", "");
        column = 0;
      }
      std::printf(" %s", word.c_str());
      column += word.size() + 1;
      start = end + 1;
    }
    std::printf("\n");
  }
}

std::string describe(const Tensor &t) {
  return t.defined() ? dtypeName(t.dtype()) + shapeToString(t.shape())
                     : std::string("nothing");
}

/// `run` with every input and result checked against `info`.
ModelFn checked(const ProgramInfo &info, const RunFn &run) {
  return [&info, &run](
             const std::vector<Tensor> &in) -> Expected<std::vector<Tensor>> {
    if (in.size() != info.inputs.size())
      return invalidArgument("the program takes " +
                             std::to_string(info.inputs.size()) +
                             " input(s), got " + std::to_string(in.size()));
    for (size_t i = 0; i < in.size(); ++i)
      if (Status s = checkInput(i, info.inputs[i], in[i]); !s)
        return s;
    Expected<std::vector<Tensor>> out = run(in);
    if (!out)
      return out;
    if (out->size() != info.outputs.size())
      return Status::error(ErrorCode::Internal,
                           "the program returned " +
                               std::to_string(out->size()) +
                               " result(s), its signature has " +
                               std::to_string(info.outputs.size()));
    for (size_t i = 0; i < out->size(); ++i)
      if (!matches(info.outputs[i], (*out)[i]))
        return Status::error(
            ErrorCode::Internal,
            "result " + std::to_string(i) + " is " + describe((*out)[i]) +
                ", the program's signature says " + describe(info.outputs[i]));
    return out;
  };
}

int fail(const ProgramInfo &info, const std::string &message) {
  std::fflush(stdout);
  std::fprintf(stderr, "%s: error: %s\n", info.name.c_str(), message.c_str());
  return 1;
}

int evaluate(const ProgramInfo &info, const Options &o, const ModelFn &model) {
  if (info.inputs.size() != 1 || info.outputs.size() != 1)
    return fail(info, "--eval needs a program of one image batch returning "
                      "one logits tensor; this one is " +
                          signature(info.inputs) + " -> " +
                          signature(info.outputs));
  Expected<DataSource> data =
      openDataSource(o.eval, DataRole::Eval, o.transform, o.dataDir, o.mean,
                     o.std, "--eval");
  if (!data)
    return fail(info, data.status().message());
  Tensor logits;
  Expected<EvalResult> r =
      evaluateTop1(model, *data, o.batchSize, o.limit, "eval",
                   o.logitsOut.empty() ? nullptr : &logits);
  if (!r)
    return fail(info, r.status().message());
  std::fputs(formatTop1Line(*r, o.batchSize, getNumThreads(),
                            dataKind(o.eval))
                 .c_str(),
             stdout);
  if (!o.logitsOut.empty())
    if (Status s = writeNpy(o.logitsOut, logits); !s)
      return fail(info, s.message());
  return 0;
}

int calibrate(const ProgramInfo &info, const Options &o, const ModelFn &model) {
  if (!info.ranges)
    return fail(info, "this program cannot calibrate");
  if (o.rangesOut.empty())
    return fail(info, "--calibrate needs --ranges-out FILE");
  Expected<DataSource> data =
      openDataSource(o.calibrate, DataRole::Train, o.transform, o.dataDir,
                     o.mean, o.std, "--calibrate");
  if (!data)
    return fail(info, data.status().message());
  if (Status s = runOnImages(model, *data, o.batchSize, o.calibImages,
                             "calibrate");
      !s)
    return fail(info, s.message());
  Expected<std::vector<ObservedRange>> ranges = info.ranges();
  if (!ranges)
    return fail(info, ranges.status().message());
  if (Status s = writeRanges(o.rangesOut, *ranges); !s)
    return fail(info, s.message());
  std::printf("calibrated %zu observer(s) on %lld images: %s\n", ranges->size(),
              (long long)std::min<int64_t>(o.calibImages, data->size()),
              o.rangesOut.c_str());
  return 0;
}

int runOnFiles(const ProgramInfo &info, const Options &o,
               const ModelFn &model) {
  if (o.inputs.size() != info.inputs.size())
    return fail(info,
                "the program takes " + std::to_string(info.inputs.size()) +
                    " input(s) " + signature(info.inputs) + " but " +
                    std::to_string(o.inputs.size()) +
                    " --input file(s) were given" +
                    (o.inputs.empty() ? " (or use --eval fashion-mnist)" : ""));
  if (!o.outputs.empty() && o.outputs.size() != info.outputs.size())
    return fail(info, "the program has " + std::to_string(info.outputs.size()) +
                          " result(s) but " + std::to_string(o.outputs.size()) +
                          " --output file(s) were given");
  std::vector<Tensor> args;
  for (size_t i = 0; i < o.inputs.size(); ++i) {
    Expected<Tensor> t = readNpy(o.inputs[i]);
    if (!t)
      return fail(info, t.status().message());
    if (Status s = checkInput(i, info.inputs[i], *t); !s)
      return fail(info, s.message() + " in " + o.inputs[i]);
    args.push_back(std::move(*t));
  }
  std::vector<Tensor> results;
  Expected<double> ms =
      timeRuns(model, args, static_cast<int>(o.repeat), results);
  if (!ms)
    return fail(info, ms.status().message());
  if (o.repeat > 1)
    std::fputs(formatTimeLine(*ms, static_cast<int>(o.repeat), getNumThreads())
                   .c_str(),
               stdout);
  for (size_t i = 0; i < results.size(); ++i) {
    if (o.outputs.empty()) {
      std::fputs(formatResultSummary(i, results[i]).c_str(), stdout);
      continue;
    }
    if (Status s = writeNpy(o.outputs[i], results[i]); !s)
      return fail(info, s.message());
  }
  return 0;
}

} // namespace

bool matches(const TensorInfo &expected, const Tensor &t) {
  if (!t.defined() || t.dtype() != expected.dtype ||
      t.rank() != static_cast<int64_t>(expected.shape.size()))
    return false;
  for (size_t d = 0; d < expected.shape.size(); ++d)
    if (expected.shape[d] >= 0 && expected.shape[d] != t.shape()[d])
      return false;
  return true;
}

std::string describe(const TensorInfo &info) {
  return dtypeName(info.dtype) + shapeToString(info.shape);
}

Status checkInput(size_t index, const TensorInfo &expected, const Tensor &t) {
  if (matches(expected, t))
    return Status::ok();
  return invalidArgument("input " + std::to_string(index) + " must be " +
                         describe(expected) + " (-1: any size), got " +
                         describe(t));
}

int programMain(int argc, char **argv, const ProgramInfo &info, RunFn run) {
  preferPassiveWaitPolicy(argv);
  Options o;
  if (Status s = parse(argc, argv, o); !s)
    return fail(info, s.message());
  if (o.help) {
    printHelp(info);
    return 0;
  }
  if (o.threads > 0)
    setNumThreads(static_cast<int>(o.threads));
  ModelFn model = checked(info, run);
  int rc;
  if (!o.eval.empty() && !o.calibrate.empty())
    return fail(info, "--eval and --calibrate exclude each other");
  for (const char *calibrateOnly : {"calib-images", "ranges-out"})
    if (o.seen.count(calibrateOnly) && o.calibrate.empty())
      return fail(info,
                  std::string("--") + calibrateOnly + " needs --calibrate");
  if (!o.eval.empty() || !o.calibrate.empty()) {
    const char *mode = o.eval.empty() ? "--calibrate" : "--eval";
    for (const char *notData : {"input", "output", "repeat"})
      if (o.seen.count(notData))
        return fail(info,
                    std::string("--") + notData + " does not apply to " + mode);
    if (!o.calibrate.empty())
      for (const char *evalOnly : {"limit", "logits-out"})
        if (o.seen.count(evalOnly))
          return fail(info, std::string("--") + evalOnly + " needs --eval");
    rc = o.eval.empty() ? calibrate(info, o, model) : evaluate(info, o, model);
  } else {
    for (const char *evalOnly :
         {"data-dir", "batch-size", "limit", "mean", "std", "logits-out",
          "transform"})
      if (o.seen.count(evalOnly))
        return fail(info, std::string("--") + evalOnly + " needs --eval");
    rc = runOnFiles(info, o, model);
  }
  std::fflush(stdout);
  return rc;
}

} // namespace qrt
