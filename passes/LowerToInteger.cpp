//===- LowerToInteger.cpp - fake-quant graphs to integer programs ---------===//

#include "analysis/FrozenGrid.h"
#include "analysis/FusedLayer.h"
#include "dialect/Constants.h"
#include "passes/Calibration.h"
#include "passes/Passes.h"
#include "passes/WeightQuantizers.h"
#include "runtime/QuantMath.h"
#include "runtime/Requant.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

namespace qopt {
#define GEN_PASS_DEF_LOWERTOINTEGERPASS
#include "passes/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace mlir::quant;
using namespace qopt;
using namespace qopt::qnn;

/// Quantizes a constant with the grid, exactly as qrt's fake-quant kernel
/// would (float32 division, round half to even, clamp).
static SmallVector<int8_t> quantizeConstant(ArrayRef<float> w,
                                            ArrayRef<int64_t> shape,
                                            const FrozenGrid &g) {
  int64_t inner = 1;
  if (g.axis)
    for (size_t d = *g.axis + 1; d < shape.size(); ++d)
      inner *= shape[d];
  int64_t channels = g.axis ? shape[*g.axis] : 1;
  SmallVector<int8_t> q(w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    int64_t k = g.axis ? (int64_t(i) / inner) % channels : 0;
    float v = std::nearbyint(w[i] / g.scales[k]) + g.zeroPoints[k];
    v = std::min<float>(std::max<float>(v, g.qmin), g.qmax);
    q[i] = (int8_t)(int)v;
  }
  return q;
}

/// A learned (LSQ) step that turned negative in training: fq(x) = q·s is
/// the levels -q on the step |s|. For a constant those levels are stored
/// (`g` gets |s|, `q` the negated levels); fails, with `why`, when a negated
/// level leaves the grid (q = qmin of a signed grid) or the input is not a
/// constant.
static LogicalResult flipNegativeSteps(FakeQuantOp op, FrozenGrid &g,
                                       std::optional<SmallVector<int8_t>> &q,
                                       std::string &why) {
  if (llvm::all_of(g.scales, [](float s) { return s > 0.f; }))
    return success();
  std::optional<SmallVector<float>> w = readF32Constant(op.getInput());
  if (!w || !g.isSigned ||
      llvm::any_of(g.zeroPoints, [](float z) { return z != 0.f; }) ||
      llvm::any_of(g.scales, [](float s) { return !(s != 0.f); })) {
    why = "its scale is not positive (a learned step that turned negative "
          "or zero), which only a constant signed symmetric weight can "
          "express, as negated levels";
    return failure();
  }
  auto shape = cast<RankedTensorType>(op.getType()).getShape();
  q = quantizeConstant(*w, shape, g);
  int64_t inner = 1;
  if (g.axis)
    for (size_t d = *g.axis + 1; d < shape.size(); ++d)
      inner *= shape[d];
  int64_t channels = g.axis ? shape[*g.axis] : 1;
  for (size_t i = 0; i < q->size(); ++i) {
    int64_t k = g.axis ? (int64_t(i) / inner) % channels : 0;
    if (g.scales[k] > 0.f)
      continue;
    int64_t level = -(int64_t)(*q)[i];
    if (level > g.qmax) {
      why = "its step " + std::to_string(g.scales[k]) +
            " is negative and the level " + std::to_string((*q)[i]) +
            " negated is outside the grid [" + std::to_string(g.qmin) + ", " +
            std::to_string(g.qmax) + "]";
      return failure();
    }
    (*q)[i] = (int8_t)level;
  }
  for (float &s : g.scales)
    s = std::fabs(s);
  return success();
}

/// Step 1: a frozen fake_quant becomes quantize + dequantize (or, for a
/// constant, an integer constant + dequantize). `levels`: the constant's
/// integer levels when already computed (flipNegativeSteps).
static LogicalResult lowerQuantizer(FakeQuantOp op, const FrozenGrid &g,
                                    std::optional<SmallVector<int8_t>> levels) {
  OpBuilder b(op);
  auto type = cast<RankedTensorType>(op.getType());
  auto qtype = RankedTensorType::get(type.getShape(),
                                     g.toQuantizedType(op.getContext()));
  Value quantized;
  if (std::optional<SmallVector<float>> w = readF32Constant(op.getInput())) {
    SmallVector<int8_t> q =
        levels ? *levels : quantizeConstant(*w, type.getShape(), g);
    auto intType = RankedTensorType::get(type.getShape(), b.getI8Type());
    Value cst = arith::ConstantOp::create(
        b, op.getLoc(), DenseElementsAttr::get(intType, ArrayRef(q)));
    quantized = StorageCastOp::create(b, op.getLoc(), qtype, cst);
  } else {
    quantized = QuantizeOp::create(b, op.getLoc(), qtype, op.getInput());
  }
  Value deq = DequantizeOp::create(b, op.getLoc(), type, quantized);
  op.replaceAllUsesWith(deq);
  op.erase();
  return success();
}

/// A frozen non-uniform quantizer's outputs are integers on the scale-1 grid
/// of FrozenGrid::of(op, .., ofOutput): a constant (ternary) weight becomes
/// its levels, computed by qrt's kernel math, as an s8 constant; an
/// activation keeps the quantizer as its encoder and gets a quantize onto
/// the grid after it (exact on integers), which the layers reading it take
/// as their integer input.
static LogicalResult lowerNonUniform(FakeQuantOp op, std::string &why) {
  FailureOr<FrozenGrid> g = FrozenGrid::of(op, why, /*ofOutput=*/true);
  if (failed(g))
    return failure();
  SmallVector<float> slopes = *readF32Constant(op.getClip());
  // The ramps divide by |alpha| (the kernel's check); the ternary form
  // takes any slope.
  if (!g->isSigned &&
      llvm::any_of(slopes, [](float a) { return !(std::fabs(a) > 0.f); })) {
    why = "a ramp's slope is 0";
    return failure();
  }
  if (std::optional<SmallVector<float>> w = readF32Constant(op.getInput())) {
    if (!g->isSigned) {
      why = "a constant on the unsigned 0..n grid has no i8 storage";
      return failure();
    }
    SmallVector<int8_t> levels;
    for (float v : *w)
      levels.push_back(
          (int8_t)qrt::qmath::nonUniformTernaryForward(v, slopes.data()));
    return lowerQuantizer(op, *g, std::move(levels));
  }
  OpBuilder b(op.getContext());
  b.setInsertionPointAfter(op);
  auto type = cast<RankedTensorType>(op.getType());
  auto qtype = RankedTensorType::get(type.getShape(),
                                     g->toQuantizedType(op.getContext()));
  Value q = QuantizeOp::create(b, op.getLoc(), qtype, op.getResult());
  Value deq = DequantizeOp::create(b, op.getLoc(), type, q);
  op.getResult().replaceAllUsesExcept(deq, q.getDefiningOp());
  return success();
}

/// The quantized operand behind a dequantize, if `v` is one.
static std::pair<Value, QuantizedType> dequantized(Value v) {
  auto deq = v.getDefiningOp<DequantizeOp>();
  if (!deq)
    return {};
  Value q = deq.getInput();
  return {q, cast<QuantizedType>(cast<RankedTensorType>(q.getType())
                                     .getElementType())};
}

/// A per-tensor 8-bit quantized element type.
static UniformQuantizedType perTensor8(Type t) {
  auto u = dyn_cast<UniformQuantizedType>(
      cast<RankedTensorType>(t).getElementType());
  return u && u.getStorageTypeIntegralWidth() == 8 ? u : nullptr;
}

/// The bias of a fused layer in accumulator units, as f32: a float constant
/// divided by s_x * s_w[c] (runtime/Requant.h, as the simulation folds it),
/// or the integers of a QDQ bias (dequantize of an i32 constant at scale
/// s_x * s_w[c]), exact in f32 below 2^24.
static std::optional<SmallVector<float>>
foldedBias(Value bias, float sx, ArrayRef<double> sw, int64_t channels) {
  SmallVector<float> out;
  if (auto deq = bias.getDefiningOp<DequantizeOp>()) {
    auto scast = deq.getInput().getDefiningOp<StorageCastOp>();
    DenseIntElementsAttr ints;
    if (!scast || !matchPattern(scast.getInput(), m_Constant(&ints)) ||
        ints.getNumElements() != channels)
      return std::nullopt;
    Type elem = cast<RankedTensorType>(scast.getType()).getElementType();
    SmallVector<double> scales;
    if (auto u = dyn_cast<UniformQuantizedType>(elem))
      scales.assign(channels, u.getScale());
    else if (auto a = dyn_cast<UniformQuantizedPerAxisType>(elem))
      scales.assign(a.getScales().begin(), a.getScales().end());
    if ((int64_t)scales.size() != channels)
      return std::nullopt;
    for (int64_t c = 0; c < channels; ++c) {
      double want = (double)sx * sw[sw.size() == 1 ? 0 : c];
      if (std::abs(scales[c] - want) > 1e-5 * want)
        return std::nullopt;
    }
    for (APInt v : ints.getValues<APInt>()) {
      int64_t i = v.getSExtValue();
      if (std::abs(i) > (int64_t(1) << 24))
        return std::nullopt;
      out.push_back((float)i);
    }
    return out;
  }
  std::optional<SmallVector<float>> f = readF32Constant(bias);
  if (!f || (int64_t)f->size() != channels)
    return std::nullopt;
  for (int64_t c = 0; c < channels; ++c)
    out.push_back(qrt::requant::accumulatorBias(
        (*f)[c], sx, (float)sw[sw.size() == 1 ? 0 : c]));
  return out;
}

/// A conv2d whose result chain ends in a quantizer (analysis/FusedLayer.h)
/// becomes a requantized qconv2d (relu and residual fused). Returns false,
/// changing nothing, when `conv` is not such a layer.
static bool lowerFusedConv(Conv2dOp conv, Value qx, Value qw,
                           UniformQuantizedType ux, ArrayRef<double> ws) {
  std::optional<FusedChain> chain = matchFusedChain(
      conv,
      [](Operation *op, bool *isSigned) {
        auto q = dyn_cast<QuantizeOp>(op);
        UniformQuantizedType u = q ? perTensor8(q.getType()) : nullptr;
        if (u)
          *isSigned = u.isSigned();
        return (bool)u;
      },
      [](Value v, bool isSigned) {
        auto deq = v.getDefiningOp<DequantizeOp>();
        UniformQuantizedType u =
            deq ? perTensor8(deq.getInput().getType()) : nullptr;
        return u && u.isSigned() == isSigned;
      });
  if (!chain)
    return false;
  auto convType = cast<RankedTensorType>(conv.getType());
  std::optional<SmallVector<float>> bias;
  if (conv.getBias()) {
    bias = foldedBias(conv.getBias(), (float)ux.getScale(), ws,
                      convType.getDimSize(1));
    if (!bias)
      return false;
  }
  auto quantize = cast<QuantizeOp>(chain->quantizer);
  Type outElem = quantize.getType().getElementType();
  auto outType = RankedTensorType::get(convType.getShape(), outElem);
  OpBuilder b(quantize);
  Location loc = conv.getLoc();
  Value biasCst;
  if (bias) {
    auto biasType =
        RankedTensorType::get({(int64_t)bias->size()}, b.getF32Type());
    biasCst = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(biasType, ArrayRef(*bias)));
  }
  Value residual;
  if (chain->add)
    residual = chain->residual.getDefiningOp<DequantizeOp>().getInput();
  Value y = QConv2dOp::create(b, loc, outType, qx, qw, biasCst, residual,
                              conv.getStridesAttr(), conv.getPadsAttr(),
                              conv.getDilationsAttr(), conv.getGroupsAttr(),
                              chain->relu ? b.getUnitAttr() : UnitAttr())
                .getResult();
  if (chain->pad) {
    // The padded quantized tensor, exactly: dequantize, pad with 0.0 and
    // quantize again give y padded with its zero point.
    // foldPadsIntoConvs removes this where the users are qconv2d.
    auto fType = RankedTensorType::get(convType.getShape(), b.getF32Type());
    Value f = DequantizeOp::create(b, loc, fType, y);
    Value padded = PadOp::create(b, loc, f, chain->pad.getPadsAttr(),
                                 chain->pad.getValueAttr());
    y = QuantizeOp::create(b, loc, quantize.getType(), padded);
  }
  quantize.getResult().replaceAllUsesWith(y);
  quantize.erase();
  for (Operation *op : {chain->pad.getOperation(), chain->relu.getOperation(),
                        chain->add.getOperation(), conv.getOperation()})
    if (op)
      op->erase();
  return true;
}

