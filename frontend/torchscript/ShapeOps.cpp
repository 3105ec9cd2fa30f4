//===- ShapeOps.cpp - flatten, view / reshape, transpose, cat, chunk ------===//

#include "frontend/torchscript/OpUtils.h"

using namespace mlir;

namespace qopt::torch_import {

static FailureOr<Value> reshape(Importer &im, Value x,
                                ArrayRef<int64_t> shape) {
  return qnn::ReshapeOp::create(im.builder(), im.loc(), im.f32Type(shape), x)
      .getResult();
}

/// The result shape of view / reshape: -1 is inferred, the batch symbol
/// (x.size(0) of a dynamic batch) stays dynamic, and when the input's batch
/// is dynamic and no entry names it, the -1 entry absorbs it.
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
      if (i != 0)
        return im.error() << "view of a tensor with a dynamic non-batch "
                             "dimension is not supported";
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

/// aten::chunk(input, chunks, dim) along the channels of an NCHW tensor.
/// qnn has no slice op yet, so each chunk is a matmul with a constant 0/1
/// selection matrix (exact in float: every output is one input times 1 plus
/// zeros) on the tensor viewed as N x C x (H*W).
static LogicalResult importChunk(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  FailureOr<int64_t> chunks = im.getInt(1, "chunks"), dim = im.getInt(2, "dim");
  if (failed(x) || failed(chunks) || failed(dim))
    return failure();
  ArrayRef<int64_t> in = shapeOf(*x);
  int64_t rank = in.size();
  if (failed(normalizeAxis(im, *dim, rank, "dim")))
    return failure();
  if (*dim != 1 || rank < 2 || ShapedType::isDynamic(in[1]))
    return im.error() << "chunk is only supported along a static dimension 1";
  int64_t c = in[1], n = *chunks;
  if (n <= 0 || c % n != 0)
    return im.error() << "chunk of " << c << " channels into " << n
                      << " equal parts is not supported";
  int64_t part = c / n, rest = 1;
  for (int64_t d = 2; d < rank; ++d) {
    if (ShapedType::isDynamic(in[d]))
      return im.error() << "chunk needs static dimensions after dim 1";
    rest *= in[d];
  }
  FailureOr<Value> flat = reshape(im, *x, {in[0], c, rest});
  if (failed(flat))
    return failure();
  Folded list;
  list.kind = Folded::Kind::List;
  for (int64_t k = 0; k < n; ++k) {
    std::vector<float> select(part * c, 0.0f);
    for (int64_t r = 0; r < part; ++r)
      select[r * c + k * part + r] = 1.0f;
    Value s = im.constantF32({part, c}, select,
                             "chunk_select_" + std::to_string(k));
    FailureOr<Value> picked = im.create<qnn::MatmulOp>(s, *flat);
    if (failed(picked))
      return failure();
    SmallVector<int64_t> shape(in.begin(), in.end());
    shape[1] = part;
    FailureOr<Value> y = reshape(im, *picked, shape);
    if (failed(y))
      return failure();
    Folded item;
    item.kind = Folded::Kind::Value;
    item.value = *y;
    list.items.push_back(item);
  }
  im.setFolded(0, std::move(list));
  return success();
}

void registerShapeOps(OpTable &table) {
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
