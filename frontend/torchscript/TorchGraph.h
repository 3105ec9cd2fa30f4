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
  /// The reader's handle on the tensor, for import-time evaluation
  /// (evalTorchOp); -1 when it has none.
  int handle = -1;
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
  /// The reader's handle on the node's LibTorch operation (aten:: nodes with
  /// a schema), so that the importer can run it on import-time values
  /// (evalTorchOp); -1 when it has none.
  int op = -1;
};

/// A value passed to or returned by an operation run at import time.
/// Tensors are the reader's handles: views and in-place writes into them
/// (a mask built slice by slice) act on the same LibTorch tensors.
struct TsEvalValue {
  enum class Kind {
    None,
    Bool,
    Int,
    Float,
    String,
    Device,
    IntList,
    FloatList,
    BoolList,
    Tensor,
    TensorList, // Tensor[] and Tensor?[] (-1 entries are None)
    Other
  };
  Kind kind = Kind::None;
  int64_t i = 0;
  double f = 0;
  std::string s; // String, Device; what an Other is
  std::vector<int64_t> ints;
  std::vector<double> floats;
  /// Int / Float where the value is a 0-d tensor (traced size arithmetic):
  /// passed as a long / double scalar tensor.
  bool asTensor = false;
  /// Tensor: one handle, or -1 for a run-time tensor whose values the
  /// operation must not read (new_zeros's `self`: an empty float tensor).
  std::vector<int> tensors;
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

/// Runs node operation `op` (TsNode::op) on `inputs`; false with `error`
/// set when LibTorch throws or a value cannot be passed.
bool evalTorchOp(int op, const std::vector<TsEvalValue> &inputs,
                 std::vector<TsEvalValue> &outputs, std::string &error);
/// The dims and data of tensor `handle` as they are now.
bool readTorchTensor(int handle, TsTensor &tensor, std::string &error);

/// The module's entry points, `extern "C"`:
/// bool qopt_read_torchscript(const std::string &path,
///                            const ReadOptions &options, TsGraph &graph,
///                            std::string &error);
/// bool qopt_eval_torch_op(int op, const std::vector<TsEvalValue> &inputs,
///                         std::vector<TsEvalValue> &outputs,
///                         std::string &error);
/// bool qopt_read_torch_tensor(int handle, TsTensor &tensor,
///                             std::string &error);
inline constexpr const char *kReaderSymbol = "qopt_read_torchscript";
inline constexpr const char *kEvalSymbol = "qopt_eval_torch_op";
inline constexpr const char *kTensorSymbol = "qopt_read_torch_tensor";
inline constexpr const char *kReaderModule = "libqopt-torch-reader.so";

} // namespace qopt::torch_import

#endif // QOPT_FRONTEND_TORCHSCRIPT_TORCHGRAPH_H
