//===- NetworkOps.cpp - convolution, normalization, activations, linear ---===//

#include "frontend/torchscript/OpUtils.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace qopt::torch_import {

static LogicalResult buildConv(Importer &im, unsigned stride, unsigned padding,
                               unsigned dilation, unsigned groups) {
  FailureOr<Value> x = im.tensor(0), w = im.tensor(1, "weight");
  if (failed(x) || failed(w))
    return failure();
  if (shapeOf(*x).size() != 4 || shapeOf(*w).size() != 4)
    return im.error() << "only 2-D convolution (NCHW input, OIHW weight) is "
                         "supported";
  Value bias;
  if (!im.isNone(2)) {
    FailureOr<Value> bv = im.tensor(2, "bias");
    if (failed(bv))
      return failure();
    bias = *bv;
  }
  if (const Folded *p = im.folded(padding); p && p->kind == Folded::Kind::String)
    return im.error() << "padding='" << p->s << "' is not supported";
  FailureOr<SmallVector<int64_t>> s = pair(im, stride, "stride"),
                                  p = pair(im, padding, "padding"),
                                  d = pair(im, dilation, "dilation");
  FailureOr<int64_t> g = im.getInt(groups, "groups");
  if (failed(s) || failed(p) || failed(d) || failed(g))
    return failure();
  OpBuilder &b = im.builder();
  SmallVector<int64_t> pads{(*p)[0], (*p)[1], (*p)[0], (*p)[1]};
  FailureOr<Value> y = im.create<qnn::Conv2dOp>(
      *x, *w, bias, b.getDenseI64ArrayAttr(*s), b.getDenseI64ArrayAttr(pads),
      b.getDenseI64ArrayAttr(*d), b.getI64IntegerAttr(*g));
  return im.bindResult(y);
}

// aten::conv2d(input, weight, bias, stride, padding, dilation, groups)
static LogicalResult importConv2d(Importer &im) {
  return buildConv(im, 3, 4, 5, 6);
}

// aten::_convolution(input, weight, bias, stride, padding, dilation,
//                    transposed, output_padding, groups, ...)
static LogicalResult importConvolution(Importer &im) {
  FailureOr<bool> transposed = im.getBool(6, "transposed");
  if (failed(transposed))
    return failure();
  if (*transposed)
    return im.error() << "transposed convolution is not supported";
  return buildConv(im, 3, 4, 5, 8);
}

// aten::batch_norm(input, weight, bias, running_mean, running_var, training,
//                  momentum, eps, cudnn_enabled)
static LogicalResult importBatchNorm(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  FailureOr<bool> training = im.getBool(5, "training");
  FailureOr<double> momentum = im.getFloat(6, "momentum");
  FailureOr<double> eps = im.getFloat(7, "eps");
  if (failed(x) || failed(training) || failed(momentum) || failed(eps))
    return failure();
  if (*training)
    return im.error() << "training-mode batch_norm is not supported (call "
                         "model.eval() before saving)";
  if (im.isNone(3) || im.isNone(4))
    return im.error() << "batch_norm without running statistics is not "
                         "supported";
  FailureOr<Value> mean = im.tensor(3, "running_mean"),
                   var = im.tensor(4, "running_var");
  if (failed(mean) || failed(var))
    return failure();
  int64_t c = shapeOf(*mean)[0];
  auto param = [&](unsigned i, StringRef role, float dflt) -> FailureOr<Value> {
    if (!im.isNone(i))
      return im.tensor(i, role);
    return im.constantF32({c}, std::vector<float>(c, dflt), role);
  };
  FailureOr<Value> scale = param(1, "weight", 1.0f), bias = param(2, "bias", 0.0f);
  if (failed(scale) || failed(bias))
    return failure();
  OpBuilder &b = im.builder();
  Value y = qnn::BatchNormOp::create(b, im.loc(), x->getType(), *x, *scale,
                                     *bias, *mean, *var,
                                     b.getF64FloatAttr(*eps),
                                     b.getF64FloatAttr(*momentum));
  im.setResult(0, y);
  return success();
}

