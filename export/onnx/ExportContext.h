//===- ExportContext.h - state of one qnn-to-ONNX export --------*- C++ -*-===//
//
// The exporter walks one function and fills the neutral OnnxModel
// (frontend/onnx/OnnxModel.h, the reader's too), which OnnxWriter.cpp turns
// into protobuf. Op handlers, one file per family (ExportOps.cpp,
// ExportQuant.cpp), use this interface.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_EXPORT_ONNX_EXPORTCONTEXT_H
#define QOPT_EXPORT_ONNX_EXPORTCONTEXT_H

#include "frontend/onnx/OnnxModel.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"

#include <optional>
#include <string>
#include <vector>

namespace qopt::onnx_export {

using onnx_import::ElemType;
using onnx_import::OnnxAttribute;
using onnx_import::OnnxModel;
using onnx_import::OnnxNode;
using onnx_import::OnnxTensor;

OnnxAttribute intAttr(int64_t v);
OnnxAttribute floatAttr(double v);
OnnxAttribute stringAttr(llvm::StringRef v);
OnnxAttribute intsAttr(llvm::ArrayRef<int64_t> v);

class ExportContext {
public:
  explicit ExportContext(OnnxModel &model) : model(model) {}

  /// The ONNX name of a value: a graph input, an earlier node's output, or a
  /// constant (emitted as an initializer on first use).
  mlir::FailureOr<std::string> name(mlir::Value v);
  /// Names `v` (a result being defined) unless a graph output already
  /// claimed it; returns the name.
  std::string define(mlir::Value v);
  /// Makes `alias` another name for the value of `of` (no node).
  void alias(mlir::Value alias, mlir::Value of);
  void setName(mlir::Value v, std::string name) { names[v] = std::move(name); }

  /// A name not used yet, from `hint`.
  std::string fresh(llvm::StringRef hint);
  /// Adds an initializer named from `hint`; returns its name.
  std::string addInitializer(llvm::StringRef hint, ElemType type,
                             std::vector<int64_t> dims, const void *data,
                             size_t bytes);
  std::string addFloats(llvm::StringRef hint, std::vector<int64_t> dims,
                        llvm::ArrayRef<float> values);
  std::string addInt64s(llvm::StringRef hint, std::vector<int64_t> dims,
                        llvm::ArrayRef<int64_t> values);

  /// Appends a node; its name comes from `at`'s NameLoc, else the op type.
  OnnxNode &addNode(llvm::StringRef opType, std::vector<std::string> inputs,
                    std::vector<std::string> outputs, mlir::Operation *at);

  /// The f32 values of a constant operand (arith.constant, dense or
  /// dense_resource), or nullopt.
  static std::optional<std::vector<float>> floatValues(mlir::Value v);

  OnnxModel &model;

private:
  llvm::DenseMap<mlir::Value, std::string> names;
  llvm::StringSet<> used;
  unsigned nodeCount = 0;
};

/// Emits the nodes computing `op`'s results. Unsupported ops or attribute
/// values: an error at the op and failure().
mlir::LogicalResult exportNetworkOp(ExportContext &ctx, mlir::Operation *op,
                                    bool &handled);
mlir::LogicalResult exportQuantOp(ExportContext &ctx, mlir::Operation *op,
                                  bool &handled);

} // namespace qopt::onnx_export

#endif // QOPT_EXPORT_ONNX_EXPORTCONTEXT_H
