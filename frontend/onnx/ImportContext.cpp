//===- ImportContext.cpp - node inputs, outputs and attributes ------------===//

#include "frontend/onnx/ImportContext.h"

#include <cstdio>
#include <cstdlib>

using namespace mlir;

namespace qopt::onnx_import {

InFlightDiagnostic Importer::error() {
  InFlightDiagnostic diag = emitError(currentLoc);
  if (current)
    diag << nodePrefix(currentIndex);
  return diag;
}

bool Importer::hasInput(unsigned i) const {
  return i < current->inputs.size() && !current->inputs[i].empty();
}

const ConstTensor *Importer::constant(unsigned i) const {
  if (!hasInput(i))
    return nullptr;
  auto it = constants.find(current->inputs[i]);
  return it == constants.end() ? nullptr : &it->second;
}

const ConstTensor *Importer::requireConstant(unsigned i, StringRef what) {
  if (!hasInput(i)) {
    error() << what << " (input " << i << ") is required";
    return nullptr;
  }
  const ConstTensor *c = constant(i);
  if (!c)
    error() << what << " (input " << i << ", '" << current->inputs[i]
            << "') must be a constant";
  else if (!c->fullyKnown()) {
    error() << what << " (input " << i << ", '" << current->inputs[i]
            << "') depends on a dynamic dimension";
    return nullptr;
  }
  return c;
}

const ConstTensor *Importer::requireInts(unsigned i, StringRef what) {
  const ConstTensor *c = requireConstant(i, what);
  if (c && c->isFloat()) {
    error() << what << " (input " << i << ") must be an integer tensor";
    return nullptr;
  }
  return c;
}

FailureOr<Value> Importer::valueOf(const std::string &name) {
  auto it = values.find(name);
  if (it != values.end())
    return it->second;
  auto c = constants.find(name);
  if (c != constants.end()) {
    if (!c->second.fullyKnown())
      return error() << "'" << name
                     << "' depends on a dynamic dimension and cannot be "
                        "materialized as a constant";
    Value v = materialize(c->second, name);
    values[name] = v;
    return v;
  }
  auto u = unbound.find(name);
  if (u != unbound.end())
    return error() << "uses '" << name << "', an output of "
                   << nodePrefix(u->second)
                   << "that the importer does not produce";
  return error() << "input '" << name
                 << "' is not a graph input, an initializer, or the output "
                    "of an earlier node";
}

FailureOr<Value> Importer::anyInput(unsigned i) {
  if (!hasInput(i))
    return error() << "input " << i << " is required";
  return valueOf(current->inputs[i]);
}

FailureOr<Value> Importer::floatInput(unsigned i) {
  FailureOr<Value> v = anyInput(i);
  if (failed(v))
    return failure();
  auto type = dyn_cast<RankedTensorType>(v->getType());
  if (!type || !type.getElementType().isF32())
    return error() << "input " << i << " ('" << current->inputs[i]
                   << "') must be a float32 tensor, got " << v->getType();
  return v;
}

std::optional<std::vector<int64_t>> Importer::inferredShape(unsigned i) const {
  if (i >= current->outputs.size())
    return std::nullopt;
  auto it = model.valueInfo.find(current->outputs[i]);
  if (it == model.valueInfo.end() || !it->second.hasShape)
    return std::nullopt;
  return it->second.dims;
}

int64_t Importer::dimValue(unsigned i, unsigned dim) {
  if (i >= current->inputs.size())
    return kUnknown;
  const std::string &name = current->inputs[i];
  auto recorded = [&]() -> int64_t {
    auto it = dimValues.find(name);
    return it != dimValues.end() && dim < it->second.size() ? it->second[dim]
                                                            : kUnknown;
  };
  auto it = model.valueInfo.find(name);
  if (it == model.valueInfo.end() || dim >= it->second.dims.size())
    return recorded();
  const OnnxValueInfo &info = it->second;
  if (info.dims[dim] >= 0)
    return info.dims[dim];
  if (info.dimParams[dim].empty())
    return recorded();
  auto [sym, inserted] =
      symbols.try_emplace(info.dimParams[dim], (unsigned)symbols.size());
  return sym->second < kMaxSymbols - 1 ? symbolValue(sym->second) : kUnknown;
}

Value Importer::symbolSource(int64_t symbol, unsigned &dim) {
  for (const OnnxValueInfo &in : model.inputs)
    for (auto [d, param] : llvm::enumerate(in.dimParams)) {
      auto sym = symbols.find(param);
      if (param.empty() || sym == symbols.end() ||
          symbolValue(sym->second) != symbol)
        continue;
      Value v = values.lookup(in.name);
      if (v) {
        dim = d;
        return v;
      }
    }
  return Value();
}

void Importer::setDimValues(unsigned i, ArrayRef<int64_t> dims) {
  if (i < current->outputs.size() && !current->outputs[i].empty())
    dimValues[current->outputs[i]] = SmallVector<int64_t>(dims);
}

void Importer::setResult(unsigned i, Value value) {
  if (i < current->outputs.size() && !current->outputs[i].empty())
    values[current->outputs[i]] = value;
}

void Importer::setConstant(unsigned i, ConstTensor value) {
  if (i < current->outputs.size() && !current->outputs[i].empty())
    constants[current->outputs[i]] = std::move(value);
}

bool Importer::hasAttr(StringRef key) const {
  return current->attr(key.str()) != nullptr;
}

int64_t Importer::getInt(StringRef key, int64_t dflt) const {
  const OnnxAttribute *a = current->attr(key.str());
  return a && a->kind == OnnxAttribute::Kind::Int ? a->i : dflt;
}

double Importer::getFloat(StringRef key, double dflt) const {
  const OnnxAttribute *a = current->attr(key.str());
  return a && a->kind == OnnxAttribute::Kind::Float ? widen(a->f) : dflt;
}

double widen(float value) {
  // The shortest decimal that reads back as `value`: ONNX stores float32
  // attributes, and epsilon=1e-3 should print as 1e-3, not 0.0010000000474.
  char buf[32];
  for (int digits = 6; digits <= 9; ++digits) {
    std::snprintf(buf, sizeof(buf), "%.*g", digits, value);
    if (std::strtof(buf, nullptr) == value)
      return std::strtod(buf, nullptr);
  }
  return value;
}

std::string Importer::getString(StringRef key, StringRef dflt) const {
  const OnnxAttribute *a = current->attr(key.str());
  return a && a->kind == OnnxAttribute::Kind::String ? a->s : dflt.str();
}

std::optional<std::vector<int64_t>> Importer::getInts(StringRef key) const {
  const OnnxAttribute *a = current->attr(key.str());
  if (!a || a->kind != OnnxAttribute::Kind::Ints)
    return std::nullopt;
  return a->ints;
}

} // namespace qopt::onnx_import
