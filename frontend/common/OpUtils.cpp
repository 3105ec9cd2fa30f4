//===- OpUtils.cpp - shape helpers shared by both importers ---------------===//

#include "frontend/common/OpUtils.h"

#include "dialect/QnnOps.h"

#include <algorithm>

using namespace mlir;

namespace qopt::frontend {

int64_t product(ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (ShapedType::isDynamic(d))
      return ShapedType::kDynamic;
    n *= d;
  }
  return n;
}

SmallVector<int64_t> toMlirShape(ArrayRef<int64_t> dims) {
  SmallVector<int64_t> shape;
  for (int64_t d : dims)
    shape.push_back(d < 0 ? ShapedType::kDynamic : d);
  return shape;
}

LogicalResult normalizeAxis(GraphBuilder &im, int64_t &axis, int64_t rank,
                            StringRef what, bool allowEnd) {
  int64_t hi = allowEnd ? rank : rank - 1;
  if (axis < -rank || axis > hi)
    return im.error() << what << " " << axis << " is out of range for rank "
                      << rank;
  if (axis < 0)
    axis += rank;
  return success();
}

FailureOr<Value> buildMean(GraphBuilder &im, Value x, ArrayRef<int64_t> axes,
                           bool keepDims) {
  SmallVector<int64_t> sorted(axes);
  llvm::sort(sorted);
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
    return im.error() << "axes must be distinct";
  ArrayRef<int64_t> in = shapeOf(x);
  if (in.size() == 4 && sorted == SmallVector<int64_t>{2, 3}) {
    FailureOr<Value> pooled = im.create<qnn::GlobalAvgPoolOp>(x);
    if (failed(pooled) || keepDims)
      return pooled;
    return qnn::ReshapeOp::create(im.builder(), im.loc(),
                                  im.f32Type({in[0], in[1]}), *pooled)
        .getResult();
  }
  OpBuilder &b = im.builder();
  return im.create<qnn::ReduceMeanOp>(x, b.getDenseI64ArrayAttr(sorted),
                                      b.getBoolAttr(keepDims));
}

Value buildSlice(GraphBuilder &im, Value x, int64_t axis, int64_t start,
                 int64_t size) {
  SmallVector<int64_t> shape(shapeOf(x));
  shape[axis] = size;
  OpBuilder &b = im.builder();
  return qnn::SliceOp::create(b, im.loc(), im.f32Type(shape), x,
                              b.getI64IntegerAttr(axis),
                              b.getI64IntegerAttr(start))
      .getResult();
}

FailureOr<Value> buildStridedSlice(GraphBuilder &im, Value x, int64_t axis,
                                   int64_t start, int64_t step,
                                   int64_t count) {
  if (step == 1)
    return buildSlice(im, x, axis, start, count);
  SmallVector<int64_t> shape(shapeOf(x));
  int64_t size = shape[axis];
  // Entries start, start + step, ... are entry j of consecutive blocks of
  // `step` entries that begin at start - j; take the smallest j whose
  // blocks lie inside the axis.
  int64_t j = std::max<int64_t>(0, start + count * step - size);
  if (step < 1 || ShapedType::isDynamic(size) || count < 1 ||
      j > std::min(start, step - 1) ||
      llvm::count_if(shape, ShapedType::isDynamic) > 1)
    return failure();
  Value y = x;
  if (start - j != 0 || count * step != size)
    y = buildSlice(im, y, axis, start - j, count * step);
  SmallVector<int64_t> blocks(shape);
  blocks[axis] = step;
  blocks.insert(blocks.begin() + axis, count);
  OpBuilder &b = im.builder();
  y = qnn::ReshapeOp::create(b, im.loc(), im.f32Type(blocks), y);
  y = buildSlice(im, y, axis + 1, j, 1);
  shape[axis] = count;
  return qnn::ReshapeOp::create(b, im.loc(), im.f32Type(shape), y)
      .getResult();
}

FailureOr<Value> buildLinear(GraphBuilder &im, Value x, Value weight,
                             Value bias) {
  ArrayRef<int64_t> in = shapeOf(x);
  if (in.size() <= 2 || llvm::count_if(in, ShapedType::isDynamic) > 1)
    return im.create<qnn::LinearOp>(x, weight, bias);
  int64_t rows = product(in.drop_back());
  OpBuilder &b = im.builder();
  Value flat = qnn::ReshapeOp::create(b, im.loc(),
                                      im.f32Type({rows, in.back()}), x);
  FailureOr<Value> y = im.create<qnn::LinearOp>(flat, weight, bias);
  if (failed(y))
    return failure();
  SmallVector<int64_t> out(in.drop_back());
  out.push_back(shapeOf(*y).back());
  return qnn::ReshapeOp::create(b, im.loc(), im.f32Type(out), *y).getResult();
}

