//===- Program.h - an emitted CUDA program's model --------------*- C++ -*-===//
//
// The CUDA back end's runtime/Program.h: a program emitted with
// `qemit --target cuda` is `void NAME_forward(qrt::cuda::exec::Context &)`
// and a spec of the CPU's form. Program uploads the weights file's
// constants once, runs the function on host inputs (copied to the device)
// and copies the results back; programMainWithWeights is the CPU program's
// main (qrun's options and lines) over it.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_PROGRAM_H
#define QRT_CUDA_PROGRAM_H

#include "runtime/Program.h"
#include "runtime/cuda/Exec.h"

namespace qrt {
namespace cuda {
namespace exec {

using ProgramSpec = qrt::exec::BasicProgramSpec<Context>;

class Program {
public:
  /// Reads the weights of `spec` from `weightsPath` (checked as the CPU
  /// program checks them) and uploads them. Training programs (with
  /// globals) do not run on the device yet: refused.
  static Expected<std::unique_ptr<Program>> load(const ProgramSpec &spec,
                                                 const std::string &weightsPath);
  /// Runs the program on host tensors (checked against the signature).
  Expected<std::vector<Tensor>> run(const std::vector<Tensor> &inputs);
  /// The C API's run (qrt::exec::Program::runBuffers).
  Status runBuffers(int64_t batch, const void *const *inputs,
                    void *const *outputs) {
    return qrt::exec::runBuffersOf(*this, spec_.signature, batch, inputs,
                                   outputs);
  }

  const ProgramSpec &spec() const { return spec_; }
  Context &context() { return ctx_; }

private:
  explicit Program(const ProgramSpec &spec) : spec_(spec) {}
  const ProgramSpec &spec_;
  Context ctx_;
};

/// An emitted CUDA program's main (the CPU program's options and output).
int programMainWithWeights(int argc, char **argv, const ProgramSpec &spec);

} // namespace exec
} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_PROGRAM_H
