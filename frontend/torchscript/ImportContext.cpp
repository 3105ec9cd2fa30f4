//===- ImportContext.cpp - node inputs, outputs and parameters ------------===//

#include "frontend/torchscript/ImportContext.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace qopt::torch_import {

const Folded *Importer::folded(unsigned i) const {
  if (i >= current->inputs.size())
    return nullptr;
  auto it = foldedValues.find(current->inputs[i]);
  return it == foldedValues.end() ? nullptr : &it->second;
}

bool Importer::isNone(unsigned i) const {
  const Folded *f = folded(i);
  return i >= current->inputs.size() || (f && f->kind == Folded::Kind::None);
}

bool Importer::isTensor(unsigned i) const {
  if (i >= current->inputs.size())
    return false;
  if (values.count(current->inputs[i]))
    return true;
  const Folded *f = folded(i);
  return f && (f->kind == Folded::Kind::Tensor || f->kind == Folded::Kind::Value);
}

static const char *kindName(Folded::Kind k) {
  switch (k) {
  case Folded::Kind::None:
    return "None";
  case Folded::Kind::Bool:
    return "a bool";
  case Folded::Kind::Int:
    return "an int";
  case Folded::Kind::Float:
    return "a float";
  case Folded::Kind::String:
    return "a string";
  case Folded::Kind::List:
    return "a list";
  case Folded::Kind::Dict:
    return "a dict";
  case Folded::Kind::Tensor:
  case Folded::Kind::Value:
    return "a tensor";
  case Folded::Kind::Device:
    return "a device";
  case Folded::Kind::Other:
    return "an unsupported constant";
  }
  return "?";
}

FailureOr<int64_t> Importer::getInt(unsigned i, StringRef what) {
  const Folded *f = folded(i);
  if (!f || (f->kind != Folded::Kind::Int && f->kind != Folded::Kind::Bool))
    return error() << what << " (input " << i
                   << ") must be an int known at import time, got "
                   << (f ? kindName(f->kind) : "a run-time tensor");
  if (isUnknown(f->i))
    return error() << what << " (input " << i
                   << ") depends on the dynamic batch size";
  return f->i;
}

FailureOr<double> Importer::getFloat(unsigned i, StringRef what) {
  const Folded *f = folded(i);
  if (!f || !f->isNumber() || (f->kind == Folded::Kind::Int && isUnknown(f->i)))
    return error() << what << " (input " << i
                   << ") must be a number known at import time, got "
                   << (f ? kindName(f->kind) : "a run-time tensor");
  return f->number();
}

FailureOr<bool> Importer::getBool(unsigned i, StringRef what) {
  FailureOr<int64_t> v = getInt(i, what);
  if (failed(v))
    return failure();
  return *v != 0;
}

FailureOr<SmallVector<int64_t>> Importer::getInts(unsigned i, StringRef what) {
  const Folded *f = folded(i);
  SmallVector<int64_t> out;
  if (f && (f->kind == Folded::Kind::Int)) {
    out.push_back(f->i);
    return out;
  }
  if (!f || f->kind != Folded::Kind::List)
    return error() << what << " (input " << i
                   << ") must be an int list known at import time, got "
                   << (f ? kindName(f->kind) : "a run-time tensor");
  for (const Folded &item : f->items) {
    if (item.kind != Folded::Kind::Int && item.kind != Folded::Kind::Bool)
      return error() << what << " (input " << i << ") holds "
                     << kindName(item.kind) << ", not an int";
    out.push_back(item.i);
  }
  return out;
}

FailureOr<Value> Importer::valueOf(int id, StringRef paramRole) {
  auto v = values.find(id);
  if (v != values.end())
    return v->second;
  auto f = foldedValues.find(id);
  if (f == foldedValues.end())
    return error() << "uses '%" << g.values[id].debugName
                   << "', which the importer did not produce";
  if (f->second.kind == Folded::Kind::Value)
    return f->second.value;
  if (f->second.kind != Folded::Kind::Tensor)
    return error() << "'%" << g.values[id].debugName << "' is "
                   << kindName(f->second.kind) << ", not a tensor";
  int index = f->second.tensor;
  const TsTensor &t = tensorData(index);
  // Equal constants are pooled by TorchScript (every fresh BatchNorm's
  // weight is ones), so the layer and role name the parameter when the state
  // dict has that name; otherwise the name the tensor was frozen from.
  std::string name;
  std::string byLayer = current->layer + "." + paramRole.str();
  if (!paramRole.empty() && !current->layer.empty() &&
      paramNames.count(byLayer))
    name = byLayer;
  else
    name = t.paramName;
  // 0-d tensors are wrapped scalars (tracing turns `0.5 * y` into a double
  // tensor); any number type converts.
  bool scalar = t.dims.empty();
  if (t.dtype != "float" && !(scalar && t.dtype != "half" && t.dtype != "bfloat16"))
    return error() << "tensor '" << (name.empty() ? g.values[id].debugName : name)
                   << "' has dtype " << t.dtype
                   << "; qnn computes in float32 only";
  auto key = std::make_pair(index, name);
  auto cached = params.find(key);
  if (cached != params.end())
    return cached->second;
  std::string blob = name.empty() ? g.values[id].debugName : name;
  std::vector<float> data = t.floats;
  if (data.empty())
    for (int64_t v : t.ints)
      data.push_back((float)v);
  Value c = constantF32(t.dims, data, blob);
  if (!name.empty())
    c.getDefiningOp()->setAttr("qnn.param", StringAttr::get(ctx, name));
  params[key] = c;
  return c;
}

FailureOr<Value> Importer::tensor(unsigned i, StringRef paramRole) {
  if (i >= current->inputs.size())
    return error() << "input " << i << " is missing";
  return valueOf(current->inputs[i], paramRole);
}

void Importer::setResult(unsigned i, Value value) {
  if (i >= current->outputs.size())
    return;
  foldedValues.erase(current->outputs[i]);
  values[current->outputs[i]] = value;
}

void Importer::setFolded(unsigned i, Folded value) {
  if (i >= current->outputs.size())
    return;
  if (value.kind == Folded::Kind::Value)
    return setResult(i, value.value);
  values.erase(current->outputs[i]);
  foldedValues[current->outputs[i]] = std::move(value);
}

void Importer::forward(unsigned out, unsigned in) {
  int from = current->inputs[in];
  auto v = values.find(from);
  if (v != values.end())
    return setResult(out, v->second);
  auto f = foldedValues.find(from);
  if (f != foldedValues.end()) {
    Folded copy = f->second;
    setFolded(out, std::move(copy));
  }
}

void Importer::forwardInput(unsigned i, Folded value) {
  foldedValues[current->inputs[i]] = std::move(value);
}

} // namespace qopt::torch_import
