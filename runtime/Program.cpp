//===- Program.cpp - an emitted program's model ---------------------------===//

#include "runtime/Program.h"
#include "runtime/Checkpoint.h"
#include "runtime/Ranges.h"
#include "runtime/Threading.h"

#include <cstdio>
#include <unistd.h>

using namespace qrt;
using namespace qrt::exec;

Expected<std::vector<const Tensor *>>
qrt::exec::findConstants(const std::vector<ConstantSpec> &constants,
                         const std::string &program, const Checkpoint &weights,
                         const std::string &weightsPath) {
  std::vector<const Tensor *> found;
  for (const ConstantSpec &c : constants) {
    const Tensor *t = weights.find(c.name);
    if (!t)
      return formatError(weightsPath + ": no tensor '" + c.name + "' (" +
                         program + " needs it)");
    if (!matches(c.info, *t))
      return formatError(weightsPath + ": '" + c.name + "' is " +
                         dtypeName(t->dtype()) + shapeToString(t->shape()) +
                         ", " + program + " needs " + describe(c.info));
    found.push_back(t);
  }
  return found;
}

Expected<std::shared_ptr<Globals>>
qrt::exec::loadGlobals(const std::vector<GlobalSpec> &globals,
                       const std::string &program, const Checkpoint &weights,
                       const std::string &weightsPath) {
  auto state = std::make_shared<Globals>();
  for (const GlobalSpec &g : globals) {
    const Tensor *t = weights.find("@" + g.name);
    if (!t || !matches(g.info, *t))
      return formatError(weightsPath + ": no tensor '@" + g.name + "' of " +
                         describe(g.info) + " (the initial value of global @" +
                         g.name + ", which " + program + " needs)");
    state->add(g.name, *t);
  }
  return state;
}

Status qrt::exec::checkSameGlobals(const std::vector<GlobalSpec> &globals,
                                   const std::string &program,
                                   const Globals &state) {
  // Another function of the module: the same globals, in the same order.
  bool same = state.size() == (int32_t)globals.size();
  for (int32_t i = 0; same && i < state.size(); ++i)
    same = state.names()[i] == globals[i].name;
  if (!same)
    return invalidArgument(program + ": the state it was given is not its "
                                     "module's globals");
  return Status::ok();
}

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
  Expected<std::vector<const Tensor *>> constants =
      findConstants(spec.constants, spec.name, weights, weightsPath);
  if (!constants)
    return constants.status();
  for (size_t i = 0; i < spec.constants.size(); ++i)
    p->ctx_[spec.constants[i].slot] = *(*constants)[i];
  if (!spec.globals.empty() && state) {
    QRT_RETURN_IF_ERROR(checkSameGlobals(spec.globals, spec.name, *state));
  } else if (!spec.globals.empty()) {
    Expected<std::shared_ptr<Globals>> loaded =
        loadGlobals(spec.globals, spec.name, weights, weightsPath);
    if (!loaded)
      return loaded.status();
    state = std::move(*loaded);
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

Status Program::runBuffers(int64_t batch, const void *const *inputs,
                           void *const *outputs) {
  return runBuffersOf(*this, spec_.signature, batch, inputs, outputs);
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

std::string qrt::exec::defaultWeightsPath(const std::string &programName) {
  return executableDir() + "/" + programName + ".weights";
}

WeightsOption qrt::exec::takeWeightsOption(int argc, char **argv,
                                           const std::string &defaultPath) {
  WeightsOption o;
  o.weights = defaultPath;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--weights" || a == "-weights") && i + 1 < argc) {
      o.weights = argv[++i];
      continue;
    }
    if (a.rfind("--weights=", 0) == 0) {
      o.weights = a.substr(10);
      continue;
    }
    o.help |= a == "--help" || a == "-help";
    o.rest.push_back(argv[i]);
  }
  o.rest.push_back(nullptr);
  return o;
}

int qrt::exec::programMainWithWeights(int argc, char **argv,
                                      const ProgramSpec &spec) {
  return programMainOf<Program>(argc, argv, spec);
}