// aten::group_norm(input, num_groups, weight, bias, eps, cudnn_enabled):
// nn.GroupNorm (FCOS's heads); no weight / bias is ones / zeros.
static LogicalResult importGroupNorm(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  FailureOr<int64_t> groups = im.getInt(1, "num_groups");
  FailureOr<double> eps = im.getFloat(4, "eps");
  if (failed(x) || failed(groups) || failed(eps))
    return failure();
  Value scale, bias;
  for (auto [i, role, v] :
       {std::tuple<unsigned, StringRef, Value *>{2, "weight", &scale},
        {3, "bias", &bias}}) {
    if (im.isNone(i))
      continue;
    FailureOr<Value> p = im.tensor(i, role);
    if (failed(p))
      return failure();
    *v = *p;
  }
  return im.bindResult(
      frontend::buildGroupNorm(im, *x, scale, bias, *groups, *eps));
}

// aten::layer_norm(input, normalized_shape, weight, bias, eps, cudnn_enable):
// normalized over the trailing len(normalized_shape) axes.
static LogicalResult importLayerNorm(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  FailureOr<SmallVector<int64_t>> normalized = im.getInts(1, "normalized_shape");
  FailureOr<double> eps = im.getFloat(4, "eps");
  if (failed(x) || failed(normalized) || failed(eps))
    return failure();
  ArrayRef<int64_t> in = shapeOf(*x);
  int64_t axis = (int64_t)in.size() - (int64_t)normalized->size();
  if (normalized->empty() || axis < 0 ||
      llvm::any_of(llvm::zip(*normalized, in.drop_front(std::max<int64_t>(axis, 0))),
                   [](auto p) {
                     return !ShapedType::isDynamic(std::get<1>(p)) &&
                            std::get<0>(p) != std::get<1>(p);
                   }))
    return im.error() << "normalized_shape [" << *normalized
                      << "] is not the trailing shape of " << x->getType();
  Value scale, bias;
  for (auto [i, role, v] : {std::tuple<unsigned, StringRef, Value *>{2, "weight", &scale},
                            {3, "bias", &bias}}) {
    if (im.isNone(i))
      continue;
    FailureOr<Value> p = im.tensor(i, role);
    if (failed(p))
      return failure();
    *v = *p;
  }
  return im.bindResult(
      frontend::buildLayerNorm(im, *x, scale, bias, axis, *eps));
}

// aten::einsum(equation, tensors, path): two operands, a batched matrix
// product (MaxViT's attention).
static LogicalResult importEinsum(Importer &im) {
  const Folded *eq = im.folded(0), *list = im.folded(1);
  if (!eq || eq->kind != Folded::Kind::String)
    return im.error() << "the equation must be known at import time";
  if (!list || list->kind != Folded::Kind::List || list->items.size() != 2 ||
      list->items[0].kind != Folded::Kind::Value ||
      list->items[1].kind != Folded::Kind::Value)
    return im.error() << "only an einsum of two run-time tensors is supported";
  return im.bindResult(frontend::buildEinsum(
      im, eq->s, list->items[0].value, list->items[1].value));
}

// aten::sqrt of a tensor, or of an import-time number (math.sqrt(head_dim)
// in scripted attention).
static LogicalResult importSqrt(Importer &im) {
  if (const Folded *f = im.folded(0); f && f->isNumber()) {
    if (f->kind == Folded::Kind::Int && isUnknown(f->i))
      return im.error() << "sqrt of a size known only at run time";
    im.setFolded(0, Folded::ofFloat(std::sqrt(f->number())));
    return success();
  }
  FailureOr<Value> x = im.tensor(0);
  if (failed(x))
    return failure();
  im.setResult(0, qnn::SqrtOp::create(im.builder(), im.loc(), x->getType(), *x));
  return success();
}

// aten::pow(self, exponent) with a scalar exponent; of two import-time
// numbers it folds (TorchScript's pow of numbers is a float: Swin's
// (C // num_heads) ** -0.5).
static LogicalResult importPow(Importer &im) {
  const Folded *base = im.folded(0);
  if (base && base->isNumber()) {
    FailureOr<double> e = im.getFloat(1, "exponent");
    if (failed(e))
      return failure();
    im.setFolded(0, Folded::ofFloat(std::pow(base->number(), *e)));
    return success();
  }
  FailureOr<Value> x = im.tensor(0);
  FailureOr<double> e = im.getFloat(1, "exponent");
  if (failed(x) || failed(e))
    return failure();
  OpBuilder &b = im.builder();
  im.setResult(0, qnn::PowOp::create(b, im.loc(), x->getType(), *x,
                                     b.getF64FloatAttr(*e)));
  return success();
}

