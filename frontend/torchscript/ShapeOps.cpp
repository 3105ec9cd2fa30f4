//===- ShapeOps.cpp - flatten, view / reshape, transpose, cat, chunk ------===//

#include "frontend/torchscript/OpUtils.h"

#include <algorithm>
#include <limits>

using namespace mlir;

namespace qopt::torch_import {

static FailureOr<Value> reshape(Importer &im, Value x,
                                ArrayRef<int64_t> shape) {
  return qnn::ReshapeOp::create(im.builder(), im.loc(), im.f32Type(shape), x)
      .getResult();
}

/// The result shape of view / reshape: -1 is inferred, the batch symbol
/// (x.size(0) of a dynamic batch) stays dynamic, and when the input's batch
/// is dynamic and no entry names it, the -1 entry absorbs it. Another size
/// known only at run time (bsz * num_heads in attention) is taken as the
/// -1 when there is none: the run-time reshape solves it.
static FailureOr<SmallVector<int64_t>>
viewShape(Importer &im, ArrayRef<int64_t> in, ArrayRef<int64_t> target) {
  SmallVector<int64_t> out;
  int inferred = -1;
  bool batch = false;
  int64_t known = 1;
  for (auto [i, t] : llvm::enumerate(target)) {
    if (t == -1) {
      if (inferred >= 0)
        return im.error() << "only one dimension can be -1";
      inferred = i;
      out.push_back(ShapedType::kDynamic);
    } else if (t == batchSymbol(0) && !batch) {
      batch = true;
      out.push_back(ShapedType::kDynamic);
    } else if (isUnknown(t) && inferred < 0 &&
               llvm::count(target, -1) == 0) {
      inferred = i;
      out.push_back(ShapedType::kDynamic);
    } else if (isUnknown(t) || t < 0) {
      return im.error() << "view size " << i
                        << " is only known at run time";
    } else {
      known *= t;
      out.push_back(t);
    }
  }
  int64_t inStatic = 1;
  bool inDynamic = false;
  for (auto [i, d] : llvm::enumerate(in)) {
    if (ShapedType::isDynamic(d)) {
      if (inDynamic || (i != 0 && batch))
        return im.error() << "view of " << im.f32Type(in)
                          << " is not supported (one dynamic dimension, "
                             "the batch when the view names it)";
      inDynamic = true;
    } else {
      inStatic *= d;
    }
  }
  if (inferred >= 0 && (batch || !inDynamic)) {
    if (known == 0 || inStatic % known != 0)
      return im.error() << "cannot view " << inStatic << " elements as "
                        << known << " x -1";
    out[inferred] = inStatic / known;
  }
  if (batch && !inDynamic)
    return im.error() << "view size uses the batch size of a static tensor";
  return out;
}

// aten::view / aten::reshape(input, shape)
static LogicalResult importView(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  FailureOr<SmallVector<int64_t>> target = im.getInts(1, "shape");
  if (failed(x) || failed(target))
    return failure();
  for (int64_t &t : *target)
    if (t == batchSymbol(0) && !ShapedType::isDynamic(shapeOf(*x)[0]))
      t = shapeOf(*x)[0];
  FailureOr<SmallVector<int64_t>> shape = viewShape(im, shapeOf(*x), *target);
  if (failed(shape))
    return failure();
  FailureOr<Value> y = reshape(im, *x, *shape);
  return im.bindResult(y);
}

// aten::flatten(input, start_dim, end_dim)
static LogicalResult importFlatten(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  FailureOr<int64_t> start = im.getInt(1, "start_dim"),
                     end = im.getInt(2, "end_dim");
  if (failed(x) || failed(start) || failed(end))
    return failure();
  ArrayRef<int64_t> in = shapeOf(*x);
  int64_t rank = in.size();
  if (rank == 0) {
    FailureOr<Value> y = reshape(im, *x, {1});
    if (succeeded(y))
      im.setResult(0, *y);
    return y;
  }
  if (failed(normalizeAxis(im, *start, rank, "start_dim")) ||
      failed(normalizeAxis(im, *end, rank, "end_dim")))
    return failure();
  if (*start == 1 && *end == rank - 1) {
    FailureOr<Value> y = im.create<qnn::FlattenOp>(
        *x, im.builder().getI64IntegerAttr(1));
    return im.bindResult(y);
  }
  SmallVector<int64_t> shape(in.begin(), in.begin() + *start);
  int64_t merged = 1;
  for (int64_t d = *start; d <= *end; ++d)
    merged = ShapedType::isDynamic(in[d]) || ShapedType::isDynamic(merged)
                 ? ShapedType::kDynamic
                 : merged * in[d];
  shape.push_back(merged);
  shape.append(in.begin() + *end + 1, in.end());
  FailureOr<Value> y = reshape(im, *x, shape);
  return im.bindResult(y);
}

static LogicalResult buildTranspose(Importer &im, Value x,
                                    ArrayRef<int64_t> perm) {
  FailureOr<Value> y =
      im.create<qnn::TransposeOp>(x, im.builder().getDenseI64ArrayAttr(perm));
  return im.bindResult(y);
}

// aten::transpose(input, dim0, dim1); aten::t(input)
static LogicalResult importTranspose(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  if (failed(x))
    return failure();
  int64_t rank = shapeOf(*x).size();
  int64_t d0 = 0, d1 = 1;
  if (im.node().kind == "aten::t") {
    if (rank < 2) {
      im.setResult(0, *x);
      return success();
    }
  } else {
    FailureOr<int64_t> a = im.getInt(1, "dim0"), b = im.getInt(2, "dim1");
    if (failed(a) || failed(b))
      return failure();
    d0 = *a;
    d1 = *b;
    if (failed(normalizeAxis(im, d0, rank, "dim0")) ||
        failed(normalizeAxis(im, d1, rank, "dim1")))
      return failure();
  }
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[d0], perm[d1]);
  return buildTranspose(im, *x, perm);
}

