//===- ProgramMain.h - the main() of an emitted program ---------*- C++ -*-===//
//
// A program emitted by the code generator links only qrt; its main is
//
//   int main(int argc, char **argv) {
//     return qrt::programMain(argc, argv, kInfo, &runModel);
//   }
//
// and it takes qrun's options and prints qrun's lines (Evaluate.h), so tests
// and benchmarks drive the interpreter and compiled code alike:
//
//   prog --input x.npy [--input ...] [--output y.npy ...] [--repeat N]
//   prog --eval fashion-mnist [--data-dir D] [--batch-size 100] [--limit N]
//        [--mean 0.2860] [--std 0.3530] [--logits-out all.npy]
//   prog ... [--threads T]
//
// Options are spelled --name value, --name=value or with one dash, as LLVM's
// command line (qrun) accepts them. Any bad option, missing or unreadable
// file, or input of the wrong shape or dtype prints "<name>: error: ..." on
// stderr and returns 1; --help prints the usage and returns 0.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_PROGRAMMAIN_H
#define QRT_PROGRAMMAIN_H

#include "runtime/Evaluate.h"
#include "runtime/Ranges.h"

#include <string>
#include <vector>

namespace qrt {

/// One argument or result of the program: its dtype and shape, where -1 is
/// a dimension known only at run time (e.g. the batch).
struct TensorInfo {
  Shape shape;
  DType dtype = DType::F32;
};

/// After the model ran over the calibration images: its observers' ranges.
using RangesFn = std::function<Expected<std::vector<ObservedRange>>()>;

struct ProgramInfo {
  std::string name; // in --help and error messages
  std::vector<TensorInfo> inputs, outputs;
  std::string description; // optional; one line for --help
  /// Set for programs that may calibrate (--calibrate); null otherwise.
  RangesFn ranges;

  size_t numInputs() const { return inputs.size(); }
  size_t numOutputs() const { return outputs.size(); }
};

/// The model: `inputs` in (count, dtypes and shapes already checked against
/// ProgramInfo::inputs), its results out.
using RunFn = ModelFn;

/// Parses argv, runs `run` as asked and returns the process exit status.
/// Like qrun, it first makes OpenMP's idle threads sleep: unless
/// OMP_WAIT_POLICY or GOMP_SPINCOUNT is set, it sets OMP_WAIT_POLICY=passive
/// and re-executes the program (preferPassiveWaitPolicy, Threading.h).
int programMain(int argc, char **argv, const ProgramInfo &info, RunFn run);

/// Ok, or "input 0 must be f32[-1, 1, 28, 28] (-1: any size), got
/// u8[2, 3]": qrun's message for an input of the wrong kind.
Status checkInput(size_t index, const TensorInfo &expected, const Tensor &t);

/// True when `t` is defined and has `expected`'s dtype, rank and every
/// dimension that is not -1.
bool matches(const TensorInfo &expected, const Tensor &t);
/// "f32[-1, 1, 28, 28]", as qrun writes signatures.
std::string describe(const TensorInfo &info);

} // namespace qrt

#endif // QRT_PROGRAMMAIN_H
