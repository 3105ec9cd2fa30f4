//===- Program.h - an emitted CUDA program's model --------------*- C++ -*-===//
//
// The CUDA back end's runtime/Program.h: a program emitted with
// `qemit --target cuda` is `void NAME_<role>(qrt::cuda::exec::Context &)`
// and a spec of the CPU's form. Program uploads the weights file's
// constants once, runs a function on host inputs (copied to the device)
// and copies the results back; programMainWithWeights is the CPU program's
// main (qrun's options and lines) over it.
//
// A training program's state lives on the device (DeviceState). The
// training loop (TrainLoop.h) reads it on the host — checkpoints, the
// per-step finiteness check, undo, resume — so after each step the stored
// globals are copied back into a host mirror, and host values the loop
// replaced are uploaded before the next run.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_PROGRAM_H
#define QRT_CUDA_PROGRAM_H

#include "runtime/LossScaler.h"
#include "runtime/Program.h"
#include "runtime/cuda/Exec.h"

#include <optional>

namespace qrt {
namespace cuda {
namespace exec {

using ProgramSpec = qrt::exec::BasicProgramSpec<Context>;

/// The globals of a training program on the device and their host mirror.
class DeviceState {
public:
  /// Uploads `host` (the globals' values from the weights file).
  static Expected<std::shared_ptr<DeviceState>>
  create(std::shared_ptr<qrt::exec::Globals> host, Stream stream);
  const std::shared_ptr<Globals> &device() const { return device_; }
  qrt::exec::Globals &host() { return *host_; }
  /// Uploads the host globals replaced since the last push / pull (a
  /// restored checkpoint, an undone step).
  Status push(Stream stream);
  /// Copies every device global into a new host tensor of the mirror.
  Status pull(Stream stream);
  /// Uploads every host global: the device state as it was at the last
  /// push / pull (a mixed-precision step whose gradients overflowed is
  /// undone so).
  Status restore(Stream stream);

private:
  std::shared_ptr<qrt::exec::Globals> host_;
  std::shared_ptr<Globals> device_;
  std::vector<const void *> synced_; // the host bytes equal to the device's
};

class Program {
public:
  /// Reads the weights of `spec` from `weightsPath` (checked as the CPU
  /// program checks them) and uploads them.
  static Expected<std::unique_ptr<Program>> load(const ProgramSpec &spec,
                                                 const std::string &weightsPath);
  /// The same from weights already read. A function with globals uses
  /// `state` (another function of the module's) or makes its own from the
  /// weights' "@name" tensors.
  static Expected<std::unique_ptr<Program>>
  load(const ProgramSpec &spec, const Checkpoint &weights,
       const std::string &weightsPath, std::shared_ptr<DeviceState> state);
  /// Runs the program on host tensors (checked against the signature); the
  /// training state, if any, is pushed before, and pulled after by the
  /// program that made it (the step, which stores it).
  Expected<std::vector<Tensor>> run(const std::vector<Tensor> &inputs,
                                    bool checkFinite = false);
  /// Mixed-precision training for the runs to come (the step program's
  /// --amp fp16): see Amp in Exec.h. A run whose gradients overflowed is
  /// undone (the state restored from the host mirror) and the scale backs
  /// off, as LossScaler says.
  Status enableAmp(const LossScalerOptions &options);
  /// The loss scaler of an Amp program (null otherwise).
  const LossScaler *lossScaler() const {
    return scaler_ ? &*scaler_ : nullptr;
  }

  /// The C API's run (qrt::exec::Program::runBuffers).
  Status runBuffers(int64_t batch, const void *const *inputs,
                    void *const *outputs) {
    return qrt::exec::runBuffersOf(*this, spec_.signature, batch, inputs,
                                   outputs);
  }

  const ProgramSpec &spec() const { return spec_; }
  Context &context() { return ctx_; }
  /// The training state (null without globals).
  const std::shared_ptr<DeviceState> &state() const { return state_; }

private:
  explicit Program(const ProgramSpec &spec) : spec_(spec) {}
  const ProgramSpec &spec_;
  Context ctx_;
  std::shared_ptr<DeviceState> state_;
  bool ownsState_ = false; // made the state: pulls it after each run
  std::optional<LossScaler> scaler_;
};

/// An emitted CUDA program's main (the CPU program's options and output).
int programMainWithWeights(int argc, char **argv, const ProgramSpec &spec);

/// An emitted CUDA training program's main: the CPU training program's
/// options, loop and checkpoints (qrt::exec::trainMain), the step and the
/// evaluation on the device; `--amp fp16` trains in mixed precision.
int trainMain(int argc, char **argv, const ProgramSpec &step,
              const ProgramSpec &eval);

} // namespace exec
} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_PROGRAM_H
