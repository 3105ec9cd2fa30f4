//===- Program.h - an emitted program's model, behind its C API -*- C++ -*-===//
//
// A program emitted by qemit is a function `void NAME_forward(Context &)`
// (one qrt::exec call per plan step) and a ProgramSpec saying where its
// inputs, outputs and weights live in the context's slots. Program loads
// the weights file (runtime/Checkpoint's format) into those slots and runs
// the function on caller tensors; the C API of the program's header
// (NAME_create / NAME_run / NAME_destroy) is a thin shell over it.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_PROGRAM_H
#define QRT_PROGRAM_H

#include "runtime/Checkpoint.h"
#include "runtime/Exec.h"
#include "runtime/ProgramMain.h"
#include "runtime/Ranges.h"
#include "runtime/Threading.h"

#include <cstdio>
#include <cstring>

#include <memory>
#include <string>
#include <vector>

namespace qrt {
namespace exec {

/// A constant of the program (a weight): its name in the weights file, its
/// slot, and what it must be.
struct ConstantSpec {
  std::string name;
  Slot slot;
  TensorInfo info;
};

/// A global of a training program's state (weights, statistics, quantizer
/// and optimizer state): "@" + name in the weights file, then the value the
/// program's global_load / global_store kernels read and rebind.
struct GlobalSpec {
  std::string name;
  TensorInfo info;
};

/// A program: where its inputs, outputs and weights live in the slots of a
/// context `Ctx` (qrt::exec::Context, or the CUDA back end's), and its
/// function over that context.
template <typename Ctx> struct BasicProgramSpec {
  std::string name;
  int32_t numSlots = 0, numSteps = 0;
  ProgramInfo signature; // inputs / outputs (-1: dynamic)
  std::vector<Slot> inputSlots, outputSlots;
  std::vector<ConstantSpec> constants;
  /// The module's globals, in the order of GlobalRef::index (empty for a
  /// stateless program).
  std::vector<GlobalSpec> globals;
  void (*forward)(Ctx &) = nullptr;
  /// Where the intermediate tensors live: the plan's layout, as qrun uses
  /// it.
  ArenaLayout arena;
};
using ProgramSpec = BasicProgramSpec<Context>;

/// The weights of `constants` in `weights` (read from `weightsPath`), in
/// their order, each checked to be there with its dtype and shape;
/// `program` names the program in errors.
Expected<std::vector<const Tensor *>>
findConstants(const std::vector<ConstantSpec> &constants,
              const std::string &program, const Checkpoint &weights,
              const std::string &weightsPath);

/// A training program's globals with their initial values ("@name"
/// tensors of `weights`, checked against `globals`).
Expected<std::shared_ptr<Globals>>
loadGlobals(const std::vector<GlobalSpec> &globals, const std::string &program,
            const Checkpoint &weights, const std::string &weightsPath);
/// Ok when `state` holds exactly `globals`, in order (the state of another
/// function of the same module).
Status checkSameGlobals(const std::vector<GlobalSpec> &globals,
                        const std::string &program, const Globals &state);

/// The options of an emitted program's main: `--weights PATH` taken out of
/// argv (default: `defaultPath`), the rest (null-terminated) for
/// programMain, and whether --help was asked.
struct WeightsOption {
  std::string weights;
  std::vector<char *> rest;
  bool help = false;
};
WeightsOption takeWeightsOption(int argc, char **argv,
                                const std::string &defaultPath);

class Program {
public:
  /// Loads the weights of `spec` from `weightsPath`, checking that every
  /// constant is there with its dtype and shape.
  /// A program with globals reads their initial values from the file too,
  /// unless it is given `state`, the globals of another function of the
  /// same module (a training program's step and evaluation share them).
  static Expected<std::unique_ptr<Program>>
  load(const ProgramSpec &spec, const std::string &weightsPath,
       std::shared_ptr<Globals> state = nullptr);
  /// The same from weights already read (`weightsPath` names them in
  /// errors): the functions of one program share one read of the file.
  static Expected<std::unique_ptr<Program>>
  load(const ProgramSpec &spec, const Checkpoint &weights,
       const std::string &weightsPath, std::shared_ptr<Globals> state);
  /// Runs the program; inputs are checked against the signature. With
  /// `checkFinite`, the first step producing a NaN or Inf fails the run.
  Expected<std::vector<Tensor>> run(const std::vector<Tensor> &inputs,
                                    bool checkFinite = false);
  /// The C API's run: caller buffers in the signature's dtypes and shapes,
  /// dimensions of -1 being `batch`; outputs are copied into `outputs`.
  Status runBuffers(int64_t batch, const void *const *inputs,
                    void *const *outputs);

