//===- Export.cpp - qnn function to the neutral OnnxModel -----------------===//
//
// Names values, turns constants into initializers, walks the ops through
// the handlers of ExportOps.cpp / ExportQuant.cpp, and hands the model to
// OnnxWriter.cpp (checker + serialization).
//
//===----------------------------------------------------------------------===//

#include "export/onnx/ExportContext.h"
#include "export/onnx/Exporter.h"
#include "export/onnx/OnnxWriter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/TypeUtilities.h"

#include <cstring>

using namespace mlir;

namespace qopt::onnx_export {

OnnxAttribute intAttr(int64_t v) {
  OnnxAttribute a;
  a.kind = OnnxAttribute::Kind::Int;
  a.i = v;
  return a;
}
OnnxAttribute floatAttr(double v) {
  OnnxAttribute a;
  a.kind = OnnxAttribute::Kind::Float;
  a.f = (float)v;
  return a;
}
OnnxAttribute stringAttr(StringRef v) {
  OnnxAttribute a;
  a.kind = OnnxAttribute::Kind::String;
  a.s = v.str();
  return a;
}
OnnxAttribute intsAttr(ArrayRef<int64_t> v) {
  OnnxAttribute a;
  a.kind = OnnxAttribute::Kind::Ints;
  a.ints.assign(v.begin(), v.end());
  return a;
}

std::string ExportContext::fresh(StringRef hint) {
  std::string base = hint.empty() ? "v" : hint.str();
  std::string n = base;
  for (unsigned i = 1; used.contains(n); ++i)
    n = base + "_" + std::to_string(i);
  used.insert(n);
  return n;
}

std::string ExportContext::addInitializer(StringRef hint, ElemType type,
                                          std::vector<int64_t> dims,
                                          const void *data, size_t bytes) {
  OnnxTensor t;
  t.name = fresh(hint);
  t.type = type;
  t.dims = std::move(dims);
  t.data.assign((const char *)data, (const char *)data + bytes);
  model.initializers.push_back(std::move(t));
  return model.initializers.back().name;
}

std::string ExportContext::addFloats(StringRef hint, std::vector<int64_t> dims,
                                     ArrayRef<float> values) {
  return addInitializer(hint, ElemType::Float, std::move(dims), values.data(),
                        values.size() * sizeof(float));
}

std::string ExportContext::addInt64s(StringRef hint, std::vector<int64_t> dims,
                                     ArrayRef<int64_t> values) {
  return addInitializer(hint, ElemType::Int64, std::move(dims), values.data(),
                        values.size() * sizeof(int64_t));
}

OnnxNode &ExportContext::addNode(StringRef opType,
                                 std::vector<std::string> inputs,
                                 std::vector<std::string> outputs,
                                 Operation *at) {
  OnnxNode node;
  std::string hint = opType.lower();
  if (at)
    if (auto loc = dyn_cast<NameLoc>(at->getLoc()))
      hint = loc.getName().str();
  node.name = "node_" + std::to_string(nodeCount++) + "_" + hint;
  node.opType = opType.str();
  node.inputs = std::move(inputs);
  node.outputs = std::move(outputs);
  model.nodes.push_back(std::move(node));
  return model.nodes.back();
}

std::string ExportContext::define(Value v) {
  auto it = names.find(v);
  if (it != names.end())
    return it->second;
  std::string hint = "v";
  if (Operation *op = v.getDefiningOp()) {
    if (auto loc = dyn_cast<NameLoc>(op->getLoc()))
      hint = loc.getName().str();
    else
      hint = op->getName().stripDialect().str();
  }
  std::string n = fresh(hint);
  names[v] = n;
  return n;
}

void ExportContext::alias(Value alias, Value of) {
  auto it = names.find(of);
  if (it != names.end())
    names[alias] = it->second;
}

/// ONNX element type of an MLIR element type; quantized types are their
/// storage type. `isUnsigned` overrides signless 8-bit integers.
static std::optional<ElemType> elemTypeOf(Type t, bool isUnsigned = false) {
  if (auto q = dyn_cast<quant::QuantizedType>(t)) {
    unsigned w = q.getStorageTypeIntegralWidth();
    if (w == 8)
      return q.isSigned() ? ElemType::Int8 : ElemType::UInt8;
    if (w == 32 && q.isSigned())
      return ElemType::Int32;
    return std::nullopt;
  }
  if (t.isF32())
    return ElemType::Float;
  if (t.isInteger(8))
    return isUnsigned || t.isUnsignedInteger() ? ElemType::UInt8
                                               : ElemType::Int8;
  if (t.isInteger(32))
    return ElemType::Int32;
  if (t.isInteger(64))
    return ElemType::Int64;
  return std::nullopt;
}

/// True when every use of `v` reinterprets it (quant.scast) as an unsigned
/// quantized type: the importer keeps uint8 data as signless i8.
static bool usedAsUnsigned(Value v) {
  if (v.use_empty())
    return false;
  for (Operation *user : v.getUsers()) {
    auto cast = dyn_cast<quant::StorageCastOp>(user);
    if (!cast)
      return false;
    auto q = dyn_cast<quant::QuantizedType>(
        getElementTypeOrSelf(cast.getResult().getType()));
    if (!q || q.isSigned())
      return false;
  }
  return true;
}

/// Raw little-endian bytes of a constant (splats expanded).
static std::optional<std::vector<char>> rawBytes(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  unsigned width = type.getElementTypeBitWidth();
  if (width % 8 != 0)
    return std::nullopt;
  size_t elemBytes = width / 8, n = type.getNumElements();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    ArrayRef<char> raw = dense.getRawData();
    if (dense.isSplat()) {
      std::vector<char> out(n * elemBytes);
      for (size_t i = 0; i < n; ++i)
        std::memcpy(out.data() + i * elemBytes, raw.data(), elemBytes);
      return out;
    }
    return std::vector<char>(raw.begin(), raw.end());
  }
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != n * elemBytes)
      return std::nullopt;
    ArrayRef<char> raw = blob->getData();
    return std::vector<char>(raw.begin(), raw.end());
  }
  return std::nullopt;
}

