//===- Shape.cpp - Reshape, Flatten, (Un)Squeeze, Transpose, Concat -------===//
//
// Each op also folds when its input is known at import time, so shape
// computations (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) reduce to
// constants.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/OpUtils.h"

using namespace mlir;

namespace qopt::onnx_import {

static ConstTensor withDims(const ConstTensor &c, std::vector<int64_t> dims) {
  ConstTensor r = c;
  r.dims = std::move(dims);
  return r;
}

/// Binds output 0 to input 0 reshaped to `shape` (MLIR dims, dynamic
/// allowed): a folded constant when the input is one, else qnn.reshape.
static LogicalResult bindReshaped(Importer &im, ArrayRef<int64_t> shape) {
  if (const ConstTensor *c = im.constant(0)) {
    if (llvm::any_of(shape, ShapedType::isDynamic))
      return im.error() << "cannot fold a constant into a dynamic shape";
    im.setConstant(
        0, withDims(*c, std::vector<int64_t>(shape.begin(), shape.end())));
    return success();
  }
  FailureOr<Value> x = im.floatInput(0);
  if (failed(x))
    return failure();
  FailureOr<Value> y = reshapeTo(im, *x, shape);
  return im.bindResult(y);
}

/// The input's shape (MLIR dims), constant or value.
static FailureOr<SmallVector<int64_t>> inputShape(Importer &im, unsigned i) {
  if (const ConstTensor *c = im.constant(i))
    return SmallVector<int64_t>(c->dims.begin(), c->dims.end());
  FailureOr<Value> v = im.anyInput(i);
  if (failed(v))
    return failure();
  return SmallVector<int64_t>(shapeOf(*v));
}

/// Fills dynamic dimensions from ONNX shape inference where it knows them.
static void refineWithInferred(Importer &im, SmallVectorImpl<int64_t> &shape) {
  std::optional<std::vector<int64_t>> inferred = im.inferredShape(0);
  if (!inferred || inferred->size() != shape.size())
    return;
  for (auto [d, known] : llvm::zip(shape, *inferred))
    if (ShapedType::isDynamic(d) && known >= 0)
      d = known;
}

static LogicalResult importReshape(Importer &im) {
  FailureOr<SmallVector<int64_t>> in = inputShape(im, 0);
  if (failed(in))
    return failure();
  const ConstTensor *target = im.constant(1);
  if (!target)
    return im.error() << "the target shape (input 1) must be computable at "
                         "import time";
  if (target->isFloat())
    return im.error() << "the target shape must be an integer tensor";
  // Each input dimension as a folded value: its size, or the symbol of its
  // dim_param. A target entry holding the same symbol stands for that
  // dimension, which lets -1 be solved for x.view(x.size(0), -1).
  SmallVector<int64_t> inValues;
  for (auto [d, size] : llvm::enumerate(*in))
    inValues.push_back(ShapedType::isDynamic(size) ? im.dimValue(0, d) : size);
  SmallVector<bool> inMatched(in->size(), false);
  bool allowZero = im.getInt("allowzero", 0) != 0;
  // out: MLIR dims; outValues: the same as folded values (symbols kept),
  // recorded for the Shape ops that read the result.
  SmallVector<int64_t> out, outValues;
  int64_t inferAt = -1;
  bool solvable = true;
  int64_t known = 1;
  for (auto [i, v] : llvm::enumerate(target->ints)) {
    int64_t value = v;
    if (v == 0 && !allowZero) {
      if (i >= in->size())
        return im.error() << "shape entry " << i << " is 0 (copy) but the "
                          << "input has rank " << in->size();
      value = inValues[i];
    } else if (v == -1) {
      if (inferAt >= 0)
        return im.error() << "the target shape has more than one -1";
      inferAt = i;
      out.push_back(ShapedType::kDynamic);
      outValues.push_back(kUnknown);
      continue;
    } else if (v < 0 && !isUnknown(v)) {
      return im.error() << "invalid shape entry " << v;
    }
    outValues.push_back(value);
    if (!isUnknown(value)) {
      out.push_back(value);
      known *= value;
      continue;
    }
    out.push_back(ShapedType::kDynamic);
    auto match = llvm::find_if(llvm::seq<size_t>(0, in->size()), [&](size_t d) {
      return !inMatched[d] && value != kUnknown && inValues[d] == value;
    });
    if (match == llvm::seq<size_t>(0, in->size()).end())
      solvable = false;
    else
      inMatched[*match] = true;
  }
  if (inferAt >= 0 && solvable && known != 0) {
    int64_t total = 1;
    for (auto [d, size] : llvm::enumerate(*in))
      if (!inMatched[d]) {
        // Declared dims can be any int64: a product that overflows is
        // left unsolved, as a dynamic one is (fuzz-onnx: UBSan).
        int64_t product;
        total = ShapedType::isDynamic(size) || ShapedType::isDynamic(total) ||
                        __builtin_mul_overflow(total, size, &product)
                    ? ShapedType::kDynamic
                    : product;
      }
    if (!ShapedType::isDynamic(total))
      out[inferAt] = total / known;
  }
  refineWithInferred(im, out);
  for (auto [d, v] : llvm::zip(out, outValues))
    if (!ShapedType::isDynamic(d))
      v = d;
  im.setDimValues(0, outValues);
  return bindReshaped(im, out);
}

static LogicalResult importFlatten(Importer &im) {
  FailureOr<SmallVector<int64_t>> in = inputShape(im, 0);
  if (failed(in))
    return failure();
  int64_t axis = im.getInt("axis", 1);
  if (failed(normalizeAxis(im, axis, in->size(), "axis", /*allowEnd=*/true)))
    return failure();
  if (im.constant(0))
    return bindReshaped(im, {product(ArrayRef(*in).take_front(axis)),
                             product(ArrayRef(*in).drop_front(axis))});
  FailureOr<Value> x = im.floatInput(0);
  if (failed(x))
    return failure();
  FailureOr<Value> y =
      im.create<qnn::FlattenOp>(*x, im.builder().getI64IntegerAttr(axis));
  return im.bindResult(y);
}

/// Squeeze / Unsqueeze axes: the attribute before opset 13, input 1 after.
static FailureOr<std::optional<std::vector<int64_t>>> readAxes(Importer &im) {
  if (im.opset() < 13)
    return im.getInts("axes");
  if (!im.hasInput(1))
    return std::optional<std::vector<int64_t>>();
  const ConstTensor *c = im.requireInts(1, "axes");
  if (!c)
    return failure();
  return std::optional<std::vector<int64_t>>(c->ints);
}

static LogicalResult importSqueeze(Importer &im) {
  FailureOr<SmallVector<int64_t>> in = inputShape(im, 0);
  FailureOr<std::optional<std::vector<int64_t>>> axes = readAxes(im);
  if (failed(in) || failed(axes))
    return failure();
  int64_t rank = in->size();
  SmallVector<bool> drop(rank, false);
  if (*axes) {
    for (int64_t a : **axes) {
      if (failed(normalizeAxis(im, a, rank)))
        return failure();
      if ((*in)[a] != 1 && !ShapedType::isDynamic((*in)[a]))
        return im.error() << "cannot squeeze dimension " << a << " of size "
                          << (*in)[a];
      drop[a] = true;
    }
  } else {
    for (int64_t d = 0; d < rank; ++d)
      drop[d] = (*in)[d] == 1;
  }
  SmallVector<int64_t> out;
  for (int64_t d = 0; d < rank; ++d)
    if (!drop[d])
      out.push_back((*in)[d]);
  return bindReshaped(im, out);
}

static LogicalResult importUnsqueeze(Importer &im) {
  FailureOr<SmallVector<int64_t>> in = inputShape(im, 0);
  FailureOr<std::optional<std::vector<int64_t>>> axes = readAxes(im);
  if (failed(in) || failed(axes))
    return failure();
  if (!*axes)
    return im.error() << "'axes' is required";
  int64_t rank = in->size() + (*axes)->size();
  SmallVector<bool> inserted(rank, false);
  for (int64_t a : **axes) {
    if (failed(normalizeAxis(im, a, rank)))
      return failure();
    inserted[a] = true;
  }
  SmallVector<int64_t> out;
  for (int64_t d = 0, j = 0; d < rank; ++d)
    out.push_back(inserted[d] ? 1 : (*in)[j++]);
  return bindReshaped(im, out);
}

static LogicalResult importTranspose(Importer &im) {
  FailureOr<SmallVector<int64_t>> in = inputShape(im, 0);
  if (failed(in))
    return failure();
  std::vector<int64_t> perm;
  if (std::optional<std::vector<int64_t>> p = im.getInts("perm"))
    perm = *p;
  else
    for (int64_t d = in->size(); d-- > 0;)
      perm.push_back(d);
  if (const ConstTensor *c = im.constant(0)) {
    // Constant transposes (weights in some exports) are applied now.
    int64_t rank = c->dims.size();
    if ((int64_t)perm.size() != rank)
      return im.error() << "perm must have " << rank << " entries";
    std::vector<int64_t> outDims, inStrides(rank, 1);
    std::vector<int64_t> sorted(perm);
    llvm::sort(sorted);
    if (sorted != std::vector<int64_t>(llvm::seq<int64_t>(0, rank).begin(),
                                       llvm::seq<int64_t>(0, rank).end()))
      return im.error() << "perm is not a permutation of the dimensions";
    for (int64_t d = rank - 1; d > 0; --d)
      inStrides[d - 1] = inStrides[d] * c->dims[d];
    for (int64_t p : perm) {
      if (p < 0 || p >= rank)
        return im.error() << "invalid perm entry " << p;
      outDims.push_back(c->dims[p]);
    }
    ConstTensor r = withDims(*c, outDims);
    int64_t n = c->numElements();
    for (int64_t i = 0; i < n; ++i) {
      int64_t rem = i, src = 0;
      for (int64_t d = rank; d-- > 0;) {
        src += (rem % outDims[d]) * inStrides[perm[d]];
        rem /= outDims[d];
      }
      if (r.isFloat())
        r.floats[i] = c->floats[src];
      else
        r.ints[i] = c->ints[src];
    }
    im.setConstant(0, std::move(r));
    return success();
  }
  FailureOr<Value> x = im.floatInput(0);
  if (failed(x))
    return failure();
  FailureOr<Value> y =
      im.create<qnn::TransposeOp>(*x, im.builder().getDenseI64ArrayAttr(perm));
  if (failed(y))
    return failure();
  SmallVector<int64_t> dims;
  for (int64_t p : perm)
    dims.push_back(im.dimValue(0, p));
  im.setDimValues(0, dims);
  return im.bindResult(y);
}

static LogicalResult importConcat(Importer &im) {
  unsigned n = im.node().inputs.size();
  int64_t axis = im.getInt("axis", 0);
  bool allConstant = n > 0;
  for (unsigned i = 0; i < n; ++i)
    allConstant &= im.constant(i) != nullptr;
  if (allConstant) {
    const ConstTensor &first = *im.constant(0);
    int64_t rank = first.dims.size();
    if (failed(normalizeAxis(im, axis, rank)))
      return failure();
    ConstTensor r = withDims(first, first.dims);
    r.floats.clear();
    r.ints.clear();
    r.dims[axis] = 0;
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d)
      outer *= first.dims[d];
    for (unsigned i = 0; i < n; ++i) {
      const ConstTensor &c = *im.constant(i);
      if ((int64_t)c.dims.size() != rank || c.isFloat() != first.isFloat())
        return im.error() << "constant inputs differ in rank or type";
      r.dims[axis] += c.dims[axis];
    }
    for (int64_t o = 0; o < outer; ++o)
      for (unsigned i = 0; i < n; ++i) {
        const ConstTensor &c = *im.constant(i);
        int64_t chunk = outer ? c.numElements() / outer : 0;
        for (int64_t k = o * chunk; k < (o + 1) * chunk; ++k) {
          if (r.isFloat())
            r.floats.push_back(c.floats[k]);
          else
            r.ints.push_back(c.ints[k]);
        }
      }
    im.setConstant(0, std::move(r));
    return success();
  }
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < n; ++i) {
    FailureOr<Value> v = im.floatInput(i);
    if (failed(v))
      return failure();
    inputs.push_back(*v);
  }
  FailureOr<Value> y =
      im.create<qnn::ConcatOp>(inputs, im.builder().getI64IntegerAttr(axis));
  return im.bindResult(y);
}