  const ProgramSpec &spec() const { return spec_; }
  Context &context() { return ctx_; }
  /// The program's state (null without globals).
  const std::shared_ptr<Globals> &globals() const { return globals_; }

private:
  explicit Program(const ProgramSpec &spec) : spec_(spec) {}
  const ProgramSpec &spec_;
  Context ctx_;
  std::shared_ptr<Globals> globals_;
};

/// NAME.weights beside the running executable (where the program's CMake
/// project copies it).
std::string defaultWeightsPath(const std::string &programName);

/// Program::runBuffers over any program type with run(inputs): caller
/// buffers in the dtypes and shapes of `signature`, dimensions of -1 being
/// `batch`, wrapped as tensors; the results copied into `outputs`.
template <typename ProgramT>
Status runBuffersOf(ProgramT &program, const ProgramInfo &signature,
                    int64_t batch, const void *const *inputs,
                    void *const *outputs) {
  if (batch < 1)
    return invalidArgument("the batch size must be positive, got " +
                           std::to_string(batch));
  auto withBatch = [batch](Shape shape) {
    for (int64_t &d : shape)
      if (d == -1)
        d = batch;
    return shape;
  };
  std::vector<Tensor> in;
  for (size_t i = 0; i < signature.inputs.size(); ++i) {
    const TensorInfo &info = signature.inputs[i];
    if (!inputs[i])
      return invalidArgument("input " + std::to_string(i) + " is null");
    in.push_back(Tensor::wrap(const_cast<void *>(inputs[i]),
                              withBatch(info.shape), info.dtype));
  }
  Expected<std::vector<Tensor>> out = program.run(in);
  if (!out)
    return out.status();
  for (size_t i = 0; i < out->size(); ++i) {
    const TensorInfo &info = signature.outputs[i];
    const Tensor &t = (*out)[i];
    Shape want = withBatch(info.shape);
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

/// An emitted program's main: `--weights PATH` (default: NAME.weights
/// beside the executable) loads the weights, the other options are
/// programMain's (--calibrate writes the ranges of the program's observers).
int programMainWithWeights(int argc, char **argv, const ProgramSpec &spec);

/// programMainWithWeights over any program type: ProgramT::load(spec, path),
/// run(inputs) and context().observers() (the CPU's Program, the CUDA back
/// end's).
template <typename ProgramT, typename SpecT>
int programMainOf(int argc, char **argv, const SpecT &spec) {
  // Before anything else (programMain would re-execute without --weights).
  preferPassiveWaitPolicy(argv);
  WeightsOption opts =
      takeWeightsOption(argc, argv, defaultWeightsPath(spec.name));
  std::unique_ptr<ProgramT> program;
  if (!opts.help) {
    auto loaded = ProgramT::load(spec, opts.weights);
    if (!loaded) {
      std::fprintf(stderr, "%s: error: %s\n", spec.name.c_str(),
                   loaded.status().message().c_str());
      return 1;
    }
    program = std::move(*loaded);
  } else {
    std::printf("%s --weights PATH (default: %s)\n", spec.name.c_str(),
                opts.weights.c_str());
  }
  ProgramInfo info = spec.signature;
  info.ranges = [&]() -> Expected<std::vector<ObservedRange>> {
    if (program->context().observers().empty())
      return invalidArgument("the program has no observers (emit a function "
                             "wrapped with qnn-wrap-mode=mode=calibrate)");
    return computeRanges(program->context().observers());
  };
  return programMain(
      (int)opts.rest.size() - 1, opts.rest.data(), info,
      [&](const std::vector<Tensor> &inputs) { return program->run(inputs); });
}

} // namespace exec
} // namespace qrt

#endif // QRT_PROGRAM_H
