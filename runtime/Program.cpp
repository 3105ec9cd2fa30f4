//===- Program.cpp - an emitted program's model ---------------------------===//

#include "runtime/Program.h"
#include "runtime/Checkpoint.h"
#include "runtime/Ranges.h"
#include "runtime/Threading.h"

#include <cstdio>
#include <cstring>
#include <unistd.h>

using namespace qrt;
using namespace qrt::exec;

Expected<std::unique_ptr<Program>>
Program::load(const ProgramSpec &spec, const std::string &weightsPath,
              std::shared_ptr<Globals> state) {
  Expected<Checkpoint> weights = loadCheckpoint(weightsPath);
  if (!weights)
    return weights.status();
  return load(spec, *weights, weightsPath, std::move(state));
}

Expected<std::unique_ptr<Program>>
Program::load(const ProgramSpec &spec, const Checkpoint &weights,
              const std::string &weightsPath, std::shared_ptr<Globals> state) {
  std::unique_ptr<Program> p(new Program(spec));
  p->ctx_.resize(spec.numSlots, spec.numSteps);
  for (const ConstantSpec &c : spec.constants) {
    const Tensor *t = weights.find(c.name);
    if (!t)
      return formatError(weightsPath + ": no tensor '" + c.name + "' (" +
                         spec.name + " needs it)");
    if (!matches(c.info, *t))
      return formatError(weightsPath + ": '" + c.name + "' is " +
                         dtypeName(t->dtype()) + shapeToString(t->shape()) +
                         ", " + spec.name + " needs " + describe(c.info));
    p->ctx_[c.slot] = *t;
  }
  if (!spec.globals.empty() && state) {
    // Another function of the module: the same globals, in the same order.
    bool same = state->size() == (int32_t)spec.globals.size();
    for (int32_t i = 0; same && i < state->size(); ++i)
      same = state->names()[i] == spec.globals[i].name;
    if (!same)
      return invalidArgument(spec.name + ": the state it was given is not "
                             "its module's globals");
  } else if (!spec.globals.empty()) {
    state = std::make_shared<Globals>();
    for (const GlobalSpec &g : spec.globals) {
      const Tensor *t = weights.find("@" + g.name);
      if (!t || !matches(g.info, *t))
        return formatError(weightsPath + ": no tensor '@" + g.name + "' of " +
                           describe(g.info) + " (the initial value of global "
                           "@" + g.name + ", which " + spec.name + " needs)");
      state->add(g.name, *t);
    }
  }
  p->globals_ = state;
  p->ctx_.setGlobals(std::move(state));
  QRT_RETURN_IF_ERROR(p->ctx_.setArena(spec.arena));
  return p;
}

Expected<std::vector<Tensor>> Program::run(const std::vector<Tensor> &inputs,
                                           bool checkFinite) {
  const std::vector<TensorInfo> &want = spec_.signature.inputs;
  if (inputs.size() != want.size())
    return invalidArgument("the program takes " + std::to_string(want.size()) +
                           " input(s), got " + std::to_string(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i) {
    QRT_RETURN_IF_ERROR(checkInput(i, want[i], inputs[i]));
    ctx_[spec_.inputSlots[i]] = inputs[i];
  }
  ctx_.beginRun(batchOf(inputs));
  ctx_.setCheckFinite(checkFinite);
  spec_.forward(ctx_);
  std::vector<Tensor> outputs;
  for (Slot s : spec_.outputSlots)
    outputs.push_back(ctx_[s]);
  // Inputs are the caller's: drop the references.
  for (Slot s : spec_.inputSlots)
    ctx_[s] = Tensor();
  Status status = ctx_.endRun();
  if (!status)
    return status;
  return outputs;
}

/// `shape` with its -1 dimensions set to `batch`.
static Shape withBatch(Shape shape, int64_t batch) {
  for (int64_t &d : shape)
    if (d == -1)
      d = batch;
  return shape;
}

Status Program::runBuffers(int64_t batch, const void *const *inputs,
                           void *const *outputs) {
  if (batch < 1)
    return invalidArgument("the batch size must be positive, got " +
                           std::to_string(batch));
  std::vector<Tensor> in;
  for (size_t i = 0; i < spec_.signature.inputs.size(); ++i) {
    const TensorInfo &info = spec_.signature.inputs[i];
    if (!inputs[i])
      return invalidArgument("input " + std::to_string(i) + " is null");
    in.push_back(Tensor::wrap(const_cast<void *>(inputs[i]),
                              withBatch(info.shape, batch), info.dtype));
  }
  Expected<std::vector<Tensor>> out = run(in);
  if (!out)
    return out.status();
  for (size_t i = 0; i < out->size(); ++i) {
    const TensorInfo &info = spec_.signature.outputs[i];
    const Tensor &t = (*out)[i];
    Shape want = withBatch(info.shape, batch);
    if (t.shape() != want || t.dtype() != info.dtype)
      return invalidArgument("output " + std::to_string(i) + " is " +
                             dtypeName(t.dtype()) + shapeToString(t.shape()) +
                             ", the signature says " + dtypeName(info.dtype) +
                             shapeToString(want));
    if (!outputs[i])
      return invalidArgument("output " + std::to_string(i) + " is null");
    std::memcpy(outputs[i], t.rawData(), t.nbytes());
  }
  return Status::ok();
}

/// The directory of the running executable ("." when unknown).
static std::string executableDir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0)
    return ".";
  std::string path(buf, n);
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string qrt::exec::defaultWeightsPath(const ProgramSpec &spec) {
  return executableDir() + "/" + spec.name + ".weights";
}

int qrt::exec::programMainWithWeights(int argc, char **argv,
                                      const ProgramSpec &spec) {
  // Before anything else (programMain would re-execute without --weights).
  preferPassiveWaitPolicy(argv);
  std::string weights = defaultWeightsPath(spec);
  std::vector<char *> rest;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--weights" || a == "-weights") && i + 1 < argc) {
      weights = argv[++i];
      continue;
    }
    if (a.rfind("--weights=", 0) == 0) {
      weights = a.substr(10);
      continue;
    }
    rest.push_back(argv[i]);
  }
  bool help = false;
  for (char *a : rest)
    help |= std::strcmp(a, "--help") == 0 || std::strcmp(a, "-help") == 0;
  std::unique_ptr<Program> program;
  if (!help) {
    Expected<std::unique_ptr<Program>> loaded = Program::load(spec, weights);
    if (!loaded) {
      std::fprintf(stderr, "%s: error: %s\n", spec.name.c_str(),
                   loaded.status().message().c_str());
      return 1;
    }
    program = std::move(*loaded);
  } else {
    std::printf("%s --weights PATH (default: %s)\n", spec.name.c_str(),
                weights.c_str());
  }
  rest.push_back(nullptr);
  ProgramInfo info = spec.signature;
  info.ranges = [&]() -> Expected<std::vector<ObservedRange>> {
    if (program->context().observers().empty())
      return invalidArgument("the program has no observers (emit a function "
                             "wrapped with qnn-wrap-mode=mode=calibrate)");
    return computeRanges(program->context().observers());
  };
  return programMain(
      (int)rest.size() - 1, rest.data(), info,
      [&](const std::vector<Tensor> &inputs) { return program->run(inputs); });
}
