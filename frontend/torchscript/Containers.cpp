//===- Containers.cpp - import-time dicts and list mutation ---------------===//
//
// Scripted torchvision backbones pass feature maps in dicts
// (IntermediateLayerGetter, FeaturePyramidNetwork: OrderedDict of name ->
// tensor) and build lists in loops (results.insert(0, ...), extend, a
// reversed range). All of it folds at import time, like lists: a dict is a
// Folded::Kind::Dict of (key, value) pairs in insertion order, mutation
// replaces the folded value of the mutated input (as aten::append does).
//
//===----------------------------------------------------------------------===//

#include "frontend/torchscript/ImportContext.h"

#include <algorithm>

using namespace mlir;

namespace qopt::torch_import {

/// Input `i` as a folded item: an import-time value, or a run-time tensor.
static FailureOr<Folded> itemOf(Importer &im, unsigned i) {
  if (const Folded *f = im.folded(i))
    return *f;
  FailureOr<Value> v = im.tensor(i);
  if (failed(v))
    return failure();
  Folded item;
  item.kind = Folded::Kind::Value;
  item.value = *v;
  return item;
}

static bool sameKey(const Folded &a, const Folded &b) {
  if (a.kind == Folded::Kind::String || b.kind == Folded::Kind::String)
    return a.kind == b.kind && a.s == b.s;
  return a.isNumber() && b.isNumber() && a.number() == b.number();
}

static const Folded *dictOf(Importer &im, unsigned i) {
  const Folded *d = im.folded(i);
  if (!d || d->kind != Folded::Kind::Dict) {
    im.error() << "input " << i << " must be a dict known at import time";
    return nullptr;
  }
  return d;
}

static const Folded *listOf(Importer &im, unsigned i) {
  const Folded *l = im.folded(i);
  if (!l || l->kind != Folded::Kind::List) {
    im.error() << "input " << i << " must be a list known at import time";
    return nullptr;
  }
  return l;
}

/// aten::dict(): empty, or from a list of (key, value) tuples.
static LogicalResult importDict(Importer &im) {
  Folded d;
  d.kind = Folded::Kind::Dict;
  if (im.numInputs() > 0) {
    const Folded *pairs = listOf(im, 0);
    if (!pairs)
      return failure();
    for (const Folded &p : pairs->items) {
      if (p.kind != Folded::Kind::List || p.items.size() != 2)
        return im.error() << "needs a list of (key, value) pairs";
      d.items.push_back(p);
    }
  }
  im.setFolded(0, d);
  return success();
}

/// aten::_set_item(dict, key, value): dict[key] = value.
static LogicalResult importSetItem(Importer &im) {
  // aten::_set_item.t(list, index, item): l[i] = item (Swin's
  // shift_size[0] = 0).
  if (const Folded *l = im.folded(0); l && l->kind == Folded::Kind::List) {
    FailureOr<int64_t> index = im.getInt(1, "the index");
    FailureOr<Folded> item = itemOf(im, 2);
    if (failed(index) || failed(item))
      return failure();
    Folded out = *l;
    int64_t n = out.items.size(), at = *index < 0 ? *index + n : *index;
    if (isUnknown(*index) || at < 0 || at >= n)
      return im.error() << "list index " << *index
                        << " is out of range for a list of " << n;
    out.items[at] = *item;
    im.setFolded(0, out);
    im.forwardInput(0, std::move(out));
    return success();
  }
  const Folded *d = dictOf(im, 0);
  FailureOr<Folded> key = itemOf(im, 1), value = itemOf(im, 2);
  if (!d || failed(key) || failed(value))
    return failure();
  Folded out = *d;
  auto it = llvm::find_if(out.items, [&](const Folded &p) {
    return sameKey(p.items[0], *key);
  });
  if (it != out.items.end()) {
    it->items[1] = *value;
  } else {
    Folded pair;
    pair.kind = Folded::Kind::List;
    pair.items = {*key, *value};
    out.items.push_back(pair);
  }
  im.forwardInput(0, std::move(out));
  return success();
}

/// aten::keys / aten::values / aten::items of a dict, as lists.
static LogicalResult importDictView(Importer &im) {
  const Folded *d = dictOf(im, 0);
  if (!d)
    return failure();
  StringRef kind = im.node().kind;
  Folded out;
  out.kind = Folded::Kind::List;
  for (const Folded &p : d->items)
    out.items.push_back(kind == "aten::keys"     ? p.items[0]
                        : kind == "aten::values" ? p.items[1]
                                                 : p);
  im.setFolded(0, out);
  return success();
}

/// aten::insert(list, index, item), Python's list.insert.
static LogicalResult importInsert(Importer &im) {
  const Folded *l = listOf(im, 0);
  FailureOr<int64_t> index = im.getInt(1, "the index");
  FailureOr<Folded> item = itemOf(im, 2);
  if (!l || failed(index) || failed(item))
    return failure();
  Folded out = *l;
  int64_t n = out.items.size();
  int64_t at = std::clamp<int64_t>(*index < 0 ? *index + n : *index, 0, n);
  out.items.insert(out.items.begin() + at, *item);
  im.forwardInput(0, std::move(out));
  return success();
}

/// aten::extend(list, other).
static LogicalResult importExtend(Importer &im) {
  const Folded *l = listOf(im, 0), *other = l ? listOf(im, 1) : nullptr;
  if (!l || !other)
    return failure();
  Folded out = *l;
  llvm::append_range(out.items, other->items);
  im.forwardInput(0, std::move(out));
  return success();
}

/// aten::__range_length(lo, hi, step): len(range(lo, hi, step)).
static LogicalResult importRangeLength(Importer &im) {
  FailureOr<int64_t> lo = im.getInt(0, "start"), hi = im.getInt(1, "stop"),
                     step = im.getInt(2, "step");
  if (failed(lo) || failed(hi) || failed(step))
    return failure();
  if (*step == 0)
    return im.error() << "range() step must not be zero";
  int64_t n = *step > 0 ? (*hi - *lo + *step - 1) / *step
                        : (*lo - *hi - *step - 1) / -*step;
  im.setFolded(0, Folded::ofInt(std::max<int64_t>(n, 0)));
  return success();
}

/// aten::__derive_index(index, start, step): start + index * step.
static LogicalResult importDeriveIndex(Importer &im) {
  FailureOr<int64_t> i = im.getInt(0, "index"), start = im.getInt(1, "start"),
                     step = im.getInt(2, "step");
  if (failed(i) || failed(start) || failed(step))
    return failure();
  im.setFolded(0, Folded::ofInt(*start + *i * *step));
  return success();
}

/// prim::min / prim::max of a list of ints or of two ints (zip's length).
static LogicalResult importMinMax(Importer &im) {
  SmallVector<int64_t> values;
  if (im.numInputs() == 1) {
    const Folded *l = listOf(im, 0);
    if (!l)
      return failure();
    for (const Folded &v : l->items) {
      if (v.kind != Folded::Kind::Int || isUnknown(v.i))
        return im.error() << "needs ints known at import time";
      values.push_back(v.i);
    }
  } else {
    for (unsigned i = 0; i < im.numInputs(); ++i) {
      FailureOr<int64_t> v = im.getInt(i, "operand");
      if (failed(v))
        return failure();
      if (isUnknown(*v))
        return im.error() << "needs ints known at import time";
      values.push_back(*v);
    }
  }
  if (values.empty())
    return im.error() << "of an empty list";
  bool min = im.node().kind == "prim::min";
  im.setFolded(0, Folded::ofInt(min ? *llvm::min_element(values)
                                    : *llvm::max_element(values)));
  return success();
}

void registerContainerOps(OpTable &table) {
  table["aten::dict"] = importDict;
  table["aten::_set_item"] = importSetItem;
  for (const char *k : {"aten::keys", "aten::values", "aten::items"})
    table[k] = importDictView;
  table["aten::insert"] = importInsert;
  table["aten::extend"] = importExtend;
  table["aten::__range_length"] = importRangeLength;
  table["aten::__derive_index"] = importDeriveIndex;
  table["prim::min"] = importMinMax;
  table["prim::max"] = importMinMax;
}

} // namespace qopt::torch_import
