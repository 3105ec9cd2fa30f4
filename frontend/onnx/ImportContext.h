//===- ImportContext.h - the ONNX node interface of op handlers -*- C++ -*-===//
//
// The Importer (a frontend::GraphBuilder) walks the ONNX nodes in order and
// hands each one to the handler registered for its op type (ConvPool.cpp,
// Activation.cpp, Elementwise.cpp, Linear.cpp, Shape.cpp, Reduce.cpp,
// Resize.cpp, Fold.cpp, Quant.cpp). Handlers read the current node through
// this interface and bind its outputs either to SSA values or, when the value
// is known at import time, to a ConstTensor that is materialized as an
// arith.constant only if a qnn op needs it.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_FRONTEND_ONNX_IMPORTCONTEXT_H
#define QOPT_FRONTEND_ONNX_IMPORTCONTEXT_H

#include "frontend/common/GraphBuilder.h"
#include "frontend/common/SymbolicInt.h"
#include "frontend/onnx/Importer.h"
#include "frontend/onnx/OnnxModel.h"

namespace qopt::onnx_import {

/// An entry of a folded integer tensor that is only known at run time (a
/// symbolic batch size read by Shape, and what is computed from it) is
/// kUnknown. Shape of a dimension named by a dim_param gives symbolValue(id)
/// instead, so that Reshape can tell that the entry equals that dimension of
/// its input.
using frontend::isUnknown;
using frontend::kMaxSymbols;
using frontend::kUnknown;
using frontend::symbolValue;

/// A tensor whose value is known at import time. Float types keep their
/// values as float (qnn computes in f32), integer and bool types as int64.
struct ConstTensor {
  ElemType type = ElemType::Float;
  std::vector<int64_t> dims;
  std::vector<float> floats;
  std::vector<int64_t> ints;

  static ConstTensor fromOnnx(const OnnxTensor &tensor);
  static ConstTensor ofInts(std::vector<int64_t> dims,
                            std::vector<int64_t> values,
                            ElemType type = ElemType::Int64);
  static ConstTensor ofFloats(std::vector<int64_t> dims,
                              std::vector<float> values);

  bool isFloat() const;
  int64_t numElements() const;
  /// False when some entry is kUnknown.
  bool fullyKnown() const;
  double at(int64_t i) const { return isFloat() ? floats[i] : (double)ints[i]; }
  /// at(), with floats widened to the decimal they were written as; for
  /// scalars that become attributes.
  double exact(int64_t i) const;
  /// The same values in another element type (ONNX Cast).
  ConstTensor castTo(ElemType to) const;
  /// Appends entry `i` of `from`, a tensor of the same element type.
  void append(const ConstTensor &from, int64_t i);
};

/// The shortest decimal double that rounds to `value` (0.001f -> 0.001).
double widen(float value);

class Importer;
using OpTable = frontend::OpTable<Importer>;

void registerConvPoolOps(OpTable &table);
void registerLinearOps(OpTable &table);
void registerActivationOps(OpTable &table);
void registerElementwiseOps(OpTable &table);
void registerShapeOps(OpTable &table);
void registerResizeOps(OpTable &table);
void registerFoldOps(OpTable &table);
void registerQuantOps(OpTable &table);
void registerReduceOps(OpTable &table);
void registerGroupNormOps(OpTable &table);

/// Folds torch.onnx's GroupNorm chains in `func` into qnn.group_norm
/// (GroupNorm.cpp).
void fuseGroupNorms(Importer &im, mlir::func::FuncOp func);

class Importer : public frontend::GraphBuilder {
public:
  Importer(mlir::MLIRContext *ctx, const OnnxModel &model,
           llvm::StringRef fileName, const ImportOptions &options);

  //===--------------------------------------------------------------------===//
  // The node being imported, for op handlers.
  //===--------------------------------------------------------------------===//

  const OnnxNode &node() const { return *current; }
  int64_t opset() const { return model.opset; }

  /// An error at the node, already prefixed with "node #i 'name' (Op): ".
  mlir::InFlightDiagnostic error() override;

