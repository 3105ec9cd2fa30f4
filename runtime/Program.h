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

struct ProgramSpec {
  std::string name;
  int32_t numSlots = 0, numSteps = 0;
  ProgramInfo signature; // inputs / outputs (-1: dynamic)
  std::vector<Slot> inputSlots, outputSlots;
  std::vector<ConstantSpec> constants;
  /// The module's globals, in the order of GlobalRef::index (empty for a
  /// stateless program).
  std::vector<GlobalSpec> globals;
  void (*forward)(Context &) = nullptr;
  /// Where the intermediate tensors live: the plan's layout, as qrun uses
  /// it.
  ArenaLayout arena;
};

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
std::string defaultWeightsPath(const ProgramSpec &spec);

/// An emitted program's main: `--weights PATH` (default: NAME.weights
/// beside the executable) loads the weights, the other options are
/// programMain's (--calibrate writes the ranges of the program's observers).
int programMainWithWeights(int argc, char **argv, const ProgramSpec &spec);

} // namespace exec
} // namespace qrt

#endif // QRT_PROGRAM_H
