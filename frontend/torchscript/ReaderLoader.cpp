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

ReadFn loadReader(std::string &error) {
  static ReadFn fn = nullptr;
  static std::string loadError;
  static bool tried = false;
  if (!tried) {
    tried = true;
    const char *env = std::getenv("QOPT_TORCH_READER");
    std::string path = env && *env ? std::string(env) : defaultModulePath();
    if (void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
      fn = reinterpret_cast<ReadFn>(dlsym(handle, kReaderSymbol));
      if (!fn)
        loadError = "the TorchScript reader '" + path + "' has no " +
                    kReaderSymbol;
    } else {
      const char *why = dlerror();
      loadError = "cannot load the TorchScript reader (LibTorch): " +
                  std::string(why ? why : path);
    }
  }
  if (!fn)
    error = loadError;
  return fn;
}

} // namespace

std::optional<TsGraph> readTorchScript(const std::string &path,
                                       const ReadOptions &options,
                                       std::string &error) {
  ReadFn read = loadReader(error);
  if (!read)
    return std::nullopt;
  TsGraph graph;
  if (!read(path, options, graph, error))
    return std::nullopt;
  return graph;
}

} // namespace qopt::torch_import