/// qconv2d(quantize(pad(v))) with a zero spatial pad is qconv2d(quantize(v))
/// with larger pads: qconv2d pads with the input's zero point, which is what
/// quantizing a padded 0.0 gives. When v = dequantize(y) with y of the
/// quantize's type, quantize(v) is y itself (exact round trip).
static void foldPadsIntoConvs(Operation *root) {
  SmallVector<QConv2dOp> convs;
  root->walk([&](QConv2dOp op) { convs.push_back(op); });
  llvm::DenseMap<Operation *, Value> unpadded; // quantize -> quantize(v)
  for (QConv2dOp conv : convs) {
    auto q = conv.getInput().getDefiningOp<QuantizeOp>();
    auto pad = q ? q.getInput().getDefiningOp<PadOp>() : nullptr;
    if (!pad || !isSpatialZeroPad(pad))
      continue;
    Value &input = unpadded[q];
    if (!input) {
      Type elem = q.getType().getElementType();
      auto deq = pad.getInput().getDefiningOp<DequantizeOp>();
      if (deq && cast<RankedTensorType>(deq.getInput().getType())
                         .getElementType() == elem) {
        input = deq.getInput();
      } else {
        OpBuilder b(q);
        auto type = RankedTensorType::get(
            cast<RankedTensorType>(pad.getInput().getType()).getShape(), elem);
        input = QuantizeOp::create(b, q.getLoc(), type, pad.getInput());
      }
    }
    ArrayRef<int64_t> p = pad.getPads(), c = conv.getPads();
    SmallVector<int64_t> pads = {c[0] + p[2], c[1] + p[3], c[2] + p[6],
                                 c[3] + p[7]};
    conv.getInputMutable().assign(input);
    conv.setPads(pads);
  }
  for (auto &[op, v] : unpadded) {
    auto q = cast<QuantizeOp>(op);
    auto pad = q.getInput().getDefiningOp<PadOp>();
    if (!q->use_empty())
      continue;
    q.erase();
    if (pad->use_empty()) {
      auto deq = pad.getInput().getDefiningOp<DequantizeOp>();
      pad.erase();
      if (deq && deq->use_empty())
        deq.erase();
    }
  }
}

