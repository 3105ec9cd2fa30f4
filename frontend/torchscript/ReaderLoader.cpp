//===- ReaderLoader.cpp - open the LibTorch reader module on demand -------===//
//
// readTorchScript() (TorchGraph.h) for the MLIR side: finds
// libqopt-torch-reader.so in the lib directory next to the running tool's
// bin directory (or at $QOPT_TORCH_READER), opens it on the first call and
// forwards to its entry point. A missing or broken module is an error
// message, not a crash.
//
//===----------------------------------------------------------------------===//

#include "frontend/torchscript/TorchGraph.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstdlib>
#include <dlfcn.h>

namespace qopt::torch_import {
namespace {

using ReadFn = bool (*)(const std::string &, const ReadOptions &, TsGraph &,
                        std::string &);
using EvalFn = bool (*)(int, const std::vector<TsEvalValue> &,
                        std::vector<TsEvalValue> &, std::string &);
using TensorFn = bool (*)(int, TsTensor &, std::string &);

struct ReaderFns {
  ReadFn read = nullptr;
  EvalFn eval = nullptr;
  TensorFn tensor = nullptr;
};

/// <dir of the running tool>/../lib/<module>.
std::string defaultModulePath() {
  std::string exe = llvm::sys::fs::getMainExecutable(
      nullptr, reinterpret_cast<void *>(&defaultModulePath));
  if (exe.empty())
    return kReaderModule;
  llvm::SmallString<256> path(exe);
  llvm::sys::path::remove_filename(path);
  llvm::sys::path::append(path, "..", "lib", kReaderModule);
  return std::string(path);
}

const ReaderFns *loadReader(std::string &error) {
  static ReaderFns fns;
  static std::string loadError;
  static bool tried = false;
  if (!tried) {
    tried = true;
    const char *env = std::getenv("QOPT_TORCH_READER");
    std::string path = env && *env ? std::string(env) : defaultModulePath();
    if (void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
      fns.read = reinterpret_cast<ReadFn>(dlsym(handle, kReaderSymbol));
      fns.eval = reinterpret_cast<EvalFn>(dlsym(handle, kEvalSymbol));
      fns.tensor = reinterpret_cast<TensorFn>(dlsym(handle, kTensorSymbol));
      if (!fns.read || !fns.eval || !fns.tensor)
        loadError = "the TorchScript reader '" + path + "' lacks " +
                    kReaderSymbol + ", " + kEvalSymbol + " or " +
                    kTensorSymbol;
    } else {
      const char *why = dlerror();
      loadError = "cannot load the TorchScript reader (LibTorch): " +
                  std::string(why ? why : path);
    }
  }
  if (!fns.read || !fns.eval || !fns.tensor) {
    error = loadError;
    return nullptr;
  }
  return &fns;
}

} // namespace

std::optional<TsGraph> readTorchScript(const std::string &path,
                                       const ReadOptions &options,
                                       std::string &error) {
  const ReaderFns *fns = loadReader(error);
  if (!fns)
    return std::nullopt;
  TsGraph graph;
  if (!fns->read(path, options, graph, error))
    return std::nullopt;
  return graph;
}

bool evalTorchOp(int op, const std::vector<TsEvalValue> &inputs,
                 std::vector<TsEvalValue> &outputs, std::string &error) {
  const ReaderFns *fns = loadReader(error);
  return fns && fns->eval(op, inputs, outputs, error);
}

bool readTorchTensor(int handle, TsTensor &tensor, std::string &error) {
  const ReaderFns *fns = loadReader(error);
  return fns && fns->tensor(handle, tensor, error);
}

} // namespace qopt::torch_import
