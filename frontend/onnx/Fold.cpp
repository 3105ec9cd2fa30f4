//===- Fold.cpp - Constant, Shape, Gather, Cast, Slice, Range, ScatterND -===//
//
// Ops evaluated at import time. PyTorch exports compute reshape targets from
// the input's shape at run time (Shape -> Gather -> Unsqueeze -> Concat);
// with static shapes that is a constant, and with a symbolic batch size the
// unknown entries are carried as kUnknown so Reshape can still type its
// result; Swin's attention masks are built from constants by Range,
// ScatterND, Equal, Not and Where. These ops are only supported on
// import-time values, except Slice, which slices a computed tensor with
// qnn.slice (ShuffleNet's channel split, Swin's patch merging).
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/OpUtils.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace qopt::onnx_import {

static LogicalResult importConstant(Importer &im) {
  const OnnxNode &n = im.node();
  if (const OnnxAttribute *a = n.attr("value")) {
    im.setConstant(0, ConstTensor::fromOnnx(a->t));
  } else if (const OnnxAttribute *a = n.attr("value_float")) {
    im.setConstant(0, ConstTensor::ofFloats({}, {a->f}));
  } else if (const OnnxAttribute *a = n.attr("value_floats")) {
    im.setConstant(
        0, ConstTensor::ofFloats({(int64_t)a->floats.size()}, a->floats));
  } else if (const OnnxAttribute *a = n.attr("value_int")) {
    im.setConstant(0, ConstTensor::ofInts({}, {a->i}));
  } else if (const OnnxAttribute *a = n.attr("value_ints")) {
    im.setConstant(0, ConstTensor::ofInts({(int64_t)a->ints.size()}, a->ints));
  } else {
    return im.error() << "only tensor, float(s) and int(s) values are "
                         "supported (not sparse or string constants)";
  }
  return success();
}

static LogicalResult importShape(Importer &im) {
  std::vector<int64_t> dims;
  if (const ConstTensor *c = im.constant(0)) {
    dims = c->dims;
  } else {
    FailureOr<Value> x = im.anyInput(0);
    if (failed(x))
      return failure();
    for (auto [i, d] : llvm::enumerate(shapeOf(*x)))
      dims.push_back(ShapedType::isDynamic(d) ? im.dimValue(0, i) : d);
  }
  int64_t rank = dims.size();
  int64_t start = im.getInt("start", 0), end = im.getInt("end", rank);
  start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
  end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
  std::vector<int64_t> values;
  for (int64_t d = start; d < end; ++d)
    values.push_back(dims[d]);
  im.setConstant(0, ConstTensor::ofInts({(int64_t)values.size()}, values));
  return success();
}

/// Gather of a computed tensor by one constant index: a size-1 qnn.slice,
/// reshaped away for a scalar index (a vision transformer's class token,
/// x[:, 0]).
static LogicalResult importTensorGather(Importer &im) {
  FailureOr<Value> x = im.floatInput(0);
  const ConstTensor *indices = im.requireInts(1, "indices");
  if (failed(x) || !indices)
    return failure();
  if (indices->numElements() != 1 || indices->dims.size() > 1)
    return im.error() << "Gather of a computed tensor is only supported with "
                         "one constant index";
  SmallVector<int64_t> in(shapeOf(*x));
  int64_t axis = im.getInt("axis", 0);
  if (failed(normalizeAxis(im, axis, in.size())))
    return failure();
  int64_t size = in[axis], idx = indices->ints[0];
  if (ShapedType::isDynamic(size))
    return im.error() << "Gather along dynamic axis " << axis
                      << " is not supported";
  if (idx < -size || idx >= size)
    return im.error() << "index " << idx << " is out of range for size "
                      << size;
  Value one = frontend::buildSlice(im, *x, axis, idx < 0 ? idx + size : idx, 1);
  if (indices->dims.size() == 1)
    return im.bindResult(one);
  in.erase(in.begin() + axis);
  if (llvm::count_if(in, ShapedType::isDynamic) > 1)
    return im.error() << "Gather leaves more than one dynamic dimension";
  FailureOr<Value> y = reshapeTo(im, one, in);
  return im.bindResult(y);
}

static LogicalResult importGather(Importer &im) {
  // Data may hold unknown entries (a Shape with a symbolic batch size).
  const ConstTensor *data = im.constant(0);
  if (!data)
    return importTensorGather(im);
  const ConstTensor *indices = im.requireInts(1, "indices");
  if (!indices)
    return failure();
  int64_t rank = data->dims.size();
  int64_t axis = im.getInt("axis", 0);
  if (failed(normalizeAxis(im, axis, rank)))
    return failure();
  int64_t outer = 1, inner = 1, size = data->dims[axis];
  for (int64_t d = 0; d < axis; ++d)
    outer *= data->dims[d];
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= data->dims[d];
  ConstTensor r;
  r.type = data->type;
  r.dims.assign(data->dims.begin(), data->dims.begin() + axis);
  r.dims.insert(r.dims.end(), indices->dims.begin(), indices->dims.end());
  r.dims.insert(r.dims.end(), data->dims.begin() + axis + 1, data->dims.end());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t idx : indices->ints) {
      if (idx < -size || idx >= size)
        return im.error() << "index " << idx << " is out of range for size "
                          << size;
      idx = idx < 0 ? idx + size : idx;
      for (int64_t k = 0; k < inner; ++k)
        r.append(*data, (o * size + idx) * inner + k);
    }
  im.setConstant(0, std::move(r));
  return success();
}

