//===- GraphBuilder.h - the qnn-building core of every importer -*- C++ -*-===//
//
// Both importers (frontend/onnx, frontend/torchscript) walk a neutral graph
// that their format's reader filled and hand each node to the handler
// registered for its kind. What they share is here: the walk's frame (check
// the graph, build func.func @main, verify), creating qnn ops with inferred
// result types, f32 constants (inline or as dense_resource blobs), the
// "unsupported operators" error and verifier errors re-emitted at the node
// they came from. What a node is, how its inputs are bound and how it is
// named in a diagnostic stays with each format.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_FRONTEND_COMMON_GRAPHBUILDER_H
#define QOPT_FRONTEND_COMMON_GRAPHBUILDER_H

#include "frontend/common/ImportOptions.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"

#include <initializer_list>
#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace qopt::frontend {

/// Registers the dialects every imported module uses (qnn, func, arith).
void registerGraphDialects(mlir::DialectRegistry &registry);

/// Handlers by node kind; each imports the current node of an `ImporterT`.
template <typename ImporterT>
using OpTable = llvm::StringMap<mlir::LogicalResult (*)(ImporterT &)>;

/// The table the `registrars` (one per op family) fill.
template <typename ImporterT>
OpTable<ImporterT>
makeOpTable(std::initializer_list<void (*)(OpTable<ImporterT> &)> registrars) {
  OpTable<ImporterT> table;
  for (auto registrar : registrars)
    registrar(table);
  return table;
}

/// The kinds `table` maps, and `extra`, sorted (qimport --list-ops).
template <typename ImporterT>
std::vector<std::string> opNames(const OpTable<ImporterT> &table,
                                 std::vector<std::string> extra = {}) {
  for (const auto &entry : table)
    extra.push_back(entry.getKey().str());
  llvm::sort(extra);
  return extra;
}

/// A node no handler takes, for GraphBuilder::emitUnsupported.
struct UnsupportedNode {
  std::string kind;   // as the error lists it
  mlir::Location loc; // where its note points
  std::string prefix; // how diagnostics name the node ("node #3 (Erf): ")
};

class GraphBuilder {
public:
  virtual ~GraphBuilder() = default;

  /// Builds and verifies the module; null after emitting diagnostics.
  mlir::OwningOpRef<mlir::ModuleOp> run();

  //===--------------------------------------------------------------------===//
  // For op handlers.
  //===--------------------------------------------------------------------===//

  mlir::Location loc() const { return currentLoc; }
  mlir::OpBuilder &builder() { return b; }
  mlir::MLIRContext *context() { return ctx; }

  /// An error about the node being imported, naming it.
  virtual mlir::InFlightDiagnostic error() = 0;
  /// Binds output `i` of the node being imported to `value`.
  virtual void setResult(unsigned i, mlir::Value value) = 0;
  /// setResult(0, *result), or failure() when building it failed (the error
  /// is already emitted).
  mlir::LogicalResult bindResult(mlir::FailureOr<mlir::Value> result);

  mlir::RankedTensorType f32Type(llvm::ArrayRef<int64_t> shape);
  /// An f32 arith.constant, inline or as a dense_resource blob by size.
  mlir::Value constantF32(llvm::ArrayRef<int64_t> shape,
                          llvm::ArrayRef<float> values, llvm::StringRef name);

  /// Creates `OpTy` (whose result type qnn infers) and sets its type; shape
  /// errors from the inference are reported at the node.
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
  /// Erases `op` after the graph is imported if nothing uses it by then: the
  /// part of a pattern that a handler fused (the sigmoid of x * sigmoid(x))
  /// while a later node may still read it.
  void eraseIfUnused(mlir::Operation *op) {
    if (!llvm::is_contained(maybeUnused, op))
      maybeUnused.push_back(op);
  }

protected:
  GraphBuilder(mlir::MLIRContext *ctx, llvm::StringRef fileName,
               const GraphOptions &options);

  //===--------------------------------------------------------------------===//
  // The format's part of run().
  //===--------------------------------------------------------------------===//

  /// Checks the graph as a whole before anything is built (versions,
  /// unsupported operators).
  virtual mlir::LogicalResult checkGraph() = 0;
  /// Builds @main in the module: createMain, the nodes, returnFromMain.
  virtual mlir::LogicalResult importGraph() = 0;
  /// Re-emits an error of the verifier at `loc` with the node it came from.
  virtual void reportVerifierError(mlir::Location loc,
                                   llvm::StringRef message) = 0;

  /// func.func @main taking `argTypes`; building continues in its body.
  mlir::func::FuncOp createMain(llvm::ArrayRef<mlir::Type> argTypes);
  /// Returns `results` from `main` and sets its type.
  void returnFromMain(mlir::func::FuncOp main, mlir::ValueRange results);
  /// One error at the file listing the kinds of `nodes` ("2 node(s) use
  /// unsupported operators: Erf, CumSum"), a note per node.
  mlir::InFlightDiagnostic
  emitUnsupported(llvm::ArrayRef<UnsupportedNode> nodes);

  mlir::MLIRContext *ctx;
  std::string fileName;
  mlir::OpBuilder b;
  /// The model file, line 0: where whole-graph errors point.
  mlir::Location fileLoc;
  /// The location of the node being imported (of ops built for it).
  mlir::Location currentLoc;

private:
  using InferFn = llvm::function_ref<mlir::LogicalResult(
      llvm::SmallVectorImpl<mlir::Type> &)>;
  mlir::Type placeholderType();
  mlir::FailureOr<mlir::Value> finishInferred(mlir::Operation *op,
                                              InferFn infer);
  mlir::LogicalResult verifyModule(mlir::ModuleOp module);
  llvm::SmallVector<mlir::Operation *> maybeUnused;

  int64_t inlineElementLimit;
};

} // namespace qopt::frontend

#endif // QOPT_FRONTEND_COMMON_GRAPHBUILDER_H
