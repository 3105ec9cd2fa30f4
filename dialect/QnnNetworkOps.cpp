//===- QnnNetworkOps.cpp - float network ops: inference, verifiers --------===//

#include "dialect/QnnOps.h"
#include "dialect/VerifyUtils.h"

#include "mlir/Dialect/Traits.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace qopt::qnn;

static RankedTensorType f32Tensor(MLIRContext *ctx, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, Float32Type::get(ctx));
}

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// Normalizes a possibly negative axis against `rank`; emits on failure.
static LogicalResult normalizeAxis(std::optional<Location> loc, StringRef op,
                                   int64_t &axis, int64_t rank,
                                   bool allowEnd = false) {
  int64_t hi = allowEnd ? rank : rank - 1;
  if (axis < -rank || axis > hi)
    return emitShapeError(loc, op,
                          "axis " + Twine(axis) + " is out of range for rank " +
                              Twine(rank));
  if (axis < 0)
    axis += rank;
  return success();
}

/// True when two static sizes are known to differ.
static bool conflict(int64_t a, int64_t b) {
  return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
}

//===----------------------------------------------------------------------===//
// conv2d
//===----------------------------------------------------------------------===//

LogicalResult Conv2dOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  StringRef name = "qnn.conv2d";
  ArrayRef<int64_t> in = shapeOf(adaptor.getInput());
  ArrayRef<int64_t> w = shapeOf(adaptor.getWeight());
  if (w.size() != 4)
    return emitShapeError(loc, name,
                          "expects an OIHW weight of rank 4, got rank " +
                              Twine(w.size()));
  int64_t groups = adaptor.getGroups();
  if (groups < 1)
    return emitShapeError(loc, name,
                          "groups must be positive, got " + Twine(groups));
  int64_t outH, outW;
  if (failed(inferWindowOutput(loc, name, in,
                               {w.slice(2, 2), adaptor.getStrides(),
                                adaptor.getPads(), adaptor.getDilations()},
                               outH, outW)))
    return failure();
  inferred.push_back(f32Tensor(ctx, {in[0], w[0], outH, outW}));
  return success();
}

LogicalResult Conv2dOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> w = shapeOf(getWeight());
  int64_t groups = getGroups();
  // verify() runs before the inferred result type is compared, so the
  // check in inferReturnTypes has not been made yet (fuzz-mlir: SIGFPE).
  if (groups < 1)
    return emitOpError("groups must be positive, got ") << groups;
  if (!ShapedType::isDynamic(in[1]) && in[1] % groups != 0)
    return emitOpError("input channels (") << in[1]
           << ") are not divisible by groups (" << groups << ")";
  if (!ShapedType::isDynamic(w[0]) && w[0] % groups != 0)
    return emitOpError("output channels (")
           << w[0] << ") are not divisible by groups (" << groups << ")";
  if (!ShapedType::isDynamic(in[1]) && conflict(in[1] / groups, w[1]))
    return emitOpError("weight expects ")
           << w[1] << " input channels per group, but the input has "
           << in[1] << " channels in " << groups << " group(s)";
  if (Value bias = getBias()) {
    ArrayRef<int64_t> b = shapeOf(bias);
    if (b.size() != 1 || conflict(b[0], w[0]))
      return emitOpError("bias must be a vector of ")
             << w[0] << " elements (one per output channel), got "
             << bias.getType();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// batch_norm, linear, matmul
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (in.size() < 2)
    return emitOpError("expects an input of rank >= 2 with channels on axis "
                       "1, got rank ")
           << in.size();
  ArrayRef<int64_t> p = shapeOf(getScale());
  if (p.size() != 1 || conflict(p[0], in[1]))
    return emitOpError("scale, bias, mean and variance must be vectors of ")
           << in[1] << " elements (one per channel), got " << getScale().getType();
  if (getEpsilon().convertToDouble() <= 0.0)
    return emitOpError("epsilon must be positive, got ")
           << formatNumber(getEpsilon().convertToDouble());
  double m = getMomentum().convertToDouble();
  if (m < 0.0 || m > 1.0)
    return emitOpError("momentum must be in [0, 1], got ") << formatNumber(m);
  return success();
}