/// Step 2: conv2d / linear over dequantized input and weight computes the
/// i32 accumulator in integers, then dequantizes and adds the float bias.
static bool lowerLayer(Operation *op, Value input, Value weight, Value bias) {
  auto [qx, tx] = dequantized(input);
  auto [qw, tw] = dequantized(weight);
  if (!qx || !qw || !weight.getDefiningOp<DequantizeOp>()
                         .getInput()
                         .getDefiningOp<StorageCastOp>())
    return false;
  auto ux = dyn_cast<UniformQuantizedType>(tx);
  if (!ux || tx.getStorageTypeIntegralWidth() != 8 || !tw.isSigned())
    return false;
  SmallVector<double> ws;
  if (auto u = dyn_cast<UniformQuantizedType>(tw)) {
    if (u.getZeroPoint() != 0)
      return false;
    ws.push_back(u.getScale());
  } else {
    auto a = cast<UniformQuantizedPerAxisType>(tw);
    if (a.getQuantizedDimension() != 0 ||
        llvm::any_of(a.getZeroPoints(), [](int64_t z) { return z != 0; }))
      return false;
    ws.assign(a.getScales().begin(), a.getScales().end());
  }
  if (auto conv = dyn_cast<Conv2dOp>(op))
    if (lowerFusedConv(conv, qx, qw, ux, ws))
      return true;
  // The accumulator's scale per output channel: s_x * s_w[c].
  MLIRContext *ctx = op->getContext();
  Type i32 = IntegerType::get(ctx, 32), f32 = Float32Type::get(ctx);
  int64_t lo = std::numeric_limits<int32_t>::min(),
          hi = std::numeric_limits<int32_t>::max();
  QuantizedType accElem;
  SmallVector<double> accScales;
  for (double s : ws)
    accScales.push_back((double)(float)ux.getScale() * (float)s);
  if (accScales.size() == 1)
    accElem = UniformQuantizedType::get(QuantizationFlags::Signed, i32, f32,
                                        accScales[0], 0, lo, hi);
  else
    accElem = UniformQuantizedPerAxisType::get(
        QuantizationFlags::Signed, i32, f32, accScales,
        SmallVector<int64_t>(accScales.size(), 0), 1, lo, hi);
  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  auto accType = RankedTensorType::get(outType.getShape(), accElem);

  OpBuilder b(op);
  Location loc = op->getLoc();
  Value acc;
  if (auto conv = dyn_cast<Conv2dOp>(op))
    acc = QConv2dOp::create(b, loc, accType, qx, qw, Value(), Value(),
                            conv.getStridesAttr(), conv.getPadsAttr(),
                            conv.getDilationsAttr(), conv.getGroupsAttr(),
                            UnitAttr())
              .getResult();
  else
    acc = QLinearOp::create(b, loc, accType, qx, qw, Value(), UnitAttr())
              .getResult();
  Value out = DequantizeOp::create(b, loc, outType, acc);
  if (bias) {
    // The bias broadcasts over the channel axis (1) of the result.
    auto biasType = cast<RankedTensorType>(bias.getType());
    SmallVector<int64_t> shape(outType.getRank(), 1);
    shape[1] = biasType.getDimSize(0);
    Value b2 = bias;
    if (outType.getRank() != 2)
      b2 = ReshapeOp::create(b, loc,
                             RankedTensorType::get(shape, b.getF32Type()), bias);
    out = AddOp::create(b, loc, outType, out, b2);
  }
  op->getResult(0).replaceAllUsesWith(out);
  op->erase();
  return true;
}

