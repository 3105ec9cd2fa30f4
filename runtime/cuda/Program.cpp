//===- Program.cpp - an emitted CUDA program's model ----------------------===//

#include "runtime/cuda/Program.h"
#include "runtime/Checkpoint.h"
#include "runtime/TrainProgram.h"

#include <algorithm>
#include <cstdio>

using namespace qrt;
using namespace qrt::cuda;
using namespace qrt::cuda::exec;

Expected<std::shared_ptr<DeviceState>>
DeviceState::create(std::shared_ptr<qrt::exec::Globals> host, Stream stream) {
  auto state = std::make_shared<DeviceState>();
  state->host_ = std::move(host);
  state->device_ = std::make_shared<Globals>();
  for (int32_t i = 0; i < state->host_->size(); ++i) {
    const Tensor &t = state->host_->get(i);
    Expected<DeviceTensor> d = upload(t, stream);
    if (!d)
      return d.status();
    state->device_->add(state->host_->names()[i], std::move(*d));
    state->synced_.push_back(t.rawData());
  }
  return state;
}

Status DeviceState::push(Stream stream) {
  for (int32_t i = 0; i < host_->size(); ++i) {
    const Tensor &t = host_->get(i);
    if (t.rawData() == synced_[i])
      continue;
    Expected<DeviceTensor> d = upload(t, stream);
    if (!d)
      return d.status();
    device_->set(i, std::move(*d));
    synced_[i] = t.rawData();
  }
  return Status::ok();
}

Status DeviceState::pull(Stream stream) {
  for (int32_t i = 0; i < device_->size(); ++i) {
    Expected<Tensor> h = download(device_->get(i), stream);
    if (!h)
      return h.status();
    synced_[i] = h->rawData();
    host_->set(i, std::move(*h));
  }
  return Status::ok();
}

Status DeviceState::restore(Stream stream) {
  std::fill(synced_.begin(), synced_.end(), nullptr);
  return push(stream);
}

Status Program::enableAmp(const LossScalerOptions &options) {
  QRT_RETURN_IF_ERROR(checkLossScalerOptions(options));
  if (!ownsState_)
    return invalidArgument(spec_.name + ": mixed precision is for the "
                                        "training step (a program with "
                                        "state)");
  Amp amp;
  amp.enabled = true;
  for (DeviceTensor *t : {&amp.scale, &amp.invScale}) {
    Expected<DeviceTensor> d = allocate({1}, DType::F32);
    if (!d)
      return d.status();
    *t = std::move(*d);
  }
  Expected<DeviceTensor> flag = allocate({1}, DType::I32);
  if (!flag)
    return flag.status();
  amp.foundNonFinite = std::move(*flag);
  ctx_.setAmp(std::move(amp));
  scaler_.emplace(options);
  return Status::ok();
}

/// The scale, its inverse and a zero flag, uploaded before a step.
static Status beginAmpStep(const Amp &amp, float scale, Stream stream) {
  float inv = 1.0f / scale;
  int32_t zero = 0;
  QRT_RETURN_IF_ERROR(amp.scale.owner->copyFromHost(&scale, 4, stream));
  QRT_RETURN_IF_ERROR(amp.invScale.owner->copyFromHost(&inv, 4, stream));
  return amp.foundNonFinite.owner->copyFromHost(&zero, 4, stream);
}

Expected<std::unique_ptr<Program>>
Program::load(const ProgramSpec &spec, const std::string &weightsPath) {
  Expected<Checkpoint> weights = loadCheckpoint(weightsPath);
  if (!weights)
    return weights.status();
  return load(spec, *weights, weightsPath, nullptr);
}

