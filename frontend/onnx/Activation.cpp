//===- Activation.cpp - Relu, PRelu, Clip, Softmax and friends ------------===//

#include "frontend/onnx/OpUtils.h"

#include <limits>

using namespace mlir;

namespace qopt::onnx_import {

/// Unary activations: the result type is the input's; `build` creates the op
/// from (builder, loc, type, input).
template <typename Build>
static LogicalResult importUnary(Importer &im, Build build) {
  FailureOr<Value> x = im.floatInput(0);
  if (failed(x))
    return failure();
  im.setResult(0, build(im.builder(), im.loc(), x->getType(), *x));
  return success();
}

template <typename OpTy> static LogicalResult importSimple(Importer &im) {
  return importUnary(im, [](OpBuilder &b, Location loc, Type t, Value x) {
    return OpTy::create(b, loc, t, x).getResult();
  });
}

static LogicalResult importLeakyRelu(Importer &im) {
  FloatAttr alpha = im.builder().getF64FloatAttr(im.getFloat("alpha", 0.01));
  return importUnary(im, [&](OpBuilder &b, Location loc, Type t, Value x) {
    return qnn::LeakyReluOp::create(b, loc, t, x, alpha).getResult();
  });
}

static LogicalResult importHardSigmoid(Importer &im) {
  FloatAttr alpha = im.builder().getF64FloatAttr(im.getFloat("alpha", 0.2));
  FloatAttr beta = im.builder().getF64FloatAttr(im.getFloat("beta", 0.5));
  return importUnary(im, [&](OpBuilder &b, Location loc, Type t, Value x) {
    return qnn::HardSigmoidOp::create(b, loc, t, x, alpha, beta).getResult();
  });
}

/// Gelu (opset 20): approximate "none" (erf) or "tanh".
static LogicalResult importGelu(Importer &im) {
  std::string approximate = im.getString("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return im.error() << "approximate '" << approximate
                      << "' is not supported (only 'none' and 'tanh')";
  return importUnary(im, [&](OpBuilder &b, Location loc, Type t, Value x) {
    return qnn::GeluOp::create(b, loc, t, x, b.getStringAttr(approximate))
        .getResult();
  });
}

/// Pow by a constant scalar exponent (a tensor exponent is refused).
static LogicalResult importPow(Importer &im) {
  const ConstTensor *e = im.requireConstant(1, "exponent");
  if (!e)
    return failure();
  if (e->numElements() != 1)
    return im.error() << "only a scalar exponent is supported";
  double exponent = e->exact(0);
  return importUnary(im, [&](OpBuilder &b, Location loc, Type t, Value x) {
    return qnn::PowOp::create(b, loc, t, x, b.getF64FloatAttr(exponent))
        .getResult();
  });
}

static LogicalResult importClip(Importer &im) {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  if (im.opset() < 11) {
    lo = im.getFloat("min", lo);
    hi = im.getFloat("max", hi);
  }
  for (unsigned i : {1u, 2u}) {
    if (!im.hasInput(i))
      continue;
    const ConstTensor *c = im.requireConstant(i, i == 1 ? "min" : "max");
    if (!c)
      return failure();
    if (c->numElements() != 1)
      return im.error() << (i == 1 ? "min" : "max") << " must be a scalar";
    (i == 1 ? lo : hi) = c->exact(0);
  }
  if (lo > hi)
    return im.error() << "min (" << lo << ") exceeds max (" << hi << ")";
  return importUnary(im, [&](OpBuilder &b, Location loc, Type t, Value x) {
    return qnn::ClipOp::create(b, loc, t, x, b.getF64FloatAttr(lo),
                               b.getF64FloatAttr(hi))
        .getResult();
  });
}

static LogicalResult importSoftmax(Importer &im) {
  FailureOr<Value> x = im.floatInput(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> shape = shapeOf(*x);
  int64_t rank = shape.size();
  int64_t axis = im.getInt("axis", im.opset() < 13 ? 1 : -1);
  if (failed(normalizeAxis(im, axis, rank)))
    return failure();
  if (im.opset() < 13) {
    // Softmax-11 flattens [axis, rank) into one row: the same as a softmax on
    // one axis only when every other dimension of that row is 1.
    SmallVector<int64_t> wide;
    for (int64_t d = axis; d < rank; ++d)
      if (shape[d] != 1)
        wide.push_back(d);
    if (wide.size() > 1)
      return im.error() << "Softmax-" << im.opset() << " with axis=" << axis
                        << " normalizes over dimensions " << axis << ".."
                        << rank - 1 << " of " << x->getType()
                        << " together; only a softmax over one axis is "
                           "supported";
    axis = wide.empty() ? rank - 1 : wide[0];
  }
  return importUnary(im, [&](OpBuilder &b, Location loc, Type t, Value x) {
    return qnn::SoftmaxOp::create(b, loc, t, x, b.getI64IntegerAttr(axis))
        .getResult();
  });
}

static LogicalResult importPRelu(Importer &im) {
  FailureOr<Value> x = im.floatInput(0), slope = im.floatInput(1);
  if (failed(x) || failed(slope))
    return failure();
  ArrayRef<int64_t> xs = shapeOf(*x), ss = shapeOf(*slope);
  // ONNX broadcasts the slope from the right; qnn.prelu wants it per
  // channel (axis 1) or a single value.
  for (auto [j, d] : llvm::enumerate(ss)) {
    int64_t axis = (int64_t)xs.size() - (int64_t)ss.size() + (int64_t)j;
    if (d != 1 && axis != 1)
      return im.error() << "slope " << slope->getType() << " varies along axis "
                        << axis << " of " << x->getType()
                        << "; only a scalar or per-channel (axis 1) slope is "
                           "supported";
  }
  Value y =
      qnn::PreluOp::create(im.builder(), im.loc(), x->getType(), *x, *slope);
  im.setResult(0, y);
  return success();
}

void registerActivationOps(OpTable &table) {
  table["Relu"] = importSimple<qnn::ReluOp>;
  table["Sigmoid"] = importSimple<qnn::SigmoidOp>;
  table["HardSwish"] = importSimple<qnn::HardSwishOp>;
  table["HardSigmoid"] = importHardSigmoid;
  table["Erf"] = importSimple<qnn::ErfOp>;
  table["Sqrt"] = importSimple<qnn::SqrtOp>;
  table["Tanh"] = importSimple<qnn::TanhOp>;
  table["Pow"] = importPow;
  table["Gelu"] = importGelu;
  table["LeakyRelu"] = importLeakyRelu;
  table["Clip"] = importClip;
  table["Softmax"] = importSoftmax;
  table["PRelu"] = importPRelu;
}

} // namespace qopt::onnx_import