static LogicalResult importCast(Importer &im) {
  auto to = static_cast<ElemType>(im.getInt("to", 0));
  if (elemTypeSize(to) == 0)
    return im.error() << "cast to " << elemTypeName(to) << " is not supported";
  if (const ConstTensor *c = im.constant(0)) {
    im.setConstant(0, c->castTo(to));
    return success();
  }
  FailureOr<Value> x = im.anyInput(0);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  if (to == ElemType::Float && type.getElementType().isF32()) {
    im.setResult(0, *x);
    return success();
  }
  return im.error() << "Cast of a computed " << type << " to "
                    << elemTypeName(to)
                    << " is not supported (qnn computes in float32)";
}

namespace {
/// One sliced axis: `count` entries from `begin` by `step`. `count` is
/// kDynamic for a dynamic dimension taken whole.
struct SliceAxis {
  int64_t axis, begin, step, count;
};
} // namespace

/// Slice's starts, ends, axes and steps (constant inputs 1 to 4) against the
/// data's `dims`, per the ONNX specification: negative indices count from
/// the end, then indices are clamped to the dimension. A dynamic dimension
/// can only be taken whole (start 0, end at least INT32_MAX, step 1).
static FailureOr<SmallVector<SliceAxis>> readSlice(Importer &im,
                                                   ArrayRef<int64_t> dims) {
  const ConstTensor *starts = im.requireInts(1, "starts");
  const ConstTensor *ends = starts ? im.requireInts(2, "ends") : nullptr;
  if (!starts || !ends)
    return failure();
  int64_t rank = dims.size();
  std::vector<int64_t> axes, steps(starts->ints.size(), 1);
  if (im.hasInput(3)) {
    const ConstTensor *a = im.requireInts(3, "axes");
    if (!a)
      return failure();
    axes = a->ints;
  } else {
    for (size_t i = 0; i < starts->ints.size(); ++i)
      axes.push_back(i);
  }
  if (im.hasInput(4)) {
    const ConstTensor *s = im.requireInts(4, "steps");
    if (!s)
      return failure();
    steps = s->ints;
  }
  if (ends->ints.size() != starts->ints.size() ||
      axes.size() != starts->ints.size() || steps.size() != starts->ints.size())
    return im.error() << "starts, ends, axes and steps must have one entry "
                         "per sliced axis";
  SmallVector<SliceAxis> result;
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = axes[i];
    if (failed(normalizeAxis(im, axis, rank)))
      return failure();
    if (seen[axis])
      return im.error() << "axis " << axis << " is sliced twice";
    seen[axis] = true;
    int64_t dim = dims[axis], s = steps[i];
    if (s == 0)
      return im.error() << "steps must not be 0";
    if (ShapedType::isDynamic(dim)) {
      if (s != 1 || starts->ints[i] != 0 ||
          ends->ints[i] < std::numeric_limits<int32_t>::max())
        return im.error() << "slicing dynamic dimension " << axis
                          << " is only supported whole (start 0, end "
                             "INT_MAX, step 1)";
      result.push_back({axis, 0, 1, ShapedType::kDynamic});
      continue;
    }
    auto clampIndex = [&](int64_t v, bool isEnd) {
      if (v < 0)
        v += dim;
      // ONNX clamps ends of a backward slice to -1 (before the first).
      return s > 0 ? std::clamp<int64_t>(v, 0, dim)
                   : std::clamp<int64_t>(v, isEnd ? -1 : 0, dim - 1);
    };
    int64_t b = clampIndex(starts->ints[i], false);
    int64_t e = clampIndex(ends->ints[i], true);
    int64_t count = s > 0 ? std::max<int64_t>(0, (e - b + s - 1) / s)
                          : std::max<int64_t>(0, (b - e - s - 1) / -s);
    result.push_back({axis, b, s, count});
  }
  return result;
}