// aten::permute(input, dims)
static LogicalResult importPermute(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  FailureOr<SmallVector<int64_t>> dims = im.getInts(1, "dims");
  if (failed(x) || failed(dims))
    return failure();
  int64_t rank = shapeOf(*x).size();
  for (int64_t &d : *dims)
    if (failed(normalizeAxis(im, d, rank, "dim")))
      return failure();
  return buildTranspose(im, *x, *dims);
}

/// The run-time tensors of list input `i`.
static FailureOr<SmallVector<Value>> tensorList(Importer &im, unsigned i) {
  const Folded *list = im.folded(i);
  if (!list || list->kind != Folded::Kind::List)
    return im.error() << "input " << i << " must be a list of tensors";
  SmallVector<Value> out;
  for (const Folded &item : list->items) {
    if (item.kind != Folded::Kind::Value)
      return im.error() << "lists of tensor constants are not supported";
    out.push_back(item.value);
  }
  return out;
}

// aten::cat(tensors, dim)
static LogicalResult importCat(Importer &im) {
  FailureOr<SmallVector<Value>> inputs = tensorList(im, 0);
  FailureOr<int64_t> dim = im.getInt(1, "dim");
  if (failed(inputs) || failed(dim) || inputs->empty())
    return failed(inputs) || failed(dim)
               ? failure()
               : (LogicalResult)(im.error() << "cat of no tensors");
  int64_t rank = shapeOf((*inputs)[0]).size();
  if (failed(normalizeAxis(im, *dim, rank, "dim")))
    return failure();
  FailureOr<Value> y = im.create<qnn::ConcatOp>(
      ValueRange(*inputs), im.builder().getI64IntegerAttr(*dim));
  return im.bindResult(y);
}