  /// True when input `i` exists and is not the empty name.
  bool hasInput(unsigned i) const;
  /// Input `i`'s import-time value, or null.
  const ConstTensor *constant(unsigned i) const;
  /// Like constant(), but emits "<what> (input i) must be a constant".
  const ConstTensor *requireConstant(unsigned i, llvm::StringRef what);
  /// requireConstant() of an integer tensor (shapes, axes, pads, indices).
  const ConstTensor *requireInts(unsigned i, llvm::StringRef what);
  /// Input `i` as an f32 tensor value (constants are materialized); emits and
  /// fails when it is missing or of another element type.
  mlir::FailureOr<mlir::Value> floatInput(unsigned i);
  /// Input `i` as a value of any type (e.g. a quantized tensor).
  mlir::FailureOr<mlir::Value> anyInput(unsigned i);
  /// Shape inference's shape of output `i` (-1: unknown), if it found one.
  std::optional<std::vector<int64_t>> inferredShape(unsigned i) const;
  /// The folded value of dimension `dim` of input `i`: its size if static,
  /// symbolValue() of its dim_param if it has one, else what an earlier
  /// handler recorded with setDimValues(), else kUnknown.
  int64_t dimValue(unsigned i, unsigned dim);
  /// Records the folded value of each dimension of output `i`. ONNX's shape
  /// inference loses the batch's dim_param after a Reshape to a computed
  /// shape; Reshape, Transpose and Slice record it here, and ops that keep
  /// dimension 0 pass it on (propagateBatch), so that the next Reshape of a
  /// channel shuffle can still solve its -1.
  void setDimValues(unsigned i, llvm::ArrayRef<int64_t> dims);

  void setResult(unsigned i, mlir::Value value) override;
  void setConstant(unsigned i, ConstTensor value);
  /// A graph input whose dimension `dim` is the run-time size `symbol` (a
  /// symbolValue() of its dim_param), or null.
  mlir::Value symbolSource(int64_t symbol, unsigned &dim);

  //===--------------------------------------------------------------------===//
  // Attributes of the current node, with ONNX defaults.
  //===--------------------------------------------------------------------===//

  bool hasAttr(llvm::StringRef key) const;
  int64_t getInt(llvm::StringRef key, int64_t dflt) const;
  /// Float attributes are float32 in ONNX; widen() gives the double a user
  /// wrote.
  double getFloat(llvm::StringRef key, double dflt) const;
  std::string getString(llvm::StringRef key, llvm::StringRef dflt) const;
  std::optional<std::vector<int64_t>> getInts(llvm::StringRef key) const;

  //===--------------------------------------------------------------------===//
  // Building.
  //===--------------------------------------------------------------------===//

  /// Materializes a folded tensor in its own element type (signless for
  /// integers); used for float operands and for integer graph outputs.
  mlir::Value materialize(const ConstTensor &value, llvm::StringRef name);

private:
  mlir::LogicalResult checkGraph() override;
  mlir::LogicalResult importGraph() override;
  void reportVerifierError(mlir::Location loc,
                           llvm::StringRef message) override;
  mlir::LogicalResult importInputs(mlir::func::FuncOp &func);
  mlir::LogicalResult importNode(unsigned index);
  void propagateBatch();
  mlir::LogicalResult importOutputs(mlir::func::FuncOp func);
  mlir::Location nodeLoc(unsigned index);
  std::string nodePrefix(unsigned index) const;
  mlir::FailureOr<mlir::Value> valueOf(const std::string &name);

  const OnnxModel &model;

  const OnnxNode *current = nullptr;
  unsigned currentIndex = 0;

  llvm::StringMap<mlir::Value> values;
  llvm::StringMap<ConstTensor> constants;
  /// Outputs a handler left unbound (e.g. Dropout's mask), by node index.
  llvm::StringMap<unsigned> unbound;
  llvm::StringMap<unsigned> symbols;
  /// setDimValues(), by value name.
  llvm::StringMap<llvm::SmallVector<int64_t>> dimValues;
};

} // namespace qopt::onnx_import

#endif // QOPT_FRONTEND_ONNX_IMPORTCONTEXT_H