Expected<std::unique_ptr<Program>>
Program::load(const ProgramSpec &spec, const Checkpoint &weights,
              const std::string &weightsPath,
              std::shared_ptr<DeviceState> state) {
  Expected<std::vector<const Tensor *>> constants = qrt::exec::findConstants(
      spec.constants, spec.name, weights, weightsPath);
  if (!constants)
    return constants.status();
  std::unique_ptr<Program> p(new Program(spec));
  p->ctx_.resize(spec.numSlots, spec.numSteps);
  for (size_t i = 0; i < spec.constants.size(); ++i) {
    Expected<DeviceTensor> d = upload(*(*constants)[i], p->ctx_.stream());
    if (!d)
      return Status::error(d.status().code(),
                           "uploading '" + spec.constants[i].name +
                               "': " + d.status().message());
    p->ctx_[spec.constants[i].slot] = std::move(*d);
  }
  if (!spec.globals.empty() && state) {
    QRT_RETURN_IF_ERROR(
        qrt::exec::checkSameGlobals(spec.globals, spec.name, state->host()));
  } else if (!spec.globals.empty()) {
    Expected<std::shared_ptr<qrt::exec::Globals>> host =
        qrt::exec::loadGlobals(spec.globals, spec.name, weights, weightsPath);
    if (!host)
      return host.status();
    Expected<std::shared_ptr<DeviceState>> made =
        DeviceState::create(std::move(*host), p->ctx_.stream());
    if (!made)
      return made.status();
    state = std::move(*made);
    p->ownsState_ = true; // the step: it stores the globals
  }
  if (state)
    p->ctx_.setGlobals(state->device());
  p->state_ = std::move(state);
  QRT_RETURN_IF_ERROR(p->ctx_.setArena(spec.arena));
  return p;
}

Expected<std::vector<Tensor>> Program::run(const std::vector<Tensor> &inputs,
                                           bool checkFinite) {
  const std::vector<TensorInfo> &want = spec_.signature.inputs;
  if (inputs.size() != want.size())
    return invalidArgument("the program takes " + std::to_string(want.size()) +
                           " input(s), got " + std::to_string(inputs.size()));
  if (state_)
    QRT_RETURN_IF_ERROR(state_->push(ctx_.stream()));
  for (size_t i = 0; i < inputs.size(); ++i) {
    QRT_RETURN_IF_ERROR(qrt::checkInput(i, want[i], inputs[i]));
    Expected<DeviceTensor> d = upload(inputs[i], ctx_.stream());
    if (!d)
      return d.status();
    ctx_[spec_.inputSlots[i]] = std::move(*d);
  }
  if (scaler_)
    QRT_RETURN_IF_ERROR(
        beginAmpStep(ctx_.amp(), scaler_->scale(), ctx_.stream()));
  ctx_.beginRun(qrt::exec::batchOf(inputs));
  ctx_.setCheckFinite(checkFinite);
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
  if (scaler_) {
    int32_t overflowed = 0;
    QRT_RETURN_IF_ERROR(ctx_.amp().foundNonFinite.owner->copyToHost(
        &overflowed, 4, ctx_.stream()));
    if (!scaler_->update(overflowed != 0)) {
      // A skipped step: the device state goes back to the host mirror's,
      // which is the state before the step.
      QRT_RETURN_IF_ERROR(state_->restore(ctx_.stream()));
      return outputs;
    }
  }
  if (ownsState_)
    QRT_RETURN_IF_ERROR(state_->pull(ctx_.stream()));
  return outputs;
}

int qrt::cuda::exec::programMainWithWeights(int argc, char **argv,
                                            const ProgramSpec &spec) {
  return qrt::exec::programMainOf<Program>(argc, argv, spec);
}

int qrt::cuda::exec::trainMain(int argc, char **argv, const ProgramSpec &step,
                               const ProgramSpec &eval) {
  return qrt::exec::trainMainWith(
      argc, argv, step.name,
      [&](const qrt::exec::TrainArgs &args) -> Status {
        Expected<Checkpoint> weights = loadCheckpoint(args.weights);
        if (!weights)
          return weights.status();
        Expected<std::unique_ptr<Program>> stepProgram =
            Program::load(step, *weights, args.weights, nullptr);
        if (!stepProgram)
          return stepProgram.status();
        if (!(*stepProgram)->state())
          return invalidArgument(step.name + ": the step has no training "
                                             "state (globals)");
        Expected<std::unique_ptr<Program>> evalProgram = Program::load(
            eval, *weights, args.weights, (*stepProgram)->state());
        if (!evalProgram)
          return evalProgram.status();
        if (args.amp == "fp16")
          QRT_RETURN_IF_ERROR((*stepProgram)->enableAmp({}));
        else if (!args.amp.empty())
          return invalidArgument("--amp '" + args.amp +
                                 "' is not a mode (fp16)");
        Status trained = qrt::exec::runTraining(
            args, (*stepProgram)->state()->host(),
            [&](const std::vector<Tensor> &in, bool checkFinite) {
              return (*stepProgram)->run(in, checkFinite);
            },
            [&](const std::vector<Tensor> &in) {
              return (*evalProgram)->run(in);
            });
        if (const LossScaler *scaler = (*stepProgram)->lossScaler())
          std::printf("mixed precision (fp16): %s\n",
                      scaler->summary().c_str());
        return trained;
      });
}