std::optional<std::vector<float>> ExportContext::floatValues(Value v) {
  auto cst = v.getDefiningOp<arith::ConstantOp>();
  if (!cst || !cast<ShapedType>(v.getType()).getElementType().isF32())
    return std::nullopt;
  auto attr = dyn_cast<ElementsAttr>(cst.getValue());
  if (!attr)
    return std::nullopt;
  std::optional<std::vector<char>> raw = rawBytes(attr);
  if (!raw)
    return std::nullopt;
  std::vector<float> out(raw->size() / sizeof(float));
  std::memcpy(out.data(), raw->data(), raw->size());
  return out;
}

FailureOr<std::string> ExportContext::name(Value v) {
  auto it = names.find(v);
  if (it != names.end())
    return it->second;
  auto cst = v.getDefiningOp<arith::ConstantOp>();
  if (!cst)
    return emitError(v.getLoc(), "value has no ONNX name yet");
  auto attr = dyn_cast<ElementsAttr>(cst.getValue());
  auto type = dyn_cast<RankedTensorType>(v.getType());
  std::optional<ElemType> et =
      type ? elemTypeOf(type.getElementType(), usedAsUnsigned(v))
           : std::nullopt;
  std::optional<std::vector<char>> raw =
      attr ? rawBytes(attr) : std::nullopt;
  if (!et || !raw)
    return cst.emitError("cannot export constant of type ") << v.getType();
  std::string hint = "const";
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr))
    hint = res.getRawHandle().getKey().str();
  std::string n = addInitializer(
      hint, *et, std::vector<int64_t>(type.getShape()), raw->data(),
      raw->size());
  names[v] = n;
  return n;
}

