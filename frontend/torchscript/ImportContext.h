//===- ImportContext.h - the TorchScript node interface ---------*- C++ -*-===//
//
// The Importer (a frontend::GraphBuilder) walks the frozen TorchScript graph
// in order and hands each node to the handler registered for its kind
// (NetworkOps.cpp, ShapeOps.cpp, PoolResize.cpp, Values.cpp). Non-tensor values
// (ints, lists, strings, None, and tensors known at import time such as
// parameters) are folded into `Folded` values; tensors computed at run time are
// SSA values. prim::If and prim::Loop are imported only when their condition /
// trip count folds, by importing the chosen block (or the body once per
// iteration).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_FRONTEND_TORCHSCRIPT_IMPORTCONTEXT_H
#define QOPT_FRONTEND_TORCHSCRIPT_IMPORTCONTEXT_H

#include "frontend/common/GraphBuilder.h"
#include "frontend/common/SymbolicInt.h"
#include "frontend/torchscript/Importer.h"
#include "frontend/torchscript/TorchGraph.h"

#include "dialect/QnnOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <deque>
#include <map>

namespace qopt::torch_import {

/// An int known only at run time is kUnknown. The batch size (dimension 0 of
/// input i, which is dynamic) is batchSymbol(i), so that view(x.size(0), -1)
/// keeps a dynamic batch; arithmetic on unknowns gives kUnknown.
using frontend::isUnknown;
using frontend::kUnknown;
inline int64_t batchSymbol(unsigned input) {
  return frontend::symbolValue(input);
}

/// An import-time value.
struct Folded {
  enum class Kind {
    None,
    Bool,
    Int,
    Float,
    String,
    List,
    Dict, // items: (key, value) pairs as 2-item lists, in insertion order
    Tensor,
    Value,
    Device,
    Other
  };
  Kind kind = Kind::None;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<Folded> items; // List (and tuples)
  int tensor = -1;           // Tensor: index into TsGraph::tensors
  mlir::Value value;         // Value: a run-time tensor held in a list

  static Folded ofInt(int64_t v) {
    Folded f;
    f.kind = Kind::Int;
    f.i = v;
    return f;
  }
  static Folded ofBool(bool v) {
    Folded f;
    f.kind = Kind::Bool;
    f.i = v;
    return f;
  }
  static Folded ofFloat(double v) {
    Folded f;
    f.kind = Kind::Float;
    f.f = v;
    return f;
  }
  bool isNumber() const {
    return kind == Kind::Int || kind == Kind::Bool || kind == Kind::Float;
  }
  double number() const { return kind == Kind::Float ? f : (double)i; }
};

class Importer;
using OpTable = frontend::OpTable<Importer>;

void registerNetworkOps(OpTable &table);
void registerShapeOps(OpTable &table);
void registerPoolResizeOps(OpTable &table);
void registerValueOps(OpTable &table);
void registerContainerOps(OpTable &table);
/// Ops whose tensor `self` gives only a dtype and device (new_zeros):
/// a run-time `self` does not make them run-time (ConstEval.cpp).
bool readsOnlyDtype(llvm::StringRef kind);
/// Arithmetic and comparisons on import-time numbers (Values.cpp).
mlir::LogicalResult foldScalarBinary(Importer &im);

class Importer : public frontend::GraphBuilder {
public:
  Importer(mlir::MLIRContext *ctx, const TsGraph &graph,
           llvm::StringRef fileName, const ImportOptions &options);

  //===--------------------------------------------------------------------===//
  // The node being imported, for op handlers.
  //===--------------------------------------------------------------------===//

  const TsNode &node() const { return *current; }
  const TsGraph &graph() const { return g; }
  /// Tensor constant `index` (Folded::tensor): a TsGraph tensor, or one that
  /// import-time evaluation computed (read from LibTorch as it is now).
  const TsTensor &tensorData(int index);

  /// An error naming the node, its layer and its Python source.
  mlir::InFlightDiagnostic error() override;

