//===- Importer.cpp - the ONNX graph walk ---------------------------------===//
//
// Checks the model as a whole (IR version, opset, every op supported), then
// imports graph inputs as arguments of func.func @main, nodes in graph order
// (ONNX requires topological order), and graph outputs as its results.
//
//===----------------------------------------------------------------------===//

#include "frontend/common/OpUtils.h"
#include "frontend/onnx/ImportContext.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/DialectRegistry.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;

namespace qopt::onnx_import {

static const OpTable &opTable() {
  static const OpTable table = frontend::makeOpTable<Importer>(
      {registerConvPoolOps, registerLinearOps, registerActivationOps,
       registerElementwiseOps, registerShapeOps, registerResizeOps,
       registerFoldOps, registerQuantOps, registerReduceOps,
       registerGroupNormOps});
  return table;
}

std::vector<std::string> supportedOnnxOps() {
  return frontend::opNames(opTable());
}

void registerImportDialects(DialectRegistry &registry) {
  frontend::registerGraphDialects(registry);
  registry.insert<quant::QuantDialect>();
}

Importer::Importer(MLIRContext *ctx, const OnnxModel &model, StringRef fileName,
                   const ImportOptions &options)
    : GraphBuilder(ctx, fileName, options), model(model) {}

Location Importer::nodeLoc(unsigned index) {
  const OnnxNode &n = model.nodes[index];
  std::string name =
      n.name.empty() ? n.opType + "#" + std::to_string(index) : n.name;
  // The "line" of a node's location is its index in the graph.
  return NameLoc::get(StringAttr::get(ctx, name),
                      FileLineColLoc::get(ctx, fileName, index, 0));
}

std::string Importer::nodePrefix(unsigned index) const {
  const OnnxNode &n = model.nodes[index];
  std::string prefix = "node #" + std::to_string(index) + " ";
  if (!n.name.empty())
    prefix += "'" + n.name + "' ";
  return prefix + "(" + n.opType + "): ";
}

LogicalResult Importer::checkGraph() {
  if (model.irVersion < 3)
    return emitError(fileLoc) << "ONNX IR version " << model.irVersion
                              << " is not supported (need 3 or newer)";
  if (model.opset < kMinOpset || model.opset > kMaxOpset)
    return emitError(fileLoc)
           << "opset " << model.opset
           << " of the default ONNX domain is outside the supported range ["
           << kMinOpset << ", " << kMaxOpset << "]";

  if (model.outputs.empty())
    return emitError(fileLoc) << "the graph has no outputs (a model computes "
                                 "at least one)";

  std::vector<frontend::UnsupportedNode> unsupported;
  for (auto [i, n] : llvm::enumerate(model.nodes))
    if (!n.domain.empty() || !opTable().count(n.opType))
      unsupported.push_back(
          {n.domain.empty() ? n.opType : n.domain + "." + n.opType, nodeLoc(i),
           nodePrefix(i)});
  if (!unsupported.empty())
    return emitUnsupported(unsupported);
  if (!model.shapeInferenceError.empty())
    return emitError(fileLoc)
           << "ONNX shape inference failed: " << model.shapeInferenceError;
  return success();
}

static Type elementType(MLIRContext *ctx, ElemType type) {
  switch (type) {
  case ElemType::Float:
    return Float32Type::get(ctx);
  case ElemType::Double:
    return Float64Type::get(ctx);
  case ElemType::Float16:
    return Float16Type::get(ctx);
  case ElemType::BFloat16:
    return BFloat16Type::get(ctx);
  case ElemType::Bool:
    return IntegerType::get(ctx, 1);
  case ElemType::Int8:
  case ElemType::UInt8:
    return IntegerType::get(ctx, 8);
  case ElemType::Int16:
  case ElemType::UInt16:
    return IntegerType::get(ctx, 16);
  case ElemType::Int32:
  case ElemType::UInt32:
    return IntegerType::get(ctx, 32);
  case ElemType::Int64:
  case ElemType::UInt64:
    return IntegerType::get(ctx, 64);
  default:
    return {};
  }
}

LogicalResult Importer::importInputs(func::FuncOp &func) {
  SmallVector<Type> types;
  for (const OnnxValueInfo &in : model.inputs) {
    Type elem = elementType(ctx, in.type);
    if (!elem)
      return emitError(fileLoc)
             << "graph input '" << in.name << "' has unsupported element type "
             << elemTypeName(in.type);
    if (!in.hasShape)
      return emitError(fileLoc)
             << "graph input '" << in.name
             << "' has no shape; the importer needs its rank";
    types.push_back(
        RankedTensorType::get(frontend::toMlirShape(in.dims), elem));
  }
  func = createMain(types);
  for (auto [i, in] : llvm::enumerate(model.inputs)) {
    values[in.name] = func.getArgument(i);
    func.setArgAttr(i, "onnx.name", StringAttr::get(ctx, in.name));
  }
  for (const OnnxTensor &t : model.initializers)
    constants[t.name] = ConstTensor::fromOnnx(t);
  return success();
}

LogicalResult Importer::importNode(unsigned index) {
  current = &model.nodes[index];
  currentIndex = index;
  currentLoc = nodeLoc(index);
  if (failed(opTable().lookup(current->opType)(*this)))
    return failure();
  propagateBatch();
  for (const std::string &out : current->outputs)
    if (!out.empty() && !values.count(out) && !constants.count(out))
      unbound[out] = index;
  return success();
}

/// Ops whose output 0 has the dimension 0 of their input 0: per-sample
/// ops over an N... tensor, and Concat along another axis.
static bool keepsDim0(const OnnxNode &n) {
  static const llvm::StringSet<> ops = {"Conv",
                                        "MaxPool",
                                        "AveragePool",
                                        "GlobalAveragePool",
                                        "BatchNormalization",
                                        "Relu",
                                        "LeakyRelu",
                                        "Clip",
                                        "Sigmoid",
                                        "HardSigmoid",
                                        "HardSwish",
                                        "Tanh",
                                        "Erf",
                                        "Sqrt",
                                        "Pow",
                                        "Gelu",
                                        "LayerNormalization",
                                        "InstanceNormalization",
                                        "Resize",
                                        "Identity",
                                        "Dropout",
                                        "Add",
                                        "Sub",
                                        "Mul",
                                        "Div",
                                        "PRelu"};
  if (n.opType == "Concat") {
    const OnnxAttribute *axis = n.attr("axis");
    return axis && axis->i > 0;
  }
  return ops.contains(n.opType);
}

/// Passes the folded value of dimension 0 (the batch) from input 0 to
/// output 0 where ONNX's shape inference did not name it. A broadcasting
/// operand whose dimension 0 is neither 1 nor the same value could make the
/// output's differ, so then nothing is recorded.
void Importer::propagateBatch() {
  if (current->inputs.empty() || current->outputs.empty() ||
      dimValues.count(current->outputs[0]) || !keepsDim0(*current))
    return;
  auto out = values.find(current->outputs[0]);
  auto in = values.find(current->inputs[0]);
  if (out == values.end() || in == values.end())
    return;
  ArrayRef<int64_t> outShape = frontend::shapeOf(out->second);
  ArrayRef<int64_t> inShape = frontend::shapeOf(in->second);
  if (outShape.empty() || inShape.size() != outShape.size() ||
      !ShapedType::isDynamic(outShape[0]) || !ShapedType::isDynamic(inShape[0]))
    return;
  int64_t batch = dimValue(0, 0);
  if (batch == kUnknown)
    return;
  static const llvm::StringSet<> broadcasting = {"Add", "Sub", "Mul", "Div",
                                                 "PRelu"};
  if (broadcasting.contains(current->opType))
    for (unsigned i = 1; i < current->inputs.size(); ++i) {
      auto v = values.find(current->inputs[i]);
      if (v == values.end())
        continue; // a folded constant: its dimension 0 is static
      ArrayRef<int64_t> shape = frontend::shapeOf(v->second);
      if (shape.size() == outShape.size() && shape[0] != 1 &&
          dimValue(i, 0) != batch)
        return;
    }
  SmallVector<int64_t> dims;
  for (int64_t d : outShape)
    dims.push_back(ShapedType::isDynamic(d) ? kUnknown : d);
  dims[0] = batch;
  setDimValues(0, dims);
}

LogicalResult Importer::importOutputs(func::FuncOp func) {
  current = nullptr;
  currentLoc = fileLoc;
  SmallVector<Value> results;
  for (const OnnxValueInfo &out : model.outputs) {
    FailureOr<Value> v = valueOf(out.name);
    if (failed(v))
      return failure();
    results.push_back(*v);
  }
  returnFromMain(func, results);
  for (auto [i, out] : llvm::enumerate(model.outputs))
    func.setResultAttr(i, "onnx.name", StringAttr::get(ctx, out.name));
  return success();
}

void Importer::reportVerifierError(Location loc, StringRef message) {
  std::string prefix;
  if (auto name = dyn_cast<NameLoc>(loc))
    if (auto file = dyn_cast<FileLineColLoc>(name.getChildLoc()))
      if (file.getLine() < model.nodes.size())
        prefix = nodePrefix(file.getLine());
  emitError(loc) << prefix << message;
}

LogicalResult Importer::importGraph() {
  func::FuncOp func;
  if (failed(importInputs(func)))
    return failure();
  for (unsigned i = 0; i < model.nodes.size(); ++i)
    if (failed(importNode(i)))
      return failure();
  if (failed(importOutputs(func)))
    return failure();
  fuseGroupNorms(*this, func);
  return success();
}

OwningOpRef<ModuleOp> importOnnxFile(StringRef path, MLIRContext *ctx,
                                     const ImportOptions &options) {
  DialectRegistry registry;
  registerImportDialects(registry);
  ctx->appendDialectRegistry(registry);
  ctx->loadAllAvailableDialects();
  std::string error;
  std::optional<OnnxModel> model = readOnnxModel(path.str(), error);
  if (!model) {
    emitError(FileLineColLoc::get(ctx, path, 0, 0)) << error;
    return nullptr;
  }
  return Importer(ctx, *model, path, options).run();
}

} // namespace qopt::onnx_import