LogicalResult LayerNormOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  int64_t rank = in.size(), axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError("axis must be in [0, ")
           << rank << ") for an input of rank " << rank << ", got " << axis;
  ArrayRef<int64_t> p = shapeOf(getScale());
  ArrayRef<int64_t> trailing = in.drop_front(axis);
  bool fits = p.size() == trailing.size();
  for (size_t i = 0; fits && i < p.size(); ++i)
    fits = !conflict(p[i], trailing[i]);
  if (!fits)
    return emitOpError("scale and bias must have the shape of the normalized "
                       "axes [")
           << axis << ", " << rank << ") of the input, got "
           << getScale().getType() << " for " << getInput().getType();
  if (getEpsilon().convertToDouble() <= 0.0)
    return emitOpError("epsilon must be positive, got ")
           << formatNumber(getEpsilon().convertToDouble());
  return success();
}

LogicalResult GroupNormOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (in.size() < 2)
    return emitOpError("expects an input of rank >= 2 with channels on axis "
                       "1, got rank ")
           << in.size();
  int64_t groups = getNumGroups();
  if (groups < 1)
    return emitOpError("num_groups must be positive, got ") << groups;
  ArrayRef<int64_t> p = shapeOf(getScale());
  if (p.size() != 1 || ShapedType::isDynamic(p[0]) || conflict(p[0], in[1]))
    return emitOpError("scale and bias must be static vectors of ")
           << in[1] << " elements (one per channel), got "
           << getScale().getType();
  if (p[0] % groups != 0)
    return emitOpError("num_groups must divide the ")
           << p[0] << " channels, got " << groups;
  if (getEpsilon().convertToDouble() < 0.0)
    return emitOpError("epsilon must be non-negative, got ")
           << formatNumber(getEpsilon().convertToDouble());
  return success();
}

LogicalResult LinearOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  ArrayRef<int64_t> in = shapeOf(adaptor.getInput());
  ArrayRef<int64_t> w = shapeOf(adaptor.getWeight());
  if (in.empty())
    return emitShapeError(loc, "qnn.linear", "expects an input of rank >= 1");
  if (w.size() != 2)
    return emitShapeError(loc, "qnn.linear",
                          "expects an N x K weight of rank 2, got rank " +
                              Twine(w.size()));
  SmallVector<int64_t> out(in);
  out.back() = w[0];
  inferred.push_back(f32Tensor(ctx, out));
  return success();
}

LogicalResult LinearOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> w = shapeOf(getWeight());
  if (conflict(in.back(), w[1]))
    return emitOpError("input has ")
           << in.back() << " features but the weight expects " << w[1];
  if (Value bias = getBias()) {
    ArrayRef<int64_t> b = shapeOf(bias);
    if (b.size() != 1 || conflict(b[0], w[0]))
      return emitOpError("bias must be a vector of ")
             << w[0] << " elements, got " << bias.getType();
  }
  return success();
}

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  StringRef name = "qnn.matmul";
  SmallVector<int64_t> a(shapeOf(adaptor.getLhs()));
  SmallVector<int64_t> b(shapeOf(adaptor.getRhs()));
  if (a.empty() || b.empty())
    return emitShapeError(loc, name, "operands must have rank >= 1");
  bool vecA = a.size() == 1, vecB = b.size() == 1;
  if (vecA)
    a.insert(a.begin(), 1);
  if (vecB)
    b.push_back(1);
  if (conflict(a.back(), b[b.size() - 2]))
    return emitShapeError(loc, name,
                          "contraction sizes differ: " + Twine(a.back()) +
                              " vs " + Twine(b[b.size() - 2]));
  SmallVector<int64_t> batch;
  if (!OpTrait::util::getBroadcastedShape(ArrayRef(a).drop_back(2),
                                          ArrayRef(b).drop_back(2), batch))
    return emitShapeError(loc, name, "batch dimensions do not broadcast");
  if (!vecA)
    batch.push_back(a[a.size() - 2]);
  if (!vecB)
    batch.push_back(b.back());
  inferred.push_back(f32Tensor(ctx, batch));
  return success();
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