  unsigned numInputs() const { return current->inputs.size(); }
  /// Input `i`'s import-time value, or null when it is a run-time tensor.
  const Folded *folded(unsigned i) const;
  bool isNone(unsigned i) const;
  /// Input `i` as an int / float / bool / int list; emits and fails when it
  /// is not known at import time or has another kind.
  mlir::FailureOr<int64_t> getInt(unsigned i, llvm::StringRef what);
  mlir::FailureOr<double> getFloat(unsigned i, llvm::StringRef what);
  mlir::FailureOr<bool> getBool(unsigned i, llvm::StringRef what);
  mlir::FailureOr<llvm::SmallVector<int64_t>> getInts(unsigned i,
                                                       llvm::StringRef what);
  /// Input `i` as an f32 tensor; frozen parameters are materialized as
  /// constants named `paramRole` under the node's layer when the state dict
  /// has that name.
  mlir::FailureOr<mlir::Value> tensor(unsigned i,
                                      llvm::StringRef paramRole = "");
  /// True when input `i` is a run-time tensor or a tensor constant.
  bool isTensor(unsigned i) const;
  /// forward's tensor input `k` (the function argument), or null.
  mlir::Value argument(unsigned k) const {
    return k < g.body.inputs.size() ? values.lookup(g.body.inputs[k])
                                    : mlir::Value();
  }

  void setResult(unsigned i, mlir::Value value) override;
  void setFolded(unsigned i, Folded value);
  /// Binds output i to whatever input j is (identity ops).
  void forward(unsigned out, unsigned in);
  /// Replaces the value of input `i` (lists are mutable: aten::append).
  void forwardInput(unsigned i, Folded value);

private:
  mlir::LogicalResult checkGraph() override;
  mlir::LogicalResult importGraph() override;
  void reportVerifierError(mlir::Location loc,
                           llvm::StringRef message) override;

  /// Lists every node kind of `block` (not inside prim::If branches, which
  /// are checked when taken) that has no handler; one error, a note each.
  mlir::LogicalResult checkSupport(const TsBlock &block);
  void collectUnsupported(const TsBlock &block,
                          std::vector<const TsNode *> &out);
  mlir::LogicalResult importBlock(const TsBlock &block);
  mlir::LogicalResult importNode(const TsNode &node);
  /// Runs the node with LibTorch when every input is known at import time
  /// and a tensor is involved (ConstEval.cpp); nullopt when it does not
  /// apply. `handled`: the node kind has a handler.
  std::optional<mlir::LogicalResult> evaluateNode(bool handled);
  mlir::LogicalResult importIf();
  mlir::LogicalResult importLoop();
  /// Binds `to` (a block's inputs or a node's outputs) to the values of
  /// `from`.
  void bind(llvm::ArrayRef<int> to, llvm::ArrayRef<int> from);
  mlir::LogicalResult importInputs(mlir::func::FuncOp &func);
  mlir::LogicalResult importOutputs(mlir::func::FuncOp func);
  mlir::Location nodeLoc(const TsNode &node);
  std::string nodePrefix(const TsNode &node) const;
  mlir::FailureOr<mlir::Value> valueOf(int id, llvm::StringRef paramRole);

  const TsGraph &g;
  ImportOptions options;

  const TsNode *current = nullptr;

  llvm::DenseMap<int, mlir::Value> values;
  llvm::DenseMap<int, Folded> foldedValues;
  /// Tensor values that depend on forward's inputs (checkSupport).
  llvm::DenseSet<int> runtimeTensors;
  /// Tensors computed at import time, index g.tensors.size() + k.
  std::deque<TsTensor> computed;
  /// Materialized parameters by (tensor, name), so a parameter used twice is
  /// one constant.
  std::map<std::pair<int, std::string>, mlir::Value> params;
  /// Nodes by identity for diagnostics: "node #i".
  llvm::DenseMap<const TsNode *, unsigned> nodeIndex;
  /// Names given to ops outside any submodule ("add", "add_1", like torch.fx).
  llvm::StringMap<unsigned> topLevelNames;
  /// Names of the state dict, to name shared (pooled) parameters by layer.
  llvm::StringMap<bool> paramNames;
  /// Diagnostic text for errors re-emitted by verification, by location.
  llvm::DenseMap<const void *, std::string> prefixByLoc;
};

} // namespace qopt::torch_import

#endif // QOPT_FRONTEND_TORCHSCRIPT_IMPORTCONTEXT_H