/// aten::chunk(input, chunks, dim) along a static dimension: chunks of
/// ceil(size / chunks) entries (the last may be smaller, and there may be
/// fewer chunks), each a qnn.slice.
static LogicalResult importChunk(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  FailureOr<int64_t> chunks = im.getInt(1, "chunks"), dim = im.getInt(2, "dim");
  if (failed(x) || failed(chunks) || failed(dim))
    return failure();
  ArrayRef<int64_t> in = shapeOf(*x);
  if (failed(normalizeAxis(im, *dim, in.size(), "dim")))
    return failure();
  int64_t size = in[*dim];
  if (ShapedType::isDynamic(size))
    return im.error() << "chunk along dynamic dimension " << *dim
                      << " is not supported";
  if (*chunks <= 0)
    return im.error() << "chunks must be positive, got " << *chunks;
  int64_t part = (size + *chunks - 1) / *chunks;
  Folded list;
  list.kind = Folded::Kind::List;
  for (int64_t start = 0; start < size; start += part) {
    Folded item;
    item.kind = Folded::Kind::Value;
    item.value = frontend::buildSlice(im, *x, *dim, start,
                                      std::min(part, size - start));
    list.items.push_back(item);
  }
  im.setFolded(0, std::move(list));
  return success();
}

/// aten::expand(self, size, implicit): -1 and the input's own sizes keep an
/// axis; a size-1 axis 0 expanded to the batch (x.size(0), a run-time size)
/// becomes qnn.expand like forward's input, as a vision transformer's class
/// token. Other expansions are refused (broadcasting ops do them).
static LogicalResult importExpand(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  FailureOr<SmallVector<int64_t>> size = im.getInts(1, "size");
  if (failed(x) || failed(size))
    return failure();
  ArrayRef<int64_t> in = shapeOf(*x);
  if (size->size() != in.size())
    return im.error() << "expand to " << size->size() << " dims of "
                      << x->getType() << " (adding dims) is not supported";
  SmallVector<int64_t> axes;
  for (auto [d, s] : llvm::enumerate(*size)) {
    if (s == -1 || s == in[d])
      continue;
    if (d == 0 && in[d] == 1 && s == batchSymbol(0) && im.argument(0)) {
      axes.push_back(0);
      continue;
    }
    return im.error() << "expand of dim " << d << " of " << x->getType()
                      << " to "
                      << (isUnknown(s) ? std::string("a run-time size")
                                       : std::to_string(s))
                      << " is not supported (only a size-1 dim 0 to the "
                         "batch)";
  }
  if (axes.empty())
    return im.bindResult(*x);
  return im.bindResult(im.create<qnn::ExpandOp>(
      *x, im.argument(0), im.builder().getDenseI64ArrayAttr(axes)));
}

/// aten::slice(self, dim, start, end, step) with step 1 over a static
/// dimension: qnn.slice (the whole dimension: the input itself).
/// aten::slice.t(list, start, end, step) of an import-time list (Python's
/// l[start:end:step], F.group_norm's input.size()[2:]).
static LogicalResult importListSlice(Importer &im, const Folded &list) {
  int64_t n = list.items.size();
  int64_t bounds[3] = {0, n, 1};
  for (unsigned i = 1; i < 4; ++i) {
    if (im.isNone(i))
      continue;
    FailureOr<int64_t> v = im.getInt(i, i == 1 ? "start" : i == 2 ? "end" : "step");
    if (failed(v))
      return failure();
    bounds[i - 1] = *v;
  }
  if (bounds[2] != 1)
    return im.error() << "list slice with step " << bounds[2]
                      << " is not supported (only 1)";
  auto clampIndex = [&](int64_t v) {
    return std::clamp<int64_t>(v < 0 ? v + n : v, 0, n);
  };
  Folded out;
  out.kind = Folded::Kind::List;
  for (int64_t i = clampIndex(bounds[0]), e = clampIndex(bounds[1]); i < e; ++i)
    out.items.push_back(list.items[i]);
  im.setFolded(0, out);
  return success();
}