/// Step 3: add(dequantize(a), dequantize(b)) -> [relu] -> quantize, with
/// per-tensor 8-bit operands and result, is qadd: its semantics are that
/// float computation (qrt::qadd), so the rewrite is exact.
static bool lowerAdd(AddOp add) {
  Value v = add.getResult();
  ReluOp relu;
  if (v.hasOneUse())
    if ((relu = dyn_cast<ReluOp>(*v.getUsers().begin())))
      v = relu.getResult();
  if (!v.hasOneUse())
    return false;
  auto quantize = dyn_cast<QuantizeOp>(*v.getUsers().begin());
  auto lhs = add.getLhs().getDefiningOp<DequantizeOp>();
  auto rhs = add.getRhs().getDefiningOp<DequantizeOp>();
  if (!quantize || !lhs || !rhs || !perTensor8(quantize.getType()) ||
      !perTensor8(lhs.getInput().getType()) ||
      !perTensor8(rhs.getInput().getType()) ||
      add.getLhs().getType() != add.getType() ||
      add.getRhs().getType() != add.getType())
    return false;
  OpBuilder b(quantize);
  Value y = QAddOp::create(b, add.getLoc(), quantize.getType(), lhs.getInput(),
                           rhs.getInput(), relu ? b.getUnitAttr() : UnitAttr())
                .getResult();
  quantize.getResult().replaceAllUsesWith(y);
  quantize.erase();
  if (relu)
    relu.erase();
  add.erase();
  return true;
}

