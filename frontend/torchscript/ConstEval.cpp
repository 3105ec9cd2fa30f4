//===- ConstEval.cpp - run import-time nodes with LibTorch ----------------===//
//
// A node whose inputs are all known at import time (sizes, constants,
// parameters, tensors computed so) and that reads a tensor or has no
// handler is run by
// LibTorch itself, through the reader module, and its results become
// import-time values. This folds what a model computes from sizes alone --
// Swin's shifted-window attention mask, built by in-place writes into slices
// of a fresh tensor, and its relative position bias gathered from a table --
// with PyTorch's own semantics rather than a re-implementation per op.
// Tensors stay LibTorch tensors (handles) until a run-time op reads one, so
// views alias and in-place writes land where PyTorch's do.
//
//===----------------------------------------------------------------------===//

#include "frontend/torchscript/ImportContext.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace qopt::torch_import {

const TsTensor &Importer::tensorData(int index) {
  if (index < (int)g.tensors.size())
    return g.tensors[index];
  TsTensor &t = computed[index - g.tensors.size()];
  // Re-read: later in-place writes may have changed it.
  TsTensor fresh;
  std::string why;
  if (readTorchTensor(t.handle, fresh, why))
    t = std::move(fresh);
  return t;
}

/// A run-time `self` is passed as an empty float tensor.
bool readsOnlyDtype(llvm::StringRef kind) {
  return kind == "aten::new_zeros" || kind == "aten::new_ones" ||
         kind == "aten::new_full" || kind == "aten::new_empty";
}

std::optional<LogicalResult> Importer::evaluateNode(bool handled) {
  const TsNode &n = *current;
  if (n.op < 0)
    return std::nullopt;
  using K = TsEvalValue::Kind;
  std::vector<TsEvalValue> inputs;
  bool tensorInvolved = false;
  for (auto [i, id] : llvm::enumerate(n.inputs)) {
    TsEvalValue v;
    if (values.count(id)) {
      if (i != 0 || !readsOnlyDtype(n.kind))
        return std::nullopt;
      v.kind = K::Tensor;
      v.tensors.push_back(-1);
      inputs.push_back(v);
      continue;
    }
    auto it = foldedValues.find(id);
    if (it == foldedValues.end())
      return std::nullopt;
    const Folded &f = it->second;
    auto handleOf = [&](const Folded &t) {
      return t.kind == Folded::Kind::Tensor ? tensorData(t.tensor).handle : -1;
    };
    switch (f.kind) {
    case Folded::Kind::None:
      v.kind = K::None;
      break;
    case Folded::Kind::Bool:
      v.kind = K::Bool;
      v.i = f.i;
      break;
    case Folded::Kind::Int:
      if (isUnknown(f.i))
        return std::nullopt;
      v.kind = K::Int;
      v.i = f.i;
      v.asTensor = g.values[id].isTensor;
      break;
    case Folded::Kind::Float:
      v.kind = K::Float;
      v.f = f.f;
      v.asTensor = g.values[id].isTensor;
      break;
    case Folded::Kind::String:
      v.kind = K::String;
      v.s = f.s;
      break;
    case Folded::Kind::Device:
      v.kind = K::Device;
      v.s = f.s;
      break;
    case Folded::Kind::Tensor:
      v.kind = K::Tensor;
      v.tensors.push_back(handleOf(f));
      if (v.tensors[0] < 0)
        return std::nullopt;
      tensorInvolved = true;
      break;
    case Folded::Kind::List: {
      bool ints = true, numbers = true, bools = true, tensors = true;
      for (const Folded &e : f.items) {
        ints &= e.kind == Folded::Kind::Int && !isUnknown(e.i);
        bools &= e.kind == Folded::Kind::Bool;
        numbers &=
            e.isNumber() && !(e.kind == Folded::Kind::Int && isUnknown(e.i));
        tensors &= (e.kind == Folded::Kind::Tensor && handleOf(e) >= 0) ||
                   e.kind == Folded::Kind::None;
      }
      llvm::StringRef type = g.values[id].type;
      if (f.items.empty() ? type.starts_with("Tensor") : (tensors && !ints)) {
        v.kind = K::TensorList;
        for (const Folded &e : f.items)
          v.tensors.push_back(handleOf(e));
        tensorInvolved = true;
      } else if (f.items.empty() ? type.starts_with("float")
                                 : (numbers && !ints && !bools)) {
        v.kind = K::FloatList;
        for (const Folded &e : f.items)
          v.floats.push_back(e.number());
      } else if (!f.items.empty() && bools) {
        v.kind = K::BoolList;
        for (const Folded &e : f.items)
          v.ints.push_back(e.i);
      } else if (f.items.empty() || ints) {
        v.kind = K::IntList;
        for (const Folded &e : f.items)
          v.ints.push_back(e.i);
      } else {
        return std::nullopt;
      }
      break;
    }
    default:
      return std::nullopt;
    }
    inputs.push_back(std::move(v));
  }
  // Number and list arithmetic that has a handler stays with it (the
  // handlers keep the run-time batch symbolic); a node without one runs
  // (Swin's sum(shift_size), shift_size.copy()).
  if (handled && !tensorInvolved)
    return std::nullopt;

  std::vector<TsEvalValue> outputs;
  std::string why;
  if (!evalTorchOp(n.op, inputs, outputs, why))
    return LogicalResult(error()
                         << "LibTorch failed on import-time values: " << why);
  if (outputs.size() != n.outputs.size())
    return LogicalResult(error() << "LibTorch returned " << outputs.size()
                                 << " values, the "
                                 << "node has " << n.outputs.size());
  auto tensorFolded = [&](int handle) {
    TsTensor t;
    t.handle = handle;
    computed.push_back(std::move(t));
    Folded f;
    f.kind = Folded::Kind::Tensor;
    f.tensor = (int)(g.tensors.size() + computed.size() - 1);
    return f;
  };
  for (auto [i, v] : llvm::enumerate(outputs)) {
    Folded f;
    switch (v.kind) {
    case K::None:
      break;
    case K::Bool:
      f = Folded::ofBool(v.i != 0);
      break;
    case K::Int:
      f = Folded::ofInt(v.i);
      break;
    case K::Float:
      f = Folded::ofFloat(v.f);
      break;
    case K::String:
    case K::Device:
      f.kind =
          v.kind == K::String ? Folded::Kind::String : Folded::Kind::Device;
      f.s = v.s;
      break;
    case K::IntList:
    case K::BoolList:
      f.kind = Folded::Kind::List;
      for (int64_t e : v.ints)
        f.items.push_back(v.kind == K::IntList ? Folded::ofInt(e)
                                               : Folded::ofBool(e != 0));
      break;
    case K::FloatList:
      f.kind = Folded::Kind::List;
      for (double e : v.floats)
        f.items.push_back(Folded::ofFloat(e));
      break;
    case K::Tensor:
      f = tensorFolded(v.tensors[0]);
      break;
    case K::TensorList:
      f.kind = Folded::Kind::List;
      for (int h : v.tensors)
        f.items.push_back(tensorFolded(h));
      break;
    case K::Other:
      return LogicalResult(error() << "LibTorch returned a " << v.s
                                   << ", which the importer cannot hold");
    }
    setFolded(i, std::move(f));
  }
  return success();
}

} // namespace qopt::torch_import