template <typename OpTy> static LogicalResult importUnary(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  if (failed(x))
    return failure();
  im.setResult(0, OpTy::create(im.builder(), im.loc(), x->getType(), *x));
  return success();
}

static LogicalResult buildClip(Importer &im, double lo, double hi) {
  FailureOr<Value> x = im.tensor(0);
  if (failed(x))
    return failure();
  OpBuilder &b = im.builder();
  im.setResult(0, qnn::ClipOp::create(b, im.loc(), x->getType(), *x,
                                      b.getF64FloatAttr(lo),
                                      b.getF64FloatAttr(hi)));
  return success();
}

static LogicalResult importRelu6(Importer &im) { return buildClip(im, 0, 6); }

/// aten::clamp_min(self, min) and aten::clamp(self, min, max) of a run-time
/// tensor: qnn.clip, an absent bound the float range's end (F.normalize's
/// clamp_min(eps)).
static LogicalResult importClamp(Importer &im) {
  double lo = -std::numeric_limits<float>::max();
  double hi = std::numeric_limits<float>::max();
  bool minOnly = im.node().kind == "aten::clamp_min";
  if (!im.isNone(1)) {
    FailureOr<double> v = im.getFloat(1, "min");
    if (failed(v))
      return failure();
    lo = *v;
  }
  if (!minOnly && !im.isNone(2)) {
    FailureOr<double> v = im.getFloat(2, "max");
    if (failed(v))
      return failure();
    hi = *v;
  }
  return buildClip(im, lo, hi);
}

/// aten::norm(self, p = 2, dim, keepdim) of a run-time tensor over static
/// dims: sqrt(mean(x * x) * count) (qnn.mul, qnn.reduce_mean, qnn.mul,
/// qnn.sqrt; Swin v2's cosine attention normalizes q and k).
static LogicalResult importNorm(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  if (failed(x))
    return failure();
  if (im.numInputs() < 4)
    return im.error() << "norm without dims is not supported";
  FailureOr<double> p = im.getFloat(1, "p");
  FailureOr<SmallVector<int64_t>> dims = im.getInts(2, "dim");
  FailureOr<bool> keep = im.getBool(3, "keepdim");
  if (failed(p) || failed(dims) || failed(keep))
    return failure();
  if (*p != 2)
    return im.error() << "norm with p = " << *p
                      << " is not supported (only 2)";
  if (im.numInputs() > 4 && !im.isNone(4))
    return im.error() << "norm with a dtype is not supported";
  ArrayRef<int64_t> in = shapeOf(*x);
  int64_t count = 1;
  SmallVector<int64_t> axes;
  for (int64_t d : *dims) {
    if (failed(normalizeAxis(im, d, in.size(), "dim")))
      return failure();
    if (ShapedType::isDynamic(in[d]))
      return im.error() << "norm over dynamic dimension " << d
                        << " is not supported";
    count *= in[d];
    axes.push_back(d);
  }
  FailureOr<Value> sq = im.create<qnn::MulOp>(*x, *x);
  if (failed(sq))
    return failure();
  FailureOr<Value> mean = frontend::buildMean(im, *sq, axes, *keep);
  if (failed(mean))
    return failure();
  FailureOr<Value> sum =
      im.create<qnn::MulOp>(*mean, im.constantF32({}, {(float)count}, "count"));
  if (failed(sum))
    return failure();
  im.setResult(0, qnn::SqrtOp::create(im.builder(), im.loc(),
                                      sum->getType(), *sum));
  return success();
}

// aten::hardtanh(input, min_val, max_val); ReLU6 traces to hardtanh(0, 6).
static LogicalResult importHardtanh(Importer &im) {
  FailureOr<double> lo = im.getFloat(1, "min_val"),
                    hi = im.getFloat(2, "max_val");
  if (failed(lo) || failed(hi))
    return failure();
  return buildClip(im, *lo, *hi);
}