/// transpose(dequantize(scast(constant))) is the dequantize of the
/// transposed integer constant (the per-axis dimension follows): a QDQ
/// Gemm's weight (imported as MatMul of a transposed weight) is then not
/// transposed again on every run.
static void foldConstantTransposes(Operation *root) {
  SmallVector<TransposeOp> transposes;
  root->walk([&](TransposeOp op) { transposes.push_back(op); });
  for (TransposeOp t : transposes) {
    auto deq = t.getInput().getDefiningOp<DequantizeOp>();
    auto scast = deq ? deq.getInput().getDefiningOp<StorageCastOp>() : nullptr;
    DenseIntElementsAttr ints;
    if (!scast || !matchPattern(scast.getInput(), m_Constant(&ints)))
      continue;
    auto inType = cast<RankedTensorType>(scast.getType());
    ArrayRef<int64_t> perm = t.getPerm(), shape = inType.getShape();
    SmallVector<int64_t> outShape, inStrides(shape.size(), 1);
    for (int64_t d : perm)
      outShape.push_back(shape[d]);
    for (int64_t d = (int64_t)shape.size() - 2; d >= 0; --d)
      inStrides[d] = inStrides[d + 1] * shape[d + 1];
    SmallVector<APInt> in(ints.getValues<APInt>()), out;
    out.reserve(in.size());
    SmallVector<int64_t> idx(shape.size(), 0);
    for (size_t i = 0; i < in.size(); ++i) {
      int64_t src = 0;
      for (size_t d = 0; d < perm.size(); ++d)
        src += idx[d] * inStrides[perm[d]];
      out.push_back(in[src]);
      for (int64_t d = (int64_t)idx.size() - 1; d >= 0; --d)
        if (++idx[d] < outShape[d])
          break;
        else
          idx[d] = 0;
    }
    Type elem = inType.getElementType();
    if (auto a = dyn_cast<UniformQuantizedPerAxisType>(elem)) {
      int32_t axis = llvm::find(perm, a.getQuantizedDimension()) - perm.begin();
      elem = UniformQuantizedPerAxisType::get(
          a.getFlags(), a.getStorageType(), a.getExpressedType(), a.getScales(),
          a.getZeroPoints(), axis, a.getStorageTypeMin(),
          a.getStorageTypeMax());
    }
    OpBuilder b(t);
    auto intType = RankedTensorType::get(
        outShape, cast<ShapedType>(ints.getType()).getElementType());
    Value cst = arith::ConstantOp::create(
        b, t.getLoc(), DenseElementsAttr::get(intType, ArrayRef(out)));
    Value q = StorageCastOp::create(
        b, t.getLoc(), RankedTensorType::get(outShape, elem), cst);
    Value f = DequantizeOp::create(b, t.getLoc(), t.getType(), q);
    t.getResult().replaceAllUsesWith(f);
    t.erase();
  }
}