/// Slice of a computed tensor: one qnn.slice per axis that is not taken
/// whole; a step > 1 as qnn.slice of a reshape into blocks of `step`.
static LogicalResult importTensorSlice(Importer &im) {
  FailureOr<Value> x = im.floatInput(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> shape(shapeOf(*x));
  FailureOr<SmallVector<SliceAxis>> axes = readSlice(im, shape);
  if (failed(axes))
    return failure();
  SmallVector<int64_t> dims;
  for (size_t d = 0; d < shape.size(); ++d)
    dims.push_back(im.dimValue(0, d));
  Value y = *x;
  for (const SliceAxis &a : *axes) {
    if (ShapedType::isDynamic(a.count) ||
        (a.step == 1 && a.begin == 0 && a.count == shape[a.axis]))
      continue;
    if (a.count == 0)
      return im.error() << "an empty slice (of axis " << a.axis
                        << ") is not supported: qnn has no empty tensors";
    FailureOr<Value> s = frontend::buildStridedSlice(im, y, a.axis, a.begin,
                                                     a.step, a.count);
    if (failed(s))
      return im.error() << "step " << a.step << " on axis " << a.axis
                        << " of a computed tensor is not supported (only "
                           "positive steps over whole blocks of a static "
                           "axis, one dynamic dimension at most)";
    shape[a.axis] = dims[a.axis] = a.count;
    y = *s;
  }
  im.setDimValues(0, dims);
  return im.bindResult(y);
}

static LogicalResult importSlice(Importer &im) {
  const ConstTensor *data = im.constant(0);
  if (!data)
    return importTensorSlice(im);
  int64_t rank = data->dims.size();
  FailureOr<SmallVector<SliceAxis>> axes = readSlice(im, data->dims);
  if (failed(axes))
    return failure();
  std::vector<int64_t> begin(rank, 0), step(rank, 1), count(data->dims);
  for (const SliceAxis &a : *axes) {
    begin[a.axis] = a.begin;
    step[a.axis] = a.step;
    count[a.axis] = a.count;
  }
  ConstTensor r;
  r.type = data->type;
  r.dims = count;
  int64_t n = r.numElements();
  for (int64_t i = 0; i < n; ++i) {
    int64_t rem = i, src = 0, stride = 1;
    for (int64_t d = rank; d-- > 0;) {
      int64_t pos = rem % count[d];
      rem /= count[d];
      src += (begin[d] + pos * step[d]) * stride;
      stride *= data->dims[d];
    }
    r.append(*data, src);
  }
  im.setConstant(0, std::move(r));
  return success();
}

static LogicalResult importConstantOfShape(Importer &im) {
  const ConstTensor *shape = im.requireInts(0, "shape");
  if (!shape)
    return failure();
  ConstTensor fill = ConstTensor::ofFloats({1}, {0.0f});
  if (const OnnxAttribute *a = im.node().attr("value"))
    fill = ConstTensor::fromOnnx(a->t);
  if (fill.numElements() != 1 || !shape->fullyKnown() || shape->isFloat())
    return im.error() << "needs a one-element value and an integer shape";
  ConstTensor r;
  r.type = fill.type;
  r.dims = shape->ints;
  int64_t n = r.numElements();
  if (r.isFloat())
    r.floats.assign(n, fill.floats.at(0));
  else
    r.ints.assign(n, fill.ints.at(0));
  im.setConstant(0, std::move(r));
  return success();
}

/// Equal of import-time integers (the -1 test torch.onnx writes before an
/// Expand). A named run-time size (a dim_param's symbol) is a size, so it
/// is unequal to any negative constant; other unknowns do not fold.
static LogicalResult importEqual(Importer &im) {
  const ConstTensor *a = im.constant(0), *b = im.constant(1);
  if (!a || !b)
    return im.error() << "Equal is only supported on import-time values "
                         "(shape arithmetic, constant masks)";
  // Floats (Swin's attention mask != 0) and broadcasts of fully known
  // tensors fold elementwise.
  if (a->isFloat() || b->isFloat() ||
      (a->dims != b->dims && b->numElements() != 1 &&
       a->numElements() != 1)) {
    FailureOr<ConstTensor> r = foldEqual(*a, *b);
    if (failed(r))
      return im.error() << "Equal of operands that do not broadcast, of two "
                           "types, or of run-time sizes is not supported";
    im.setConstant(0, std::move(*r));
    return success();
  }
  const ConstTensor &big = a->numElements() >= b->numElements() ? *a : *b;
  ConstTensor r = ConstTensor::ofInts(big.dims, {}, ElemType::Bool);
  for (int64_t i = 0; i < big.numElements(); ++i) {
    int64_t x = a->ints[a->numElements() == 1 ? 0 : i];
    int64_t y = b->ints[b->numElements() == 1 ? 0 : i];
    bool xu = isUnknown(x), yu = isUnknown(y);
    if (!xu && !yu) {
      r.ints.push_back(x == y);
      continue;
    }
    bool named = (xu && x != kUnknown && !yu && y < 0) ||
                 (yu && y != kUnknown && !xu && x < 0);
    if (!named)
      return im.error() << "Equal of a run-time value is not supported";
    r.ints.push_back(0);
  }
  im.setConstant(0, std::move(r));
  return success();
}

/// Where of an import-time condition over import-time values.
static LogicalResult importWhere(Importer &im) {
  const ConstTensor *c = im.constant(0), *x = im.constant(1),
                    *y = im.constant(2);
  if (!c || !x || !y || x->type != y->type)
    return im.error() << "Where is only supported on import-time values of "
                         "one type (shape arithmetic)";
  const ConstTensor *all[] = {c, x, y};
  std::vector<int64_t> dims;
  for (const ConstTensor *t : all)
    if (t->numElements() != 1) {
      if (!dims.empty() && t->dims != dims)
        return im.error() << "Where only broadcasts scalars";
      dims = t->dims;
    }
  ConstTensor r;
  r.type = x->type;
  r.dims = dims;
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  for (int64_t i = 0; i < n; ++i) {
    auto at = [&](const ConstTensor *t) { return t->numElements() == 1 ? 0 : i; };
    bool take = c->isFloat() ? c->floats[at(c)] != 0 : c->ints[at(c)] != 0;
    r.append(take ? *x : *y, take ? at(x) : at(y));
  }
  im.setConstant(0, std::move(r));
  return success();
}

/// Not of an import-time bool tensor.
static LogicalResult importNot(Importer &im) {
  const ConstTensor *x = im.constant(0);
  if (!x || x->isFloat() || !x->fullyKnown())
    return im.error() << "Not is only supported on import-time bools";
  ConstTensor r = ConstTensor::ofInts(x->dims, {}, ElemType::Bool);
  for (int64_t v : x->ints)
    r.ints.push_back(v == 0);
  im.setConstant(0, std::move(r));
  return success();
}

/// Range of import-time scalars: start, start + delta, ... before limit.
static LogicalResult importRange(Importer &im) {
  const ConstTensor *start = im.requireConstant(0, "start"),
                    *limit = im.requireConstant(1, "limit"),
                    *delta = im.requireConstant(2, "delta");
  if (!start || !limit || !delta)
    return failure();
  for (const ConstTensor *t : {start, limit, delta})
    if (t->numElements() != 1 || !t->fullyKnown())
      return im.error() << "Range needs scalar start, limit and delta known "
                           "at import time";
  double s = start->at(0), l = limit->at(0), d = delta->at(0);
  if (d == 0)
    return im.error() << "Range's delta must not be 0";
  int64_t n = std::max<int64_t>(0, (int64_t)std::ceil((l - s) / d));
  if (n > (1 << 24))
    return im.error() << "Range of " << n << " elements is too large to fold";
  ConstTensor r;
  r.type = start->type;
  r.dims = {n};
  for (int64_t i = 0; i < n; ++i) {
    if (r.isFloat())
      r.floats.push_back((float)(s + i * d));
    else
      r.ints.push_back(start->ints[0] + i * delta->ints[0]);
  }
  im.setConstant(0, std::move(r));
  return success();
}

/// ScatterND of import-time data, indices and updates, without reduction
/// (a slice assignment to a constant: Swin's shifted-window mask).
static LogicalResult importScatterND(Importer &im) {
  const ConstTensor *data = im.requireConstant(0, "data");
  const ConstTensor *indices = im.requireInts(1, "indices");
  const ConstTensor *updates = im.requireConstant(2, "updates");
  if (!data || !indices || !updates)
    return failure();
  if (im.getString("reduction", "none") != "none")
    return im.error() << "only ScatterND without reduction is supported";
  if (!indices->fullyKnown() || indices->dims.empty() ||
      data->type != updates->type)
    return im.error() << "ScatterND needs known indices and updates of the "
                         "data's type";
  int64_t k = indices->dims.back(), rank = data->dims.size();
  if (k < 1 || k > rank)
    return im.error() << "ScatterND's index depth " << k
                      << " must be in [1, " << rank << "]";
  int64_t slice = 1;
  for (int64_t d = k; d < rank; ++d)
    slice *= data->dims[d];
  int64_t count = indices->numElements() / k;
  if (updates->numElements() != count * slice)
    return im.error() << "ScatterND's updates have " << updates->numElements()
                      << " elements, expected " << count * slice;
  ConstTensor r = *data;
  for (int64_t i = 0; i < count; ++i) {
    int64_t off = 0;
    for (int64_t d = 0; d < k; ++d) {
      int64_t idx = indices->ints[i * k + d], size = data->dims[d];
      if (idx < 0)
        idx += size;
      if (idx < 0 || idx >= size)
        return im.error() << "ScatterND index " << indices->ints[i * k + d]
                          << " is out of range for dimension " << d
                          << " of size " << size;
      off = off * size + idx;
    }
    for (int64_t j = 0; j < slice; ++j) {
      if (r.isFloat())
        r.floats[off * slice + j] = updates->floats[i * slice + j];
      else
        r.ints[off * slice + j] = updates->ints[i * slice + j];
    }
  }
  im.setConstant(0, std::move(r));
  return success();
}

void registerFoldOps(OpTable &table) {
  table["Not"] = importNot;
  table["Range"] = importRange;
  table["ScatterND"] = importScatterND;
  table["Equal"] = importEqual;
  table["Where"] = importWhere;
  table["Constant"] = importConstant;
  table["Shape"] = importShape;
  table["Gather"] = importGather;
  table["Cast"] = importCast;
  table["Slice"] = importSlice;
  table["ConstantOfShape"] = importConstantOfShape;
}

} // namespace qopt::onnx_import