static LogicalResult importLeakyRelu(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  double slope = 0.01;
  if (im.numInputs() > 1) {
    FailureOr<double> s = im.getFloat(1, "negative_slope");
    if (failed(s))
      return failure();
    slope = *s;
  }
  if (failed(x))
    return failure();
  OpBuilder &b = im.builder();
  im.setResult(0, qnn::LeakyReluOp::create(b, im.loc(), x->getType(), *x,
                                           b.getF64FloatAttr(slope)));
  return success();
}

static LogicalResult importPrelu(Importer &im) {
  FailureOr<Value> x = im.tensor(0), slope = im.tensor(1, "weight");
  if (failed(x) || failed(slope))
    return failure();
  im.setResult(0, qnn::PreluOp::create(im.builder(), im.loc(), x->getType(),
                                       *x, *slope));
  return success();
}

static LogicalResult importHardSigmoid(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  if (failed(x))
    return failure();
  OpBuilder &b = im.builder();
  im.setResult(0, qnn::HardSigmoidOp::create(b, im.loc(), x->getType(), *x,
                                             b.getF64FloatAttr(1.0 / 6.0),
                                             b.getF64FloatAttr(0.5)));
  return success();
}

// aten::gelu(input, approximate): approximate is "none" or "tanh".
static LogicalResult importGelu(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  if (failed(x))
    return failure();
  std::string approximate = "none";
  if (im.numInputs() > 1) {
    const Folded *a = im.folded(1);
    if (!a || a->kind != Folded::Kind::String)
      return im.error() << "approximate must be a string known at import "
                           "time";
    approximate = a->s;
  }
  if (approximate != "none" && approximate != "tanh")
    return im.error() << "approximate='" << approximate
                      << "' is not supported (only 'none' and 'tanh')";
  OpBuilder &b = im.builder();
  im.setResult(0, qnn::GeluOp::create(b, im.loc(), x->getType(), *x,
                                      b.getStringAttr(approximate)));
  return success();
}

// aten::softmax(input, dim, dtype)
static LogicalResult importSoftmax(Importer &im) {
  FailureOr<Value> x = im.tensor(0);
  FailureOr<int64_t> dim = im.getInt(1, "dim");
  if (failed(x) || failed(dim))
    return failure();
  if (im.numInputs() > 2 && !im.isNone(2))
    return im.error() << "softmax with a dtype is not supported";
  OpBuilder &b = im.builder();
  im.setResult(0, qnn::SoftmaxOp::create(b, im.loc(), x->getType(), *x,
                                         b.getI64IntegerAttr(*dim)));
  return success();
}

/// A scalar operand as a rank-0 constant.
static FailureOr<Value> operand(Importer &im, unsigned i) {
  if (im.isTensor(i))
    return im.tensor(i);
  FailureOr<double> v = im.getFloat(i, "the operand");
  if (failed(v))
    return failure();
  return im.constantF32({}, {(float)*v}, "scalar");
}

/// aten::add / sub (with alpha), mul, div on tensors and scalars; on two
/// import-time numbers they fold.
template <typename OpTy> static LogicalResult importBinary(Importer &im) {
  auto runtime = [&](unsigned i) {
    const Folded *f = im.folded(i);
    return im.isTensor(i) && !(f && f->kind == Folded::Kind::Tensor &&
                               im.tensorData(f->tensor).dims.empty());
  };
  if (!runtime(0) && !runtime(1))
    return foldScalarBinary(im);
  FailureOr<Value> lhs = operand(im, 0), rhs = operand(im, 1);
  if (failed(lhs) || failed(rhs))
    return failure();
  constexpr bool hasAlpha =
      std::is_same_v<OpTy, qnn::AddOp> || std::is_same_v<OpTy, qnn::SubOp>;
  if (hasAlpha && im.numInputs() > 2) {
    FailureOr<double> alpha = im.getFloat(2, "alpha");
    if (failed(alpha))
      return failure();
    if (*alpha != 1.0) {
      Value k = im.constantF32({}, {(float)*alpha}, "alpha");
      FailureOr<Value> scaled = im.create<qnn::MulOp>(*rhs, k);
      if (failed(scaled))
        return failure();
      rhs = scaled;
    }
  }
  if (std::is_same_v<OpTy, qnn::DivOp> && im.numInputs() > 2 && !im.isNone(2))
    return im.error() << "div with a rounding mode is not supported";
  FailureOr<Value> y = im.create<OpTy>(*lhs, *rhs);
  return im.bindResult(y);
}