namespace {
struct LowerToIntegerPass
    : qopt::impl::LowerToIntegerPassBase<LowerToIntegerPass> {
  void runOnOperation() override {
    SmallVector<FakeQuantOp> quantizers;
    getOperation().walk([&](FakeQuantOp op) { quantizers.push_back(op); });
    for (auto [index, op] : llvm::enumerate(quantizers)) {
      std::string why;
      // A constant weight's `adaptive` normalization is part of the
      // constant from here on (qnn-fold-adaptive): the integer weight is the
      // quantized normalized weight, exactly as the fake_quant computed it.
      (void)foldAdaptiveNormalization(op);
      // LQ-Nets levels are no uniform grid: the quantizer stays, and the
      // plan runs a frozen layer reading it on integer code planes
      // (codegen/LqSteps.cpp).
      if (op.getMethod() == QuantMethod::Lqnet) {
        op.emitRemark("quantizer '")
            << quantizerName(op, index)
            << "' kept: LQ-Nets levels are no uniform grid; a frozen "
               "conv2d / linear reading it runs as an lq_conv2d / lq_linear "
               "step on integer code planes";
        continue;
      }
      if (op.getMethod() == QuantMethod::NonUniform) {
        if (succeeded(lowerNonUniform(op, why)))
          ++numQuantizers;
        else
          op.emitRemark("quantizer '")
              << quantizerName(op, index) << "' not lowered: " << why;
        continue;
      }
      FailureOr<FrozenGrid> g = FrozenGrid::of(op, why);
      std::optional<SmallVector<int8_t>> levels;
      // A constant on an unsigned grid: qnn-wrap-mode{mode=test} already
      // stored grids of up to 7 bits as their signed levels q - z; an 8-bit
      // one's levels need 9 bits.
      if (succeeded(g) && !g->isSigned &&
          matchPattern(op.getInput(), m_Constant())) {
        why = "an unsigned " + std::to_string(op.getBits()) +
              "-bit weight grid (levels q - z in [-255, 255]) has no i8 "
              "storage; quantize weights signed (symmetric) or with at most "
              "7 bits";
        g = failure();
      }
      if (failed(g) || failed(flipNegativeSteps(op, *g, levels, why))) {
        op.emitRemark("quantizer '")
            << quantizerName(op, index) << "' not lowered: " << why;
        continue;
      }
      if (failed(lowerQuantizer(op, *g, std::move(levels))))
        return signalPassFailure();
      ++numQuantizers;
    }
    SmallVector<Operation *> layers;
    getOperation().walk([&](Operation *op) {
      if (isa<Conv2dOp, LinearOp>(op))
        layers.push_back(op);
    });
    for (Operation *op : layers) {
      bool done = false;
      if (auto conv = dyn_cast<Conv2dOp>(op))
        done = lowerLayer(op, conv.getInput(), conv.getWeight(), conv.getBias());
      else if (auto linear = dyn_cast<LinearOp>(op))
        done = cast<RankedTensorType>(linear.getType()).getRank() == 2 &&
               lowerLayer(op, linear.getInput(), linear.getWeight(),
                          linear.getBias());
      numLayers += done;
    }
    foldConstantTransposes(getOperation());
    SmallVector<AddOp> adds;
    getOperation().walk([&](AddOp op) { adds.push_back(op); });
    for (AddOp op : adds)
      lowerAdd(op);
    // Dequantizes whose only users became integer layers are dead now.
    auto eraseDeadDequantizes = [&] {
      getOperation().walk([](DequantizeOp op) {
        if (op->use_empty())
          op.erase();
      });
      // and so are storage casts and constants of folded biases.
      getOperation().walk([](StorageCastOp op) {
        if (op->use_empty())
          op.erase();
      });
      getOperation().walk([](arith::ConstantOp op) {
        if (op->use_empty())
          op.erase();
      });
    };
    eraseDeadDequantizes();
    foldPadsIntoConvs(getOperation());
    eraseDeadDequantizes();
  }
};
} // namespace