LogicalResult ClipOp::verify() {
  if (getMin().convertToDouble() > getMax().convertToDouble())
    return emitOpError("min (") << formatNumber(getMin().convertToDouble())
                                << ") must not exceed max ("
                                << formatNumber(getMax().convertToDouble()) << ")";
  return success();
}

LogicalResult GeluOp::verify() {
  if (getApproximate() != "none" && getApproximate() != "tanh")
    return emitOpError("approximate must be \"none\" or \"tanh\", got \"")
           << getApproximate() << "\"";
  return success();
}

LogicalResult SoftmaxOp::verify() {
  int64_t axis = getAxis();
  return normalizeAxis(getLoc(), "qnn.softmax", axis,
                       shapeOf(getInput()).size());
}

LogicalResult PreluOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> s = shapeOf(getSlope());
  int64_t n = 1;
  for (int64_t d : s)
    n = ShapedType::isDynamic(d) || ShapedType::isDynamic(n)
            ? ShapedType::kDynamic
            : n * d;
  bool scalar = n == 1;
  bool perChannel = in.size() >= 2 && s.size() >= 1 && !conflict(n, in[1]) &&
                    llvm::count_if(s, [](int64_t d) { return d != 1; }) <= 1;
  if (!scalar && !perChannel)
    return emitOpError("slope must have 1 element or one per channel (")
           << (in.size() >= 2 ? in[1] : 1) << "), got " << getSlope().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

static LogicalResult inferBroadcast(MLIRContext *ctx,
                                    std::optional<Location> loc,
                                    StringRef name, Value lhs, Value rhs,
                                    SmallVectorImpl<Type> &inferred) {
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(shapeOf(lhs), shapeOf(rhs), shape)) {
    std::string types;
    llvm::raw_string_ostream os(types);
    os << lhs.getType() << " and " << rhs.getType();
    return emitShapeError(loc, name, "operand shapes do not broadcast: " + types);
  }
  inferred.push_back(f32Tensor(ctx, shape));
  return success();
}

#define QNN_BINARY_INFER(OP, NAME)                                             \
  LogicalResult OP::inferReturnTypes(MLIRContext *ctx,                         \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &inferred) {        \
    return inferBroadcast(ctx, loc, NAME, adaptor.getLhs(), adaptor.getRhs(),  \
                          inferred);                                           \
  }
QNN_BINARY_INFER(AddOp, "qnn.add")
QNN_BINARY_INFER(SubOp, "qnn.sub")
QNN_BINARY_INFER(MulOp, "qnn.mul")
QNN_BINARY_INFER(DivOp, "qnn.div")
#undef QNN_BINARY_INFER

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  ArrayRef<int64_t> in = shapeOf(adaptor.getInput());
  int64_t outH, outW;
  if (failed(inferWindowOutput(
          loc, "qnn.max_pool", in,
          {adaptor.getKernel(), adaptor.getStrides(), adaptor.getPads(),
           adaptor.getDilations(), adaptor.getCeilMode()},
          outH, outW)))
    return failure();
  inferred.push_back(f32Tensor(ctx, {in[0], in[1], outH, outW}));
  return success();
}

LogicalResult AvgPoolOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  ArrayRef<int64_t> in = shapeOf(adaptor.getInput());
  int64_t outH, outW;
  if (failed(inferWindowOutput(loc, "qnn.avg_pool", in,
                               {adaptor.getKernel(), adaptor.getStrides(),
                                adaptor.getPads(), {}, adaptor.getCeilMode()},
                               outH, outW)))
    return failure();
  inferred.push_back(f32Tensor(ctx, {in[0], in[1], outH, outW}));
  return success();
}

