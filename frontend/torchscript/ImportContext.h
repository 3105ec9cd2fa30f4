//===- ImportContext.h - state shared by the TorchScript op handlers -*- C++ -*-===//
//
// The importer walks the frozen TorchScript graph in order and hands each node
// to the handler registered for its kind (NetworkOps.cpp, ShapeOps.cpp,
// Values.cpp). Non-tensor values (ints, lists, strings, None, and tensors
// known at import time such as parameters) are folded into `Folded` values;
// tensors computed at run time are SSA values. prim::If and prim::Loop are
// imported only when their condition / trip count folds, by importing the
// chosen block (or the body once per iteration).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_FRONTEND_TORCHSCRIPT_IMPORTCONTEXT_H
#define QOPT_FRONTEND_TORCHSCRIPT_IMPORTCONTEXT_H

#include "frontend/torchscript/Importer.h"
#include "frontend/torchscript/TorchGraph.h"

#include "dialect/QnnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <limits>
#include <map>

namespace qopt::torch_import {

/// An int known only at run time. The batch size (dimension 0 of input i,
/// which is dynamic) is batchSymbol(i), so that view(x.size(0), -1) keeps a
/// dynamic batch; arithmetic on unknowns gives kUnknown.
constexpr int64_t kUnknown = std::numeric_limits<int64_t>::min();
inline int64_t batchSymbol(unsigned input) { return kUnknown + 1 + input; }
inline bool isUnknown(int64_t v) { return v <= kUnknown + 1024; }

/// An import-time value.
struct Folded {
  enum class Kind {
    None,
    Bool,
    Int,
    Float,
    String,
    List,
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
using OpHandler = mlir::LogicalResult (*)(Importer &);
using OpTable = llvm::StringMap<OpHandler>;

void registerNetworkOps(OpTable &table);
void registerShapeOps(OpTable &table);
void registerPoolResizeOps(OpTable &table);
void registerValueOps(OpTable &table);
/// Arithmetic and comparisons on import-time numbers (Values.cpp).
mlir::LogicalResult foldScalarBinary(Importer &im);

class Importer {
public:
  Importer(mlir::MLIRContext *ctx, const TsGraph &graph,
           llvm::StringRef fileName, const ImportOptions &options);

  /// Builds and verifies the module; null after emitting diagnostics.
  mlir::OwningOpRef<mlir::ModuleOp> run();

  //===--------------------------------------------------------------------===//
  // The node being imported, for op handlers.
  //===--------------------------------------------------------------------===//

  const TsNode &node() const { return *current; }
  mlir::Location loc() const { return currentLoc; }
  mlir::OpBuilder &builder() { return b; }
  mlir::MLIRContext *context() { return ctx; }
  const TsGraph &graph() const { return g; }

  /// An error naming the node, its layer and its Python source.
  mlir::InFlightDiagnostic error();

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

  void setResult(unsigned i, mlir::Value value);
  void setFolded(unsigned i, Folded value);
  /// Binds output i to whatever input j is (identity ops).
  void forward(unsigned out, unsigned in);
  /// Replaces the value of input `i` (lists are mutable: aten::append).
  void forwardInput(unsigned i, Folded value);

  //===--------------------------------------------------------------------===//
  // Building.
  //===--------------------------------------------------------------------===//

  mlir::RankedTensorType f32Type(llvm::ArrayRef<int64_t> shape);
  mlir::Value constantF32(llvm::ArrayRef<int64_t> shape,
                          llvm::ArrayRef<float> values, llvm::StringRef name);

  template <typename OpTy, typename... Args>
  mlir::FailureOr<mlir::Value> create(Args &&...args) {
    auto op = OpTy::create(b, currentLoc, placeholderType(),
                           std::forward<Args>(args)...);
    mlir::Operation *raw = op.getOperation();
    return finishInferred(raw, [&](llvm::SmallVectorImpl<mlir::Type> &types) {
      return OpTy::inferReturnTypes(
          ctx, currentLoc, raw->getOperands(), raw->getRawDictionaryAttrs(),
          raw->getPropertiesStorage(), raw->getRegions(), types);
    });
  }

private:
  using InferFn = llvm::function_ref<mlir::LogicalResult(
      llvm::SmallVectorImpl<mlir::Type> &)>;
  mlir::Type placeholderType();
  mlir::FailureOr<mlir::Value> finishInferred(mlir::Operation *op,
                                              InferFn infer);

  /// Lists every node kind of `block` (not inside prim::If branches, which
  /// are checked when taken) that has no handler; one error, a note each.
  mlir::LogicalResult checkSupport(const TsBlock &block);
  void collectUnsupported(const TsBlock &block,
                          std::vector<const TsNode *> &out);
  mlir::LogicalResult importBlock(const TsBlock &block);
  mlir::LogicalResult importNode(const TsNode &node);
  mlir::LogicalResult importIf();
  mlir::LogicalResult importLoop();
  /// Binds `to` (a block's inputs or a node's outputs) to the values of
  /// `from`.
  void bind(llvm::ArrayRef<int> to, llvm::ArrayRef<int> from);
  mlir::LogicalResult importInputs(mlir::func::FuncOp &func);
  mlir::LogicalResult importOutputs(mlir::func::FuncOp func);
  mlir::LogicalResult verifyModule(mlir::ModuleOp module);
  mlir::Location nodeLoc(const TsNode &node);
  std::string nodePrefix(const TsNode &node) const;
  mlir::FailureOr<mlir::Value> valueOf(int id, llvm::StringRef paramRole);

  mlir::MLIRContext *ctx;
  const TsGraph &g;
  std::string fileName;
  ImportOptions options;
  mlir::OpBuilder b;
  mlir::Location fileLoc;

  const TsNode *current = nullptr;
  mlir::Location currentLoc;

  llvm::DenseMap<int, mlir::Value> values;
  llvm::DenseMap<int, Folded> foldedValues;
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
