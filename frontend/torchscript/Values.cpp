//===- Values.cpp - prim:: plumbing and import-time scalar folding --------===//
//
// Constants, lists, tuples, tensor sizes and the int / float / bool
// arithmetic that TorchScript keeps around shapes (x.size(0), dim() checks of
// F.interpolate, channel_shuffle's view sizes) fold at import time. Sizes of
// the dynamic batch dimension fold to a symbol so that a reshape to
// (x.size(0), -1) keeps the batch dynamic.
//
//===----------------------------------------------------------------------===//

#include "frontend/torchscript/ImportContext.h"

#include <cmath>

using namespace mlir;

namespace qopt::torch_import {

static LogicalResult importConstant(Importer &im) {
  const TsConstant &c = *im.node().constant;
  Folded f;
  switch (c.kind) {
  case TsConstant::Kind::None:
    break;
  case TsConstant::Kind::Bool:
    f = Folded::ofBool(c.i);
    break;
  case TsConstant::Kind::Int:
    f = Folded::ofInt(c.i);
    break;
  case TsConstant::Kind::Float:
    f = Folded::ofFloat(c.f);
    break;
  case TsConstant::Kind::String:
    f.kind = Folded::Kind::String;
    f.s = c.s;
    break;
  case TsConstant::Kind::IntList:
  case TsConstant::Kind::BoolList:
    f.kind = Folded::Kind::List;
    for (int64_t v : c.ints)
      f.items.push_back(Folded::ofInt(v));
    break;
  case TsConstant::Kind::FloatList:
    f.kind = Folded::Kind::List;
    for (double v : c.floats)
      f.items.push_back(Folded::ofFloat(v));
    break;
  case TsConstant::Kind::StringList:
    f.kind = Folded::Kind::List;
    for (const std::string &s : c.strings) {
      Folded item;
      item.kind = Folded::Kind::String;
      item.s = s;
      f.items.push_back(item);
    }
    break;
  case TsConstant::Kind::Tensor:
    f.kind = Folded::Kind::Tensor;
    f.tensor = c.tensor;
    break;
  case TsConstant::Kind::Device:
    f.kind = Folded::Kind::Device;
    f.s = c.s;
    break;
  case TsConstant::Kind::Other:
    f.kind = Folded::Kind::Other;
    f.s = c.s;
    break;
  }
  im.setFolded(0, std::move(f));
  return success();
}

/// A list or tuple of its inputs, run-time tensors included.
static LogicalResult importListConstruct(Importer &im) {
  Folded list;
  list.kind = Folded::Kind::List;
  for (unsigned i = 0; i < im.numInputs(); ++i) {
    if (const Folded *f = im.folded(i)) {
      list.items.push_back(*f);
      continue;
    }
    FailureOr<Value> v = im.tensor(i);
    if (failed(v))
      return failure();
    Folded item;
    item.kind = Folded::Kind::Value;
    item.value = *v;
    list.items.push_back(item);
  }
  im.setFolded(0, std::move(list));
  return success();
}

static LogicalResult importListUnpack(Importer &im) {
  const Folded *list = im.folded(0);
  if (!list || list->kind != Folded::Kind::List)
    return im.error() << "can only unpack a list known at import time";
  if (list->items.size() != im.node().outputs.size())
    return im.error() << "unpacks " << im.node().outputs.size()
                      << " values from a list of " << list->items.size();
  Folded copy = *list;
  for (unsigned i = 0; i < copy.items.size(); ++i)
    im.setFolded(i, copy.items[i]);
  return success();
}

static LogicalResult importGetItem(Importer &im) {
  const Folded *list = im.folded(0);
  FailureOr<int64_t> index = im.getInt(1, "the index");
  if (failed(index))
    return failure();
  if (!list || list->kind != Folded::Kind::List)
    return im.error() << "can only index a list known at import time";
  int64_t n = list->items.size(), i = *index < 0 ? *index + n : *index;
  if (i < 0 || i >= n)
    return im.error() << "index " << *index << " is out of range for a list of "
                      << n;
  im.setFolded(0, list->items[i]);
  return success();
}

static LogicalResult importAppend(Importer &im) {
  const Folded *list = im.folded(0);
  if (!list || list->kind != Folded::Kind::List)
    return im.error() << "can only append to a list known at import time";
  Folded item;
  if (const Folded *f = im.folded(1)) {
    item = *f;
  } else {
    FailureOr<Value> v = im.tensor(1);
    if (failed(v))
      return failure();
    item.kind = Folded::Kind::Value;
    item.value = *v;
  }
  // Lists are mutable: the list value itself grows.
  Folded grown = *list;
  grown.items.push_back(item);
  im.setFolded(0, grown);
  im.forwardInput(0, std::move(grown));
  return success();
}

/// Sizes of a run-time tensor; dynamic dimension 0 is the batch symbol.
static std::optional<SmallVector<int64_t>> sizesOf(Importer &im, unsigned i) {
  if (!im.isTensor(i))
    return std::nullopt;
  FailureOr<Value> v = im.tensor(i);
  if (failed(v))
    return std::nullopt;
  SmallVector<int64_t> out;
  for (auto [d, size] :
       llvm::enumerate(cast<RankedTensorType>(v->getType()).getShape()))
    out.push_back(!ShapedType::isDynamic(size) ? size
                  : d == 0                     ? batchSymbol(0)
                                               : kUnknown);
  return out;
}

static LogicalResult importSize(Importer &im) {
  std::optional<SmallVector<int64_t>> sizes = sizesOf(im, 0);
  if (!sizes)
    return failure();
  if (im.numInputs() == 1) {
    Folded list;
    list.kind = Folded::Kind::List;
    for (int64_t s : *sizes)
      list.items.push_back(Folded::ofInt(s));
    im.setFolded(0, std::move(list));
    return success();
  }
  FailureOr<int64_t> dim = im.getInt(1, "dim");
  if (failed(dim))
    return failure();
  int64_t rank = sizes->size(), d = *dim < 0 ? *dim + rank : *dim;
  if (d < 0 || d >= rank)
    return im.error() << "dim " << *dim << " is out of range for rank " << rank;
  im.setFolded(0, Folded::ofInt((*sizes)[d]));
  return success();
}

/// prim::dtype of a run-time tensor: qnn's tensors are float32, which is
/// ScalarType 6 (attention's dtype checks before its fast path).
static LogicalResult importDtype(Importer &im) {
  if (!sizesOf(im, 0))
    return failure();
  im.setFolded(0, Folded::ofInt(6));
  return success();
}

static LogicalResult importDim(Importer &im) {
  std::optional<SmallVector<int64_t>> sizes = sizesOf(im, 0);
  if (!sizes)
    return failure();
  im.setFolded(0, Folded::ofInt(sizes->size()));
  return success();
}

static LogicalResult importLen(Importer &im) {
  const Folded *list = im.folded(0);
  if (list && list->kind == Folded::Kind::String) {
    im.setFolded(0, Folded::ofInt(list->s.size()));
    return success();
  }
  if (!list || list->kind != Folded::Kind::List)
    return im.error() << "len() of a value not known at import time";
  im.setFolded(0, Folded::ofInt(list->items.size()));
  return success();
}

/// aten::Int, aten::Float, prim::NumToTensor, aten::ScalarImplicit and the
/// other conversions between scalars and 0-d tensors of import-time numbers.
static LogicalResult importScalarIdentity(Importer &im) {
  const Folded *f = im.folded(0);
  if (!f || !f->isNumber())
    return im.error() << "needs a number known at import time (reading a "
                         "scalar out of a run-time tensor is data-dependent)";
  Folded out = *f;
  StringRef kind = im.node().kind;
  if (kind == "aten::Int" && out.kind == Folded::Kind::Float)
    out = Folded::ofInt((int64_t)out.f);
  else if (kind == "aten::Float" && out.kind != Folded::Kind::Float)
    out = Folded::ofFloat(out.number());
  im.setFolded(0, out);
  return success();
}

/// An import-time number; 0-d tensor constants (traced shape arithmetic
/// such as `channels // groups`) count as numbers.
static std::optional<Folded> numberOf(Importer &im, unsigned i) {
  const Folded *f = im.folded(i);
  if (!f)
    return std::nullopt;
  if (f->isNumber())
    return *f;
  if (f->kind != Folded::Kind::Tensor)
    return std::nullopt;
  const TsTensor &t = im.tensorData(f->tensor);
  if (!t.dims.empty())
    return std::nullopt;
  if (!t.floats.empty())
    return Folded::ofFloat(t.floats[0]);
  if (!t.ints.empty())
    return Folded::ofInt(t.ints[0]);
  return std::nullopt;
}

/// Binary arithmetic and comparisons on import-time numbers; `None` only
/// under is / is not.
LogicalResult foldScalarBinary(Importer &im) {
  StringRef op = StringRef(im.node().kind).rsplit("::").second;
  if (op == "__is__" || op == "__isnot__") {
    const Folded *a = im.folded(0), *b = im.folded(1);
    bool aNone = a && a->kind == Folded::Kind::None;
    bool bNone = b && b->kind == Folded::Kind::None;
    bool same = aNone && bNone;
    // Two run-time tensors (attention's `query is key`): the same value is
    // the same object.
    if (!aNone && !bNone && im.isTensor(0) && im.isTensor(1) && !a && !b) {
      FailureOr<Value> x = im.tensor(0), y = im.tensor(1);
      if (failed(x) || failed(y))
        return failure();
      same = *x == *y;
    } else if (!aNone && !bNone)
      return im.error() << "'is' is only supported against None";
    im.setFolded(0, Folded::ofBool(op == "__is__" ? same : !same));
    return success();
  }
  // == / != of two int lists (shapes): unequal when their lengths or two
  // known entries differ, equal when every entry is known and equal, else
  // undecided (kUnknown), which only an assertion's prim::If accepts.
  const Folded *la = im.folded(0), *lb = im.folded(1);
  if ((op == "eq" || op == "ne") && la && lb &&
      la->kind == Folded::Kind::List && lb->kind == Folded::Kind::List) {
    bool differ = la->items.size() != lb->items.size(), undecided = false;
    for (size_t k = 0; !differ && k < la->items.size(); ++k) {
      const Folded &p = la->items[k], &q = lb->items[k];
      if (!p.isNumber() || !q.isNumber())
        return im.error() << "compares lists of other than numbers";
      bool pu = p.kind != Folded::Kind::Float && isUnknown(p.i);
      bool qu = q.kind != Folded::Kind::Float && isUnknown(q.i);
      if (pu || qu)
        undecided |= !(pu && qu && p.i == q.i && p.i != kUnknown);
      else
        differ = p.number() != q.number();
    }
    if (!differ && undecided)
      im.setFolded(0, Folded::ofInt(kUnknown));
    else
      im.setFolded(0, Folded::ofBool(differ == (op == "ne")));
    return success();
  }
  // + of two lists is their concatenation ([a, b] + list(x.size()[2:])).
  if (op == "add" && la && lb && la->kind == Folded::Kind::List &&
      lb->kind == Folded::Kind::List) {
    Folded cat = *la;
    llvm::append_range(cat.items, lb->items);
    im.setFolded(0, cat);
    return success();
  }
  std::optional<Folded> fa = numberOf(im, 0), fb = numberOf(im, 1);
  if (!fa || !fb)
    return im.error() << "needs numbers known at import time (arithmetic on "
                         "run-time tensor values is not supported here)";
  const Folded *a = &*fa, *b = &*fb;
  bool isInt = a->kind != Folded::Kind::Float && b->kind != Folded::Kind::Float;
  bool unknown = (a->kind != Folded::Kind::Float && isUnknown(a->i)) ||
                 (b->kind != Folded::Kind::Float && isUnknown(b->i));
  double x = a->number(), y = b->number();
  // A comparison with a value that depends on the dynamic batch size is
  // undecided (kUnknown), which only an assertion's prim::If accepts
  // (F.group_norm's _verify_batch_size: N * C / G * H * W == 1 raises).
  auto cmp = [&](bool v) -> LogicalResult {
    im.setFolded(0, unknown ? Folded::ofInt(kUnknown) : Folded::ofBool(v));
    return success();
  };
  if (op == "eq")
    return cmp(x == y);
  if (op == "ne")
    return cmp(x != y);
  if (op == "lt")
    return cmp(x < y);
  if (op == "le")
    return cmp(x <= y);
  if (op == "gt")
    return cmp(x > y);
  if (op == "ge")
    return cmp(x >= y);
  if (op == "__and__")
    return cmp(x != 0 && y != 0);
  if (op == "__or__")
    return cmp(x != 0 || y != 0);
  if (unknown) {
    im.setFolded(0, Folded::ofInt(kUnknown));
    return success();
  }
  if (isInt) {
    int64_t p = a->i, q = b->i, r;
    if (op == "add")
      r = p + q;
    else if (op == "sub")
      r = p - q;
    else if (op == "mul")
      r = p * q;
    else if (op == "floordiv" || op == "floor_divide" || op == "remainder") {
      if (q == 0)
        return im.error() << "division by zero";
      int64_t d = p / q;
      if ((p % q != 0) && ((p < 0) != (q < 0)))
        --d;
      r = op == "remainder" ? p - d * q : d;
    } else if (op == "div") {
      im.setFolded(0, Folded::ofFloat((double)p / (double)q));
      return success();
    } else {
      return im.error() << "operation not supported on ints";
    }
    im.setFolded(0, Folded::ofInt(r));
    return success();
  }
  double r;
  if (op == "add")
    r = x + y;
  else if (op == "sub")
    r = x - y;
  else if (op == "mul")
    r = x * y;
  else if (op == "div")
    r = x / y;
  else if (op == "floordiv" || op == "floor_divide")
    r = std::floor(x / y);
  else
    return im.error() << "operation not supported on floats";
  im.setFolded(0, Folded::ofFloat(r));
  return success();
}

static LogicalResult importNot(Importer &im) {
  FailureOr<bool> v = im.getBool(0, "the operand");
  if (failed(v))
    return failure();
  im.setFolded(0, Folded::ofBool(!*v));
  return success();
}

static LogicalResult importNeg(Importer &im) {
  const Folded *a = im.folded(0);
  if (!a || !a->isNumber())
    return im.error() << "needs a number known at import time";
  im.setFolded(0, a->kind == Folded::Kind::Float ? Folded::ofFloat(-a->f)
                  : isUnknown(a->i)              ? Folded::ofInt(kUnknown)
                                                 : Folded::ofInt(-a->i));
  return success();
}

static LogicalResult importIdentity(Importer &im) {
  im.forward(0, 0);
  return success();
}

// aten::dropout(input, p, train) and its feature / alpha forms, in place
// or not (TorchScript keeps the in-place ones, being random): the identity
// in eval; in training mode with p > 0 a random mask qnn does not model.
static LogicalResult importDropout(Importer &im) {
  FailureOr<double> p = im.getFloat(1, "p");
  FailureOr<bool> train = im.getBool(2, "train");
  if (failed(p) || failed(train))
    return failure();
  if (*train && *p != 0.0)
    return im.error() << "dropout in training mode (train=True, p=" << *p
                      << ") is not supported (a random mask; export the "
                         "model in eval mode)";
  im.forward(0, 0);
  return success();
}

/// aten::list(l): a copy of an import-time list (F.group_norm's
/// list(input.size()[2:])).
static LogicalResult importListCopy(Importer &im) {
  const Folded *list = im.folded(0);
  if (!list || list->kind != Folded::Kind::List)
    return im.error() << "needs a list known at import time";
  im.setFolded(0, *list);
  return success();
}

static LogicalResult importNothing(Importer &) { return success(); }

static LogicalResult importUninitialized(Importer &im) {
  im.setFolded(0, Folded());
  return success();
}

static LogicalResult importRaise(Importer &im) {
  const Folded *msg = im.folded(0);
  return im.error() << "the model raises an exception for this input"
                    << (msg && msg->kind == Folded::Kind::String
                            ? ": " + msg->s
                            : std::string());
}

/// Strings only feed exception messages and mode checks.
static LogicalResult importFormat(Importer &im) {
  Folded s;
  s.kind = Folded::Kind::String;
  if (const Folded *f = im.folded(0))
    s.s = f->s;
  im.setFolded(0, s);
  return success();
}

/// The environment queries of nn.MultiheadAttention's fast-path guard,
/// answered as a default PyTorch process on the CPU would: grad mode on
/// (the default), autocast off, tensors float32 on the CPU and not nested,
/// parameters requiring grad (forward's inputs do not). The guard then takes
/// the reference path, the one a traced or exported model records.
static LogicalResult importEnvQuery(Importer &im) {
  StringRef kind = im.node().kind;
  if (kind == "aten::is_grad_enabled" || kind == "aten::is_floating_point") {
    im.setFolded(0, Folded::ofBool(true));
  } else if (kind == "aten::is_autocast_enabled" || kind == "prim::is_cuda" ||
             kind == "prim::is_nested") {
    im.setFolded(0, Folded::ofBool(false));
  } else if (kind == "prim::requires_grad") {
    FailureOr<Value> x = im.tensor(0);
    if (failed(x))
      return failure();
    im.setFolded(0, Folded::ofBool(!isa<BlockArgument>(*x)));
  } else if (kind == "prim::device") {
    Folded d;
    d.kind = Folded::Kind::Device;
    d.s = "cpu";
    im.setFolded(0, d);
  }
  return success();
}

/// aten::find(self, substr, start, end) on import-time strings.
static LogicalResult importFind(Importer &im) {
  const Folded *s = im.folded(0), *sub = im.folded(1);
  if (!s || !sub || s->kind != Folded::Kind::String ||
      sub->kind != Folded::Kind::String)
    return im.error() << "find() needs strings known at import time";
  size_t pos = s->s.find(sub->s);
  im.setFolded(0, Folded::ofInt(pos == std::string::npos ? -1 : (int64_t)pos));
  return success();
}

/// aten::all / aten::any of a list of import-time bools.
static LogicalResult importAllAny(Importer &im) {
  const Folded *list = im.folded(0);
  if (!list || list->kind != Folded::Kind::List)
    return im.error() << "needs a list known at import time";
  bool all = im.node().kind == "aten::all", result = all;
  for (const Folded &item : list->items) {
    if (!item.isNumber())
      return im.error() << "needs booleans known at import time";
    if ((item.number() != 0) != all)
      result = !all;
  }
  im.setFolded(0, Folded::ofBool(result));
  return success();
}

/// aten::Bool of an import-time number or string (non-empty is true).
static LogicalResult importBool(Importer &im) {
  const Folded *f = im.folded(0);
  if (f && f->isNumber()) {
    im.setFolded(0, Folded::ofBool(f->number() != 0));
    return success();
  }
  if (f && f->kind == Folded::Kind::String) {
    im.setFolded(0, Folded::ofBool(!f->s.empty()));
    return success();
  }
  return im.error() << "needs a value known at import time (the truth of a "
                       "run-time tensor is data-dependent)";
}

void registerValueOps(OpTable &table) {
  for (const char *k :
       {"aten::is_grad_enabled", "aten::is_autocast_enabled",
        "aten::is_floating_point", "prim::is_cuda", "prim::is_nested",
        "prim::requires_grad", "prim::device"})
    table[k] = importEnvQuery;
  table["aten::find"] = importFind;
  table["aten::all"] = importAllAny;
  table["aten::any"] = importAllAny;
  table["aten::Bool"] = importBool;
  table["prim::Constant"] = importConstant;
  table["prim::ListConstruct"] = importListConstruct;
  table["prim::TupleConstruct"] = importListConstruct;
  table["prim::ListUnpack"] = importListUnpack;
  table["prim::TupleUnpack"] = importListUnpack;
  table["prim::TupleIndex"] = importGetItem;
  table["aten::__getitem__"] = importGetItem;
  table["aten::append"] = importAppend;
  table["aten::size"] = importSize;
  table["aten::dim"] = importDim;
  table["prim::dtype"] = importDtype;
  table["aten::len"] = importLen;
  table["aten::list"] = importListCopy;
  for (const char *k : {"aten::Int", "aten::Float", "prim::NumToTensor",
                        "aten::ScalarImplicit", "aten::IntImplicit",
                        "aten::FloatImplicit"})
    table[k] = importScalarIdentity;
  for (const char *k :
       {"aten::eq", "aten::ne", "aten::lt", "aten::le", "aten::gt", "aten::ge",
        "aten::__and__", "aten::__or__", "aten::__is__", "aten::__isnot__",
        "aten::floordiv", "aten::floor_divide", "aten::remainder"})
    table[k] = foldScalarBinary;
  table["aten::__not__"] = importNot;
  table["aten::neg"] = importNeg;
  table["prim::unchecked_cast"] = importIdentity;
  table["aten::contiguous"] = importIdentity;
  table["aten::detach"] = importIdentity;
  table["aten::clone"] = importIdentity;
  for (const char *k : {"aten::dropout", "aten::dropout_",
                        "aten::feature_dropout", "aten::feature_dropout_",
                        "aten::alpha_dropout", "aten::alpha_dropout_"})
    table[k] = importDropout;
  table["aten::warn"] = importNothing;
  table["prim::Uninitialized"] = importUninitialized;
  table["prim::RaiseException"] = importRaise;
  table["aten::format"] = importFormat;
  table["aten::str"] = importFormat;
}

} // namespace qopt::torch_import
