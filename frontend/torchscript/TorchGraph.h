//===- TorchGraph.h - a neutral in-memory TorchScript graph -----*- C++ -*-===//
//
// The LibTorch reader (TorchReader.cpp) is the only code that sees LibTorch's
// headers: LibTorch throws c10::Error and needs RTTI, which libMLIR code is
// built without. It loads, freezes and cleans up the module and fills these
// plain structs, which the MLIR importer then reads. Nothing here depends on
// LibTorch or MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_FRONTEND_TORCHSCRIPT_TORCHGRAPH_H
#define QOPT_FRONTEND_TORCHSCRIPT_TORCHGRAPH_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qopt::torch_import {

/// A tensor constant (a frozen parameter or buffer, or a literal). Float
/// tensors of any precision keep their values as float; `dtype` says what
/// they were, so that the importer can reject what qnn does not compute in.
struct TsTensor {
  std::string dtype; // "float", "double", "half", "long", "int", "bool", ...
  std::vector<int64_t> dims;
  std::vector<float> floats; // float dtypes
  std::vector<int64_t> ints; // integer and bool dtypes
  /// The state-dict name of the parameter or buffer it was frozen from, or "".
  std::string paramName;
};

/// The value of a prim::Constant.
struct TsConstant {
  enum class Kind {
    None,
    Bool,
    Int,
    Float,
    String,
    IntList,
    FloatList,
    BoolList,
    StringList,
    Tensor,
    Device,
    Other
  };
  Kind kind = Kind::None;
  int64_t i = 0; // Bool, Int
  double f = 0;  // Float
  std::string s; // String; the printed value for Device and Other
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<std::string> strings; // StringList
  int tensor = -1; // index into TsGraph::tensors
};

struct TsNode;

struct TsBlock {
  std::vector<int> inputs; // value ids
  std::vector<int> outputs;
  std::vector<TsNode> nodes;
};

struct TsNode {
  std::string kind; // "aten::conv2d", "prim::Constant", ...
  std::vector<int> inputs;
  std::vector<int> outputs;
  std::vector<TsBlock> blocks; // prim::If, prim::Loop
  std::optional<TsConstant> constant;
  /// The dotted path of the module whose code the node came from
  /// ("layer1.0.conv1"), "" for the top-level module.
  std::string layer;
  /// Where the Python source that produced the node is, when TorchScript
  /// kept it (file "" otherwise).
  std::string file;
  int64_t line = 0, col = 0;
};

struct TsValue {
  std::string debugName;
  std::string type; // TorchScript type as printed ("Tensor", "int[]", ...)
  bool isTensor = false;
};

struct TsGraph {
  std::vector<TsValue> values;
  /// Graph inputs (without the module's `self`) and outputs.
  TsBlock body;
  std::vector<TsTensor> tensors;
  /// Every parameter and buffer name of the module's state dict.
  std::vector<std::string> stateDict;
};

struct ReadOptions {
  /// One shape per tensor input (a -1 entry is dynamic); used to let
  /// TorchScript's passes see ranks.
  std::vector<std::vector<int64_t>> inputShapes;
};

/// Loads `path`, freezes `forward` (keeping batch_norm), inlines it, turns
/// in-place ops into pure ones and propagates constants. On failure returns
/// nullopt and sets `error` to a one-line message.
///
/// The LibTorch side lives in a loadable module (libqopt-torch-reader.so,
/// next to the tools in ../lib), opened on the first call: linking LibTorch
/// into the tools would cost every run ~0.4 s of dynamic linking and static
/// initialization, TorchScript input or not.
std::optional<TsGraph> readTorchScript(const std::string &path,
                                       const ReadOptions &options,
                                       std::string &error);

/// The module's entry point, `extern "C"`:
/// bool qopt_read_torchscript(const std::string &path,
///                            const ReadOptions &options, TsGraph &graph,
///                            std::string &error);
inline constexpr const char *kReaderSymbol = "qopt_read_torchscript";
inline constexpr const char *kReaderModule = "libqopt-torch-reader.so";

} // namespace qopt::torch_import

#endif // QOPT_FRONTEND_TORCHSCRIPT_TORCHGRAPH_H
