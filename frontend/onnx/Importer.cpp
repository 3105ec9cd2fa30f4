//===- Importer.cpp - the ONNX graph walk ---------------------------------===//
//
// Checks the model as a whole (IR version, opset, every op supported), then
// imports graph inputs as arguments of func.func @main, nodes in graph order
// (ONNX requires topological order), and graph outputs as its results.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/ImportContext.h"

#include "dialect/QnnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace qopt::onnx_import {

static const OpTable &opTable() {
  static const OpTable table = [] {
    OpTable t;
    registerConvPoolOps(t);
    registerLinearOps(t);
    registerActivationOps(t);
    registerElementwiseOps(t);
    registerShapeOps(t);
    registerResizeOps(t);
    registerFoldOps(t);
    registerQuantOps(t);
    return t;
  }();
  return table;
}

std::vector<std::string> supportedOnnxOps() {
  std::vector<std::string> ops;
  for (const auto &entry : opTable())
    ops.push_back(entry.getKey().str());
  llvm::sort(ops);
  return ops;
}

void registerImportDialects(DialectRegistry &registry) {
  registry.insert<qnn::QnnDialect, func::FuncDialect, arith::ArithDialect,
                  quant::QuantDialect>();
}

Importer::Importer(MLIRContext *ctx, const OnnxModel &model, StringRef fileName,
                   const ImportOptions &options)
    : ctx(ctx), model(model), fileName(fileName.str()), options(options),
      b(ctx), currentLoc(FileLineColLoc::get(ctx, fileName, 0, 0)) {}

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

LogicalResult Importer::checkSupport(const OpTable &table) {
  Location fileLoc = FileLineColLoc::get(ctx, fileName, 0, 0);
  if (model.irVersion < 3)
    return emitError(fileLoc) << "ONNX IR version " << model.irVersion
                              << " is not supported (need 3 or newer)";
  if (model.opset < kMinOpset || model.opset > kMaxOpset)
    return emitError(fileLoc)
           << "opset " << model.opset
           << " of the default ONNX domain is outside the supported range ["
           << kMinOpset << ", " << kMaxOpset << "]";

  SmallVector<unsigned> unsupported;
  std::vector<std::string> kinds;
  for (auto [i, n] : llvm::enumerate(model.nodes)) {
    if (n.domain.empty() && table.count(n.opType))
      continue;
    unsupported.push_back(i);
    std::string kind = n.domain.empty() ? n.opType : n.domain + "." + n.opType;
    if (!llvm::is_contained(kinds, kind))
      kinds.push_back(kind);
  }
  if (!unsupported.empty()) {
    InFlightDiagnostic diag = emitError(fileLoc);
    diag << unsupported.size()
         << " node(s) use unsupported operators: " << llvm::join(kinds, ", ");
    for (unsigned i : unsupported)
      diag.attachNote(nodeLoc(i)) << nodePrefix(i) << "not supported";
    return diag;
  }
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

static SmallVector<int64_t> mlirShape(ArrayRef<int64_t> dims) {
  SmallVector<int64_t> shape;
  for (int64_t d : dims)
    shape.push_back(d < 0 ? ShapedType::kDynamic : d);
  return shape;
}

LogicalResult Importer::importInputs(func::FuncOp &func) {
  Location fileLoc = FileLineColLoc::get(ctx, fileName, 0, 0);
  SmallVector<Type> types;
  for (const OnnxValueInfo &in : model.inputs) {
    Type elem = elementType(ctx, in.type);
    if (!elem)
      return emitError(fileLoc)
             << "graph input '" << in.name << "' has unsupported element type "
             << elemTypeName(in.type);
    if (!in.hasShape)
      return emitError(fileLoc) << "graph input '" << in.name
                                << "' has no shape; qimport needs its rank";
    types.push_back(RankedTensorType::get(mlirShape(in.dims), elem));
  }
  func = func::FuncOp::create(b, fileLoc, "main",
                              FunctionType::get(ctx, types, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, in] : llvm::enumerate(model.inputs)) {
    values[in.name] = entry->getArgument(i);
    func.setArgAttr(i, "onnx.name", StringAttr::get(ctx, in.name));
  }
  for (const OnnxTensor &t : model.initializers)
    constants[t.name] = ConstTensor::fromOnnx(t);
  b.setInsertionPointToStart(entry);
  return success();
}

LogicalResult Importer::importNode(const OpTable &table, unsigned index) {
  current = &model.nodes[index];
  currentIndex = index;
  currentLoc = nodeLoc(index);
  if (failed(table.lookup(current->opType)(*this)))
    return failure();
  for (const std::string &out : current->outputs)
    if (!out.empty() && !values.count(out) && !constants.count(out))
      unbound[out] = index;
  return success();
}

LogicalResult Importer::importOutputs(func::FuncOp func) {
  Location fileLoc = FileLineColLoc::get(ctx, fileName, 0, 0);
  current = nullptr;
  currentLoc = fileLoc;
  SmallVector<Value> results;
  for (const OnnxValueInfo &out : model.outputs) {
    FailureOr<Value> v = valueOf(out.name);
    if (failed(v))
      return failure();
    results.push_back(*v);
  }
  func::ReturnOp::create(b, fileLoc, results);
  func.setType(FunctionType::get(ctx, func.getArgumentTypes(),
                                 ValueRange(results).getTypes()));
  for (auto [i, out] : llvm::enumerate(model.outputs))
    func.setResultAttr(i, "onnx.name", StringAttr::get(ctx, out.name));
  return success();
}

LogicalResult Importer::verifyModule(ModuleOp module) {
  // Verifier messages are re-emitted with the node they came from.
  SmallVector<std::pair<Location, std::string>> errors;
  LogicalResult result = success();
  {
    ScopedDiagnosticHandler capture(ctx, [&](Diagnostic &diag) {
      if (diag.getSeverity() == DiagnosticSeverity::Error)
        errors.emplace_back(diag.getLocation(), diag.str());
      return success();
    });
    result = verify(module);
  }
  for (auto &[loc, message] : errors) {
    std::string prefix;
    if (auto name = dyn_cast<NameLoc>(loc))
      if (auto file = dyn_cast<FileLineColLoc>(name.getChildLoc()))
        if (file.getLine() < model.nodes.size())
          prefix = nodePrefix(file.getLine());
    emitError(loc) << prefix << message;
  }
  if (failed(result) && errors.empty())
    return emitError(FileLineColLoc::get(ctx, fileName, 0, 0))
           << "the imported module does not verify";
  return result;
}

OwningOpRef<ModuleOp> Importer::run() {
  const OpTable &table = opTable();
  if (failed(checkSupport(table)))
    return nullptr;
  OwningOpRef<ModuleOp> module =
      ModuleOp::create(FileLineColLoc::get(ctx, fileName, 0, 0));
  b.setInsertionPointToEnd(module->getBody());
  func::FuncOp func;
  if (failed(importInputs(func)))
    return nullptr;
  for (unsigned i = 0; i < model.nodes.size(); ++i)
    if (failed(importNode(table, i)))
      return nullptr;
  if (failed(importOutputs(func)) || failed(verifyModule(*module)))
    return nullptr;
  return module;
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