static LogicalResult importSlice(Importer &im) {
  if (const Folded *list = im.folded(0))
    if (list->kind == Folded::Kind::List && im.node().inputs.size() == 4)
      return importListSlice(im, *list);
  FailureOr<Value> x = im.tensor(0);
  FailureOr<int64_t> dim = im.getInt(1, "dim"), step = im.getInt(4, "step");
  if (failed(x) || failed(dim) || failed(step))
    return failure();
  ArrayRef<int64_t> in = shapeOf(*x);
  if (failed(normalizeAxis(im, *dim, in.size(), "dim")))
    return failure();
  int64_t size = in[*dim];
  int64_t start = 0, end = std::numeric_limits<int64_t>::max();
  for (auto [i, v] : {std::pair<unsigned, int64_t *>{2, &start}, {3, &end}}) {
    if (im.isNone(i))
      continue;
    FailureOr<int64_t> b = im.getInt(i, i == 2 ? "start" : "end");
    if (failed(b))
      return failure();
    *v = *b;
  }
  if (*step < 1)
    return im.error() << "slice with step " << *step
                      << " is not supported (only positive steps)";
  if (*step == 1 && start == 0 && end >= size && !isUnknown(end))
    return im.bindResult(*x);
  if (ShapedType::isDynamic(size))
    return im.error() << "slice of dynamic dimension " << *dim
                      << " is not supported";
  // Python's clamping of negative and out-of-range bounds.
  auto clampIndex = [&](int64_t v) {
    if (v < 0)
      v += size;
    return std::clamp<int64_t>(v, 0, size);
  };
  start = clampIndex(start);
  end = clampIndex(end);
  if (end <= start)
    return im.error() << "empty slice [" << start << ", " << end
                      << ") is not supported";
  // A strided slice (patch merging's x[..., 0::2, :]): blocks of the step.
  int64_t count = (end - start + *step - 1) / *step;
  FailureOr<Value> y =
      frontend::buildStridedSlice(im, *x, *dim, start, *step, count);
  if (failed(y))
    return im.error() << "slice with step " << *step << " of " << count
                      << " entries is not supported here (more than one "
                         "dynamic dimension)";
  return im.bindResult(*y);
}

/// aten::select(self, dim, index): a size-1 qnn.slice, then the dim dropped.
static LogicalResult importSelect(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  FailureOr<int64_t> dim = im.getInt(1, "dim"), index = im.getInt(2, "index");
  if (failed(x) || failed(dim) || failed(index))
    return failure();
  ArrayRef<int64_t> in = shapeOf(*x);
  if (failed(normalizeAxis(im, *dim, in.size(), "dim")))
    return failure();
  int64_t size = in[*dim], i = *index < 0 ? *index + in[*dim] : *index;
  if (ShapedType::isDynamic(size))
    return im.error() << "select on dynamic dimension " << *dim
                      << " is not supported";
  if (i < 0 || i >= size)
    return im.error() << "index " << *index << " is out of range for size "
                      << size;
  Value one = frontend::buildSlice(im, *x, *dim, i, 1);
  SmallVector<int64_t> out(in);
  out.erase(out.begin() + *dim);
  if (llvm::count_if(out, ShapedType::isDynamic) > 1)
    return im.error() << "select leaves more than one dynamic dimension";
  return im.bindResult(qnn::ReshapeOp::create(im.builder(), im.loc(),
                                              im.f32Type(out), one)
                           .getResult());
}

/// aten::roll(self, shifts, dims) of a run-time tensor: per rolled static
/// dimension, the last `shift` entries moved to the front (two qnn.slice and
/// a qnn.concat). Swin's cyclic shift of the windows.
static LogicalResult importRoll(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  FailureOr<SmallVector<int64_t>> shifts = im.getInts(1, "shifts"),
                                  dims = im.getInts(2, "dims");
  if (failed(x) || failed(shifts) || failed(dims))
    return failure();
  if (dims->empty() || dims->size() != shifts->size())
    return im.error() << "roll needs one dim per shift (a flattened roll is "
                         "not supported)";
  Value y = *x;
  for (auto [shift, d] : llvm::zip(*shifts, *dims)) {
    int64_t dim = d;
    ArrayRef<int64_t> in = shapeOf(y);
    if (failed(normalizeAxis(im, dim, in.size(), "dim")))
      return failure();
    int64_t size = in[dim];
    if (ShapedType::isDynamic(size) || isUnknown(shift))
      return im.error() << "roll along dynamic dimension " << dim
                        << " or by a run-time shift is not supported";
    int64_t s = ((shift % size) + size) % size;
    if (s == 0)
      continue;
    Value tail = frontend::buildSlice(im, y, dim, size - s, s);
    Value head = frontend::buildSlice(im, y, dim, 0, size - s);
    FailureOr<Value> cat = im.create<qnn::ConcatOp>(
        ValueRange{tail, head}, im.builder().getI64IntegerAttr(dim));
    if (failed(cat))
      return failure();
    y = *cat;
  }
  return im.bindResult(y);
}