FailureOr<Value> buildEinsum(GraphBuilder &im, StringRef equation, Value a,
                             Value b) {
  std::string eq;
  for (char c : equation)
    if (c != ' ')
      eq.push_back(c);
  auto unsupported = [&]() {
    return im.error() << "einsum '" << equation
                      << "' is not supported (only batched matrix products "
                         "of two operands, ...ik,...kj->...ij or "
                         "...ik,...jk->...ij)";
  };
  size_t comma = eq.find(','), arrow = eq.find("->");
  if (comma == std::string::npos || arrow == std::string::npos ||
      arrow < comma)
    return unsupported();
  std::string l = eq.substr(0, comma), r = eq.substr(comma + 1, arrow - comma - 1),
              o = eq.substr(arrow + 2);
  size_t n = l.size();
  if (n < 2 || r.size() != n || o.size() != n ||
      l.substr(0, n - 2) != r.substr(0, n - 2) ||
      l.substr(0, n - 2) != o.substr(0, n - 2) ||
      shapeOf(a).size() != n || shapeOf(b).size() != n)
    return unsupported();
  char i = l[n - 2], k = l[n - 1];
  if (o[n - 2] != i || i == k)
    return unsupported();
  char j = o[n - 1];
  if (j == i || j == k)
    return unsupported();
  Value rhs = b;
  if (r[n - 2] == j && r[n - 1] == k) {
    SmallVector<int64_t> perm;
    for (int64_t d = 0; d < (int64_t)n; ++d)
      perm.push_back(d);
    std::swap(perm[n - 1], perm[n - 2]);
    FailureOr<Value> t = im.create<qnn::TransposeOp>(
        b, im.builder().getDenseI64ArrayAttr(perm));
    if (failed(t))
      return failure();
    rhs = *t;
  } else if (r[n - 2] != k || r[n - 1] != j) {
    return unsupported();
  }
  return im.create<qnn::MatmulOp>(a, rhs);
}

FailureOr<Value> buildLayerNorm(GraphBuilder &im, Value x, Value scale,
                                Value bias, int64_t axis, double epsilon) {
  ArrayRef<int64_t> in = shapeOf(x);
  if (axis < 0 || axis >= (int64_t)in.size())
    return im.error() << "the normalized axes start at " << axis
                      << ", out of range for " << x.getType();
  ArrayRef<int64_t> trailing = in.drop_front(axis);
  for (Value *p : {&scale, &bias}) {
    if (*p)
      continue;
    int64_t n = product(trailing);
    if (ShapedType::isDynamic(n))
      return im.error() << "the normalized axes of " << x.getType()
                        << " must be static";
    *p = im.constantF32(trailing, std::vector<float>(n, p == &scale ? 1.f : 0.f),
                        p == &scale ? "scale" : "bias");
  }
  if (scale.getType() != bias.getType() ||
      shapeOf(scale) != ArrayRef<int64_t>(trailing))
    return im.error() << "scale " << scale.getType() << " and bias "
                      << bias.getType() << " must have the shape of the "
                      << "normalized axes of " << x.getType();
  OpBuilder &b = im.builder();
  return qnn::LayerNormOp::create(b, im.loc(), x.getType(), x, scale, bias,
                                  b.getI64IntegerAttr(axis),
                                  b.getF64FloatAttr(epsilon))
      .getResult();
}

FailureOr<Value> buildGroupNorm(GraphBuilder &im, Value x, Value scale,
                                Value bias, int64_t groups, double epsilon) {
  ArrayRef<int64_t> in = shapeOf(x);
  if (in.size() < 2 || ShapedType::isDynamic(in[1]))
    return im.error() << "group normalization needs an input [N, C, ...] "
                      << "with a static C, got " << x.getType();
  int64_t c = in[1];
  if (groups < 1 || c % groups != 0)
    return im.error() << groups << " groups do not divide the " << c
                      << " channels of " << x.getType();
  for (Value *p : {&scale, &bias}) {
    if (*p)
      continue;
    *p = im.constantF32({c}, std::vector<float>(c, p == &scale ? 1.f : 0.f),
                        p == &scale ? "scale" : "bias");
  }
  for (Value p : {scale, bias})
    if (shapeOf(p) != ArrayRef<int64_t>{c})
      return im.error() << "scale and bias must be vectors of " << c
                        << " elements (one per channel), got " << p.getType();
  OpBuilder &b = im.builder();
  return qnn::GroupNormOp::create(b, im.loc(), x.getType(), x, scale, bias,
                                  b.getI64IntegerAttr(groups),
                                  b.getF64FloatAttr(epsilon))
      .getResult();
}

} // namespace qopt::frontend