// aten::linear(input, weight, bias)
static LogicalResult importLinear(Importer &im) {
  FailureOr<Value> x = im.tensor(0), w = im.tensor(1, "weight");
  if (failed(x) || failed(w))
    return failure();
  Value bias;
  if (!im.isNone(2)) {
    FailureOr<Value> bv = im.tensor(2, "bias");
    if (failed(bv))
      return failure();
    bias = *bv;
  }
  FailureOr<Value> y = frontend::buildLinear(im, *x, *w, bias);
  return im.bindResult(y);
}

static LogicalResult importMatmul(Importer &im) {
  FailureOr<Value> a = im.tensor(0), b = im.tensor(1, "weight");
  if (failed(a) || failed(b))
    return failure();
  FailureOr<Value> y = im.create<qnn::MatmulOp>(*a, *b);
  return im.bindResult(y);
}

// aten::addmm(bias, mat1, mat2, beta, alpha) = beta * bias + alpha * mat1 @ mat2
static LogicalResult importAddmm(Importer &im) {
  FailureOr<Value> bias = im.tensor(0, "bias"), a = im.tensor(1),
                   m = im.tensor(2, "weight");
  FailureOr<double> beta = im.getFloat(3, "beta"), alpha = im.getFloat(4, "alpha");
  if (failed(bias) || failed(a) || failed(m) || failed(beta) || failed(alpha))
    return failure();
  FailureOr<Value> y = im.create<qnn::MatmulOp>(*a, *m);
  OpBuilder &b = im.builder();
  if (succeeded(y) && *alpha != 1.0)
    y = im.create<qnn::MulOp>(*y, im.constantF32({}, {(float)*alpha}, "alpha"));
  Value c = *bias;
  if (succeeded(y) && *beta != 1.0) {
    FailureOr<Value> scaled =
        im.create<qnn::MulOp>(c, im.constantF32({}, {(float)*beta}, "beta"));
    if (failed(scaled))
      return failure();
    c = *scaled;
  }
  (void)b;
  if (succeeded(y))
    y = im.create<qnn::AddOp>(*y, c);
  return im.bindResult(y);
}

void registerNetworkOps(OpTable &table) {
  table["aten::conv2d"] = importConv2d;
  table["aten::_convolution"] = importConvolution;
  table["aten::batch_norm"] = importBatchNorm;
  table["aten::group_norm"] = importGroupNorm;
  table["aten::relu"] = importUnary<qnn::ReluOp>;
  table["aten::sigmoid"] = importUnary<qnn::SigmoidOp>;
  table["aten::hardswish"] = importUnary<qnn::HardSwishOp>;
  table["aten::hardsigmoid"] = importHardSigmoid;
  table["aten::silu"] = importUnary<qnn::SiluOp>;
  table["aten::bmm"] = importMatmul;
  table["aten::sqrt"] = importSqrt;
  table["aten::tanh"] = importUnary<qnn::TanhOp>;
  table["aten::einsum"] = importEinsum;
  table["aten::pow"] = importPow;
  table["aten::layer_norm"] = importLayerNorm;
  table["aten::gelu"] = importGelu;
  table["aten::relu6"] = importRelu6;
  table["aten::hardtanh"] = importHardtanh;
  table["aten::leaky_relu"] = importLeakyRelu;
  table["aten::prelu"] = importPrelu;
  table["aten::softmax"] = importSoftmax;
  table["aten::add"] = importBinary<qnn::AddOp>;
  table["aten::sub"] = importBinary<qnn::SubOp>;
  table["aten::mul"] = importBinary<qnn::MulOp>;
  table["aten::clamp"] = importClamp;
  table["aten::clamp_min"] = importClamp;
  table["aten::norm"] = importNorm;
  table["aten::div"] = importBinary<qnn::DivOp>;
  table["aten::linear"] = importLinear;
  table["aten::matmul"] = importMatmul;
  table["aten::addmm"] = importAddmm;
}

} // namespace qopt::torch_import