/// aten::pad(self, pad, mode, value) in constant mode and
/// aten::constant_pad_nd(self, pad, value) of a run-time tensor: qnn.pad
/// (`pad` lists (before, after) from the last dimension backwards).
static LogicalResult importPad(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  FailureOr<SmallVector<int64_t>> pad = im.getInts(1, "pad");
  if (failed(x) || failed(pad))
    return failure();
  bool isPad = im.node().kind == "aten::pad";
  if (isPad) {
    const Folded *mode = im.folded(2);
    if (!mode || mode->kind != Folded::Kind::String || mode->s != "constant")
      return im.error() << "only constant padding is supported";
  }
  unsigned valueInput = isPad ? 3 : 2;
  double value = 0;
  if (!im.isNone(valueInput)) {
    FailureOr<double> v = im.getFloat(valueInput, "value");
    if (failed(v))
      return failure();
    value = *v;
  }
  int64_t rank = shapeOf(*x).size();
  if (pad->size() % 2 || (int64_t)pad->size() > 2 * rank)
    return im.error() << "pad has " << pad->size()
                      << " entries; it needs an even number up to twice the "
                         "rank "
                      << rank;
  SmallVector<int64_t> pads(2 * rank, 0);
  for (size_t k = 0; k < pad->size() / 2; ++k) {
    int64_t dim = rank - 1 - k;
    int64_t before = (*pad)[2 * k], after = (*pad)[2 * k + 1];
    if (before < 0 || after < 0 || isUnknown(before) || isUnknown(after))
      return im.error() << "negative or run-time padding is not supported";
    pads[dim] = before;
    pads[rank + dim] = after;
  }
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }))
    return im.bindResult(*x);
  OpBuilder &b = im.builder();
  return im.bindResult(im.create<qnn::PadOp>(
      *x, b.getDenseI64ArrayAttr(pads), b.getF64FloatAttr(value)));
}

/// aten::expand_as(self, other) of a run-time tensor: its size-1 axes
/// repeated to `other`'s sizes (qnn.expand; none: the input itself).
static LogicalResult importExpandAs(Importer &im) {
  FailureOr<Value> x = im.tensor(0), like = im.tensor(1);
  if (failed(x) || failed(like))
    return failure();
  ArrayRef<int64_t> in = shapeOf(*x), to = shapeOf(*like);
  if (in.size() != to.size())
    return im.error() << "expand_as to another rank is not supported";
  SmallVector<int64_t> axes;
  for (size_t d = 0; d < in.size(); ++d) {
    if (in[d] == to[d])
      continue;
    if (in[d] != 1)
      return im.error() << "expand_as of dimension " << d << " of size "
                        << in[d] << " is not supported (only size 1)";
    axes.push_back(d);
  }
  if (axes.empty())
    return im.bindResult(*x);
  return im.bindResult(im.create<qnn::ExpandOp>(
      *x, *like, im.builder().getDenseI64ArrayAttr(axes)));
}

void registerShapeOps(OpTable &table) {
  table["aten::expand_as"] = importExpandAs;
  table["aten::roll"] = importRoll;
  table["aten::pad"] = importPad;
  table["aten::constant_pad_nd"] = importPad;
  table["aten::expand"] = importExpand;
  table["aten::slice"] = importSlice;
  table["aten::select"] = importSelect;
  table["aten::view"] = importView;
  table["aten::reshape"] = importView;
  table["aten::flatten"] = importFlatten;
  table["aten::transpose"] = importTranspose;
  table["aten::t"] = importTranspose;
  table["aten::permute"] = importPermute;
  table["aten::cat"] = importCat;
  table["aten::chunk"] = importChunk;
}

} // namespace qopt::torch_import
