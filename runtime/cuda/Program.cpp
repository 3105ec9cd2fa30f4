//===- Program.cpp - an emitted CUDA program's model ----------------------===//

#include "runtime/cuda/Program.h"
#include "runtime/Checkpoint.h"

using namespace qrt;
using namespace qrt::cuda;
using namespace qrt::cuda::exec;

Expected<std::unique_ptr<Program>>
Program::load(const ProgramSpec &spec, const std::string &weightsPath) {
  if (!spec.globals.empty())
    return unsupported(spec.name + ": a training program (with globals) does "
                                   "not run on the CUDA back end yet");
  Expected<Checkpoint> weights = loadCheckpoint(weightsPath);
  if (!weights)
    return weights.status();
  Expected<std::vector<const Tensor *>> constants = qrt::exec::findConstants(
      spec.constants, spec.name, *weights, weightsPath);
  if (!constants)
    return constants.status();
  std::unique_ptr<Program> p(new Program(spec));
  p->ctx_.resize(spec.numSlots, spec.numSteps);
  for (size_t i = 0; i < spec.constants.size(); ++i) {
    Expected<DeviceTensor> d = upload(*(*constants)[i], p->ctx_.stream());
    if (!d)
      return Status::error(d.status().code(),
                           spec.name + ": uploading '" +
                               spec.constants[i].name +
                               "': " + d.status().message());
    p->ctx_[spec.constants[i].slot] = std::move(*d);
  }
  QRT_RETURN_IF_ERROR(p->ctx_.setArena(spec.arena));
  return p;
}

Expected<std::vector<Tensor>>
Program::run(const std::vector<Tensor> &inputs) {
  const std::vector<TensorInfo> &want = spec_.signature.inputs;
  if (inputs.size() != want.size())
    return invalidArgument("the program takes " + std::to_string(want.size()) +
                           " input(s), got " + std::to_string(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i) {
    QRT_RETURN_IF_ERROR(qrt::checkInput(i, want[i], inputs[i]));
    Expected<DeviceTensor> d = upload(inputs[i], ctx_.stream());
    if (!d)
      return d.status();
    ctx_[spec_.inputSlots[i]] = std::move(*d);
  }
  ctx_.beginRun(qrt::exec::batchOf(inputs));
  spec_.forward(ctx_);
  std::vector<Tensor> outputs;
  Status status = Status::ok();
  for (Slot s : spec_.outputSlots) {
    if (!ctx_.ok())
      break;
    Expected<Tensor> h = download(ctx_[s], ctx_.stream());
    if (!h) {
      status = h.status();
      break;
    }
    outputs.push_back(std::move(*h));
  }
  for (Slot s : spec_.inputSlots)
    ctx_[s] = DeviceTensor();
  Status ran = ctx_.endRun();
  if (!ran)
    return ran;
  if (!status)
    return status;
  return outputs;
}

int qrt::cuda::exec::programMainWithWeights(int argc, char **argv,
                                            const ProgramSpec &spec) {
  return qrt::exec::programMainOf<Program>(argc, argv, spec);
}