/// Graph input / output type; dynamic dimensions become dim_params (the
/// batch dimension "N").
static FailureOr<onnx_import::OnnxValueInfo>
valueInfo(Location loc, const std::string &name, Type type,
          bool isUnsigned = false) {
  auto t = dyn_cast<RankedTensorType>(type);
  std::optional<ElemType> et =
      t ? elemTypeOf(t.getElementType(), isUnsigned) : std::nullopt;
  if (!et)
    return emitError(loc, "'") << name << "' has type " << type
                               << ", which ONNX export does not take";
  onnx_import::OnnxValueInfo info;
  info.name = name;
  info.type = *et;
  info.hasShape = true;
  for (auto [i, d] : llvm::enumerate(t.getShape())) {
    info.dims.push_back(ShapedType::isDynamic(d) ? -1 : d);
    info.dimParams.push_back(!ShapedType::isDynamic(d) ? ""
                             : i == 0 ? "N"
                                      : "d" + std::to_string(i));
  }
  return info;
}

static std::string argName(func::FuncOp func, unsigned i, StringRef dflt) {
  if (auto n = func.getArgAttrOfType<StringAttr>(i, "onnx.name"))
    return n.str();
  return (dflt + std::to_string(i)).str();
}

LogicalResult exportOnnxFile(func::FuncOp func, StringRef path) {
  OnnxModel model;
  model.irVersion = 7; // the IR version of opset 13
  model.opset = kExportOpset;
  model.producer = "qopt qexport";
  ExportContext ctx(model);

  for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
    std::string n = ctx.fresh(argName(func, i, "input_"));
    FailureOr<onnx_import::OnnxValueInfo> info =
        valueInfo(func.getLoc(), n, arg.getType(), usedAsUnsigned(arg));
    if (failed(info))
      return failure();
    model.inputs.push_back(*info);
    ctx.setName(arg, n);
  }

  // Results produced by an op take the graph output's name directly; the
  // rest (arguments, constants, a value returned twice) get an Identity.
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  std::vector<std::string> outNames;
  llvm::DenseSet<Value> claimed;
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    std::string n = ctx.fresh(
        func.getResultAttrOfType<StringAttr>(i, "onnx.name")
            ? func.getResultAttrOfType<StringAttr>(i, "onnx.name").str()
            : "output_" + std::to_string(i));
    outNames.push_back(n);
    Operation *def = v.getDefiningOp();
    if (def && !isa<arith::ConstantOp, quant::StorageCastOp>(def) &&
        claimed.insert(v).second)
      ctx.setName(v, n);
  }

  for (Operation &op : func.getBody().front().without_terminator()) {
    if (isa<arith::ConstantOp>(op))
      continue; // initializers are emitted where they are used
    if (auto cast = dyn_cast<quant::StorageCastOp>(op)) {
      FailureOr<std::string> in = ctx.name(cast.getInput());
      if (failed(in))
        return failure();
      ctx.setName(cast.getResult(), *in);
      continue;
    }
    bool handled = false;
    if (failed(exportNetworkOp(ctx, &op, handled)))
      return failure();
    if (!handled && failed(exportQuantOp(ctx, &op, handled)))
      return failure();
    if (!handled)
      return op.emitError("'") << op.getName() << "' has no ONNX export";
  }

  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    FailureOr<std::string> n = ctx.name(v);
    if (failed(n))
      return failure();
    if (*n != outNames[i])
      ctx.addNode("Identity", {*n}, {outNames[i]}, nullptr);
    FailureOr<onnx_import::OnnxValueInfo> info =
        valueInfo(ret.getLoc(), outNames[i], v.getType());
    if (failed(info))
      return failure();
    model.outputs.push_back(*info);
  }

  std::string error;
  if (!writeOnnxModel(model, path.str(), error))
    return func.emitError() << error;
  return success();
}

} // namespace qopt::onnx_export