/// Windows larger than the padding they see would average or max over
/// padding alone; ONNX and PyTorch both reject pads >= kernel.
static LogicalResult verifyPoolPads(Operation *op, ArrayRef<int64_t> kernel,
                                    ArrayRef<int64_t> pads) {
  for (int i = 0; i < 4; ++i)
    // A kernel < 1 is type inference's error (inferWindowOutput).
    if (kernel[i % 2] >= 1 && pads[i] >= kernel[i % 2])
      return op->emitOpError("pads (")
             << pads[i] << ") must be smaller than the kernel ("
             << kernel[i % 2] << ")";
  return success();
}

LogicalResult MaxPoolOp::verify() {
  return verifyPoolPads(*this, getKernel(), getPads());
}
LogicalResult AvgPoolOp::verify() {
  return verifyPoolPads(*this, getKernel(), getPads());
}

LogicalResult
GlobalAvgPoolOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &inferred) {
  ArrayRef<int64_t> in = shapeOf(adaptor.getInput());
  if (in.size() != 4)
    return emitShapeError(loc, "qnn.global_avg_pool",
                          "expects an NCHW input of rank 4, got rank " +
                              Twine(in.size()));
  inferred.push_back(f32Tensor(ctx, {in[0], in[1], 1, 1}));
  return success();
}

LogicalResult
ReduceMeanOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                               Adaptor adaptor,
                               SmallVectorImpl<Type> &inferred) {
  StringRef name = "qnn.reduce_mean";
  ArrayRef<int64_t> in = shapeOf(adaptor.getInput());
  ArrayRef<int64_t> axes = adaptor.getAxes();
  int64_t rank = in.size();
  if (axes.empty())
    return emitShapeError(loc, name, "needs at least one axis");
  for (auto [i, axis] : llvm::enumerate(axes)) {
    if (axis < 0 || axis >= rank)
      return emitShapeError(loc, name,
                            "axis " + Twine(axis) + " is out of range for " +
                                "rank " + Twine(rank) + " (axes are in [0, " +
                                Twine(rank) + "))");
    if (i > 0 && axes[i - 1] >= axis)
      return emitShapeError(loc, name,
                            "axes must be sorted and distinct, got " +
                                Twine(axes[i - 1]) + " before " + Twine(axis));
  }
  SmallVector<int64_t> out;
  for (int64_t d = 0; d < rank; ++d) {
    if (!llvm::is_contained(axes, d))
      out.push_back(in[d]);
    else if (adaptor.getKeepdims())
      out.push_back(1);
  }
  inferred.push_back(f32Tensor(ctx, out));
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ExpandOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  StringRef name = "qnn.expand";
  ArrayRef<int64_t> in = shapeOf(adaptor.getInput());
  ArrayRef<int64_t> like = shapeOf(adaptor.getLike());
  ArrayRef<int64_t> axes = adaptor.getAxes();
  if (axes.empty())
    return emitShapeError(loc, name, "needs at least one axis");
  SmallVector<int64_t> out(in);
  for (auto [i, axis] : llvm::enumerate(axes)) {
    if (axis < 0 || axis >= (int64_t)in.size() || axis >= (int64_t)like.size())
      return emitShapeError(loc, name,
                            "axis " + Twine(axis) +
                                " is out of range for the input's rank " +
                                Twine(in.size()) + " or like's rank " +
                                Twine(like.size()));
    if (i > 0 && axes[i - 1] >= axis)
      return emitShapeError(loc, name, "axes must be sorted and distinct");
    if (in[axis] != 1)
      return emitShapeError(loc, name,
                            "axis " + Twine(axis) +
                                " of the input must have size 1");
    out[axis] = like[axis];
  }
  inferred.push_back(f32Tensor(ctx, out));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  StringRef name = "qnn.concat";
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitShapeError(loc, name, "needs at least one input");
  SmallVector<int64_t> out(shapeOf(inputs[0]));
  int64_t axis = adaptor.getAxis();
  if (failed(normalizeAxis(loc, name, axis, out.size())))
    return failure();
  for (auto [i, v] : llvm::enumerate(inputs.drop_front())) {
    ArrayRef<int64_t> s = shapeOf(v);
    if (s.size() != out.size())
      return emitShapeError(loc, name,
                            "input " + Twine(i + 1) + " has rank " +
                                Twine(s.size()) + ", expected " +
                                Twine(out.size()));
    for (auto [d, size] : llvm::enumerate(s)) {
      if ((int64_t)d == axis) {
        out[d] = ShapedType::isDynamic(out[d]) || ShapedType::isDynamic(size)
                     ? ShapedType::kDynamic
                     : out[d] + size;
      } else if (conflict(out[d], size)) {
        return emitShapeError(loc, name,
                              "input " + Twine(i + 1) + " has size " +
                                  Twine(size) + " in dimension " + Twine(d) +
                                  ", expected " + Twine(out[d]));
      } else if (ShapedType::isDynamic(out[d])) {
        out[d] = size;
      }
    }
  }
  inferred.push_back(f32Tensor(ctx, out));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *ctx,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  ArrayRef<int64_t> in = shapeOf(adaptor.getInput());
  ArrayRef<int64_t> pads = adaptor.getPads();
  if (pads.size() != 2 * in.size())
    return emitShapeError(loc, "qnn.pad",
                          "pads must have 2 * rank = " + Twine(2 * in.size()) +
                              " values, got " + Twine(pads.size()));
  SmallVector<int64_t> out(in);
  for (auto [d, size] : llvm::enumerate(in)) {
    int64_t lo = pads[d], hi = pads[d + in.size()];
    if (lo < 0 || hi < 0)
      return emitShapeError(loc, "qnn.pad",
                            "pads must be non-negative, got " +
                                Twine(std::min(lo, hi)));
    if (!ShapedType::isDynamic(size))
      out[d] = size + lo + hi;
  }
  inferred.push_back(f32Tensor(ctx, out));
  return success();
}