/// Identity, and Dropout at inference (its mask output is not produced).
static LogicalResult importIdentity(Importer &im) {
  if (const ConstTensor *c = im.constant(0)) {
    im.setConstant(0, *c);
    return success();
  }
  FailureOr<Value> x = im.anyInput(0);
  return im.bindResult(x);
}

/// Dropout is the identity at inference. In training mode (a true
/// `training_mode` input, opset 12+) with a nonzero ratio it draws a random
/// mask, which qnn does not model.
static LogicalResult importDropout(Importer &im) {
  if (im.hasInput(2)) {
    const ConstTensor *training = im.requireConstant(2, "training_mode");
    if (!training)
      return failure();
    if (training->numElements() == 1 && training->at(0) != 0) {
      const ConstTensor *ratio = im.hasInput(1) ? im.constant(1) : nullptr;
      // The default ratio is 0.5.
      if (!ratio || ratio->numElements() != 1 || ratio->at(0) != 0)
        return im.error() << "training_mode=1 with a nonzero ratio is not "
                             "supported (a random mask; inference only)";
    }
  }
  return importIdentity(im);
}

/// Expand by an import-time shape (numpy broadcasting). A dimension the
/// input already has stays; a size-1 dimension expanded to a graph input's
/// run-time size (a dim_param, e.g. the batch of a vision transformer's
/// class token) becomes qnn.expand like that input. Static expansions and
/// added dimensions are refused. An import-time input expanded to a known
/// shape is folded.
static LogicalResult importExpand(Importer &im) {
  // Not requireInts: the shape may hold named run-time sizes.
  const ConstTensor *shape = im.constant(1);
  if (!shape || shape->isFloat())
    return im.error() << "shape (input 1) must be an import-time integer "
                         "tensor";
  // An import-time tensor expanded to a known shape is folded (Swin's mask
  // updates); to a run-time size (ViT's class token to the batch) it is
  // qnn.expand.
  const ConstTensor *c = im.constant(0);
  if (c && shape->fullyKnown()) {
    FailureOr<ConstTensor> r = foldExpand(*c, shape->ints);
    if (failed(r))
      return im.error() << "Expand of an import-time tensor to a shape it "
                           "does not broadcast to";
    im.setConstant(0, std::move(*r));
    return success();
  }
  FailureOr<Value> x = im.floatInput(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> in = shapeOf(*x);
  if (shape->ints.size() != in.size())
    return im.error() << "Expand to rank " << shape->ints.size() << " from "
                      << x->getType() << " (adding dims) is not supported";
  SmallVector<int64_t> axes;
  Value like;
  for (auto [d, s] : llvm::enumerate(shape->ints)) {
    if (s == 1 || s == in[d])
      continue;
    unsigned likeDim = 0;
    Value source = in[d] == 1 && isUnknown(s) && s != kUnknown
                       ? im.symbolSource(s, likeDim)
                       : Value();
    if (!source || likeDim != d || (like && like != source))
      return im.error() << "Expand of dimension " << d << " of "
                        << x->getType() << " to "
                        << (isUnknown(s) ? std::string("a run-time size")
                                         : std::to_string(s))
                        << " is not supported (only size-1 dimensions to a "
                           "graph input's size on the same axis)";
    like = source;
    axes.push_back(d);
  }
  if (axes.empty())
    return im.bindResult(*x);
  return im.bindResult(im.create<qnn::ExpandOp>(
      *x, like, im.builder().getDenseI64ArrayAttr(axes)));
}

void registerShapeOps(OpTable &table) {
  table["Expand"] = importExpand;
  table["Reshape"] = importReshape;
  table["Flatten"] = importFlatten;
  table["Squeeze"] = importSqueeze;
  table["Unsqueeze"] = importUnsqueeze;
  table["Transpose"] = importTranspose;
  table["Concat"] = importConcat;
  table["Identity"] = importIdentity;
  table["Dropout"] = importDropout;
}

} // namespace qopt::onnx_import
