//===- GlobalState.cpp - the values of a module's ml_program globals -------===//

#include "codegen/GlobalState.h"
#include "codegen/ExecutionPlan.h"

#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;
using namespace qopt;

FailureOr<qrt::Tensor> qopt::tensorFromAttribute(Location loc, Type type,
                                                 Attribute value) {
  FailureOr<ArgSpec> spec = argSpecOf(type);
  if (failed(spec))
    return emitError(loc) << "unsupported constant type " << type;
  qrt::Tensor t = qrt::Tensor::empty(spec->shape, spec->dtype);
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    if (dense.isSplat()) {
      // Splats store one element; broadcast it.
      size_t elemSize = qrt::dtypeSize(spec->dtype);
      const char *raw = dense.getRawData().data();
      char *out = static_cast<char *>(t.rawData());
      for (int64_t i = 0; i < t.numel(); ++i)
        std::memcpy(out + i * elemSize, raw, elemSize);
      return t;
    }
    ArrayRef<char> raw = dense.getRawData();
    if (raw.size() != t.nbytes())
      return emitError(loc) << "constant of " << raw.size()
                            << " bytes does not match its type " << type;
    std::memcpy(t.rawData(), raw.data(), raw.size());
    return t;
  }
  if (auto blob = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *data = blob.getRawHandle().getBlob();
    if (!data)
      return emitError(loc)
             << "dense resource '" << blob.getRawHandle().getKey()
             << "' has no data (was it stripped with "
                "--mlir-elide-resource-strings-if-larger?)";
    ArrayRef<char> raw = data->getData();
    if (raw.size() != t.nbytes())
      return emitError(loc)
             << "dense resource '" << blob.getRawHandle().getKey()
             << "' holds " << raw.size() << " bytes, its type " << type
             << " needs " << t.nbytes();
    std::memcpy(t.rawData(), raw.data(), raw.size());
    return t;
  }
  return emitError(loc) << "unsupported constant attribute " << value;
}

FailureOr<std::shared_ptr<GlobalState>>
GlobalState::fromModule(ModuleOp module) {
  auto state = std::make_shared<GlobalState>();
  bool ok = true;
  for (auto global : module.getOps<ml_program::GlobalOp>()) {
    std::optional<Attribute> init = global.getValue();
    if (!init) {
      global.emitError("global @")
          << global.getSymName() << " has no initial value";
      ok = false;
      continue;
    }
    FailureOr<qrt::Tensor> t =
        tensorFromAttribute(global.getLoc(), global.getType(), *init);
    if (failed(t)) {
      ok = false;
      continue;
    }
    std::string name = global.getSymName().str();
    if (auto kind = global->getAttrOfType<StringAttr>("qnn.kind"))
      state->kinds[name] = kind.str();
    state->table_->add(std::move(name), std::move(*t));
  }
  if (!ok)
    return failure();
  return state;
}

const qrt::Tensor &GlobalState::get(StringRef name) const {
  static const qrt::Tensor none;
  int32_t i = index(name);
  return i < 0 ? none : table_->get(i);
}

void GlobalState::set(StringRef name, qrt::Tensor value) {
  int32_t i = index(name);
  if (i < 0)
    i = table_->add(name.str(), qrt::Tensor());
  table_->set(i, std::move(value));
}

StringRef GlobalState::kind(StringRef name) const {
  auto it = kinds.find(name);
  return it == kinds.end() ? StringRef() : StringRef(it->second);
}

LogicalResult GlobalState::writeBack(ModuleOp module) const {
  for (auto global : module.getOps<ml_program::GlobalOp>()) {
    int32_t i = index(global.getSymName());
    if (i < 0)
      continue;
    const qrt::Tensor &t = table_->get(i);
    auto type = dyn_cast<ShapedType>(global.getType());
    if (!type || !type.getElementType().isF32() ||
        t.dtype() != qrt::DType::F32)
      return global.emitError("cannot write back global @")
             << global.getSymName() << " (only f32 tensors)";
    ArrayRef<float> data(t.data<float>(), t.numel());
    AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyInferAlign(data);
    std::string key = (global.getSymName() + ".value").str();
    // A second write-back (qc's --init, then freezing) replaces the blob
    // this function made the first time, so that the resource keeps its
    // name rather than becoming "<key>_1".
    if (auto attr = dyn_cast_if_present<DenseResourceElementsAttr>(
            global.getValueAttr());
        attr && attr.getRawHandle().getKey() == key) {
      attr.getRawHandle().getResource()->setBlob(std::move(blob));
      continue;
    }
    global.setValueAttr(
        DenseResourceElementsAttr::get(type, key, std::move(blob)));
  }
  return success();
}