LogicalResult ReshapeOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getOutput().getType());
  if (in.hasStaticShape() && out.hasStaticShape() &&
      in.getNumElements() != out.getNumElements())
    return emitOpError("cannot reshape ")
           << in.getNumElements() << " elements into " << out << " ("
           << out.getNumElements() << " elements)";
  if (out.getNumDynamicDims() > 1)
    return emitOpError("result may have at most one dynamic dimension, got ")
           << out;
  return success();
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  ArrayRef<int64_t> in = shapeOf(adaptor.getInput());
  int64_t axis = adaptor.getAxis();
  if (failed(normalizeAxis(loc, "qnn.flatten", axis, in.size(),
                           /*allowEnd=*/true)))
    return failure();
  auto product = [](ArrayRef<int64_t> dims) {
    int64_t n = 1;
    for (int64_t d : dims) {
      if (ShapedType::isDynamic(d))
        return ShapedType::kDynamic;
      n *= d;
    }
    return n;
  };
  inferred.push_back(f32Tensor(
      ctx, {product(in.take_front(axis)), product(in.drop_front(axis))}));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *ctx,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  ArrayRef<int64_t> in = shapeOf(adaptor.getInput());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if (perm.size() != in.size())
    return emitShapeError(loc, "qnn.transpose",
                          "perm must have " + Twine(in.size()) +
                              " values (the input rank), got " +
                              Twine(perm.size()));
  llvm::SmallBitVector seen(in.size());
  SmallVector<int64_t> out;
  for (int64_t p : perm) {
    if (p < 0 || p >= (int64_t)in.size() || seen.test(p))
      return emitShapeError(loc, "qnn.transpose",
                            "perm must be a permutation of 0.." +
                                Twine(in.size() - 1) + ", bad entry " +
                                Twine(p));
    seen.set(p);
    out.push_back(in[p]);
  }
  inferred.push_back(f32Tensor(ctx, out));
  return success();
}

LogicalResult ResizeOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> out = shapeOf(getOutput());
  if (in.size() != 4 || out.size() != 4)
    return emitOpError("expects NCHW input and result of rank 4");
  if (conflict(in[0], out[0]) || conflict(in[1], out[1]))
    return emitOpError("only the spatial dimensions may be resized");
  for (int d = 2; d < 4; ++d)
    if (out[d] == 0 && in[d] != 0)
      return emitOpError("resizes spatial dimension ")
             << d << " of size " << in[d] << " to 0";
  return success();
}
