//===- LowerToInteger.cpp - fake-quant graphs to integer programs ---------===//

#include "passes/Calibration.h"
#include "dialect/Constants.h"
#include "passes/Passes.h"

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

namespace {
/// A quantizer's integer grid and parameters, read from a frozen fake_quant.
struct Grid {
  int64_t qmin, qmax;
  bool isSigned;
  SmallVector<float> scales, zeroPoints;
  std::optional<int64_t> axis;
};
} // namespace

/// Reads a lowerable quantizer; on failure `why` says what stands in the way.
static FailureOr<Grid> gridOf(FakeQuantOp op, std::string &why) {
  QuantMethod m = op.getMethod();
  if (m != QuantMethod::Uniform && m != QuantMethod::Lsq) {
    why = stringifyQuantMethod(m).str() + " has no integer lowering yet";
    return failure();
  }
  if (op.getBits() > 8) {
    why = "more than 8 bits needs wider storage than i8";
    return failure();
  }
  if (op.getGroups()) {
    why = "grouped quantizers (quant_group) have no integer type";
    return failure();
  }
  if (op.getAdaptive() != Adaptive::None) {
    why = "adaptive normalization changes the weights before quantizing";
    return failure();
  }
  Grid g;
  int64_t b = op.getBits();
  g.isSigned = !op.getHalfRange();
  g.qmin = g.isSigned ? -(int64_t(1) << (b - 1)) + (op.getNarrow() ? 1 : 0) : 0;
  g.qmax = g.isSigned ? (int64_t(1) << (b - 1)) - 1 : (int64_t(1) << b) - 1;
  g.axis = op.getAxis();
  std::optional<SmallVector<float>> s = readF32Constant(op.getScale());
  if (!s) {
    why = "its scale is not a constant (calibrate or train, then run "
          "qnn-wrap-mode{mode=test})";
    return failure();
  }
  g.scales = std::move(*s);
  if (op.getZeroPoint()) {
    std::optional<SmallVector<float>> z = readF32Constant(op.getZeroPoint());
    if (!z) {
      why = "its zero point is not a constant";
      return failure();
    }
    g.zeroPoints = std::move(*z);
    for (float v : g.zeroPoints)
      if (v != std::nearbyint(v)) {
        why = "its zero point " + std::to_string(v) + " is not an integer";
        return failure();
      }
  } else {
    g.zeroPoints.assign(g.scales.size(), 0.0f);
  }
  return g;
}

static QuantizedType quantTypeOf(MLIRContext *ctx, const Grid &g) {
  Type storage = IntegerType::get(ctx, 8);
  Type f32 = Float32Type::get(ctx);
  unsigned flags = g.isSigned ? QuantizationFlags::Signed : 0;
  if (g.axis) {
    SmallVector<double> scales(g.scales.begin(), g.scales.end());
    SmallVector<int64_t> zps;
    for (float z : g.zeroPoints)
      zps.push_back((int64_t)z);
    return UniformQuantizedPerAxisType::get(flags, storage, f32, scales, zps,
                                            *g.axis, g.qmin, g.qmax);
  }
  return UniformQuantizedType::get(flags, storage, f32, g.scales[0],
                                   (int64_t)g.zeroPoints[0], g.qmin, g.qmax);
}

/// Quantizes a constant with the grid, exactly as qrt's fake-quant kernel
/// would (float32 division, round half to even, clamp).
static SmallVector<int8_t> quantizeConstant(ArrayRef<float> w,
                                            ArrayRef<int64_t> shape,
                                            const Grid &g) {
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

/// Step 1: a frozen fake_quant becomes quantize + dequantize (or, for a
/// constant, an integer constant + dequantize).
static LogicalResult lowerQuantizer(FakeQuantOp op, const Grid &g) {
  OpBuilder b(op);
  auto type = cast<RankedTensorType>(op.getType());
  auto qtype = RankedTensorType::get(type.getShape(),
                                     quantTypeOf(op.getContext(), g));
  Value quantized;
  if (std::optional<SmallVector<float>> w = readF32Constant(op.getInput())) {
    if (!g.isSigned)
      return op.emitError("qnn-lower-to-integer: a constant quantized to an "
                          "unsigned grid has no i8 storage; quantize weights "
                          "signed");
    SmallVector<int8_t> q = quantizeConstant(*w, type.getShape(), g);
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

/// The quantized operand behind a dequantize, if `v` is one.
static std::pair<Value, QuantizedType> dequantized(Value v) {
  auto deq = v.getDefiningOp<DequantizeOp>();
  if (!deq)
    return {};
  Value q = deq.getInput();
  return {q, cast<QuantizedType>(cast<RankedTensorType>(q.getType())
                                     .getElementType())};
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

namespace {
struct LowerToIntegerPass
    : qopt::impl::LowerToIntegerPassBase<LowerToIntegerPass> {
  void runOnOperation() override {
    SmallVector<FakeQuantOp> quantizers;
    getOperation().walk([&](FakeQuantOp op) { quantizers.push_back(op); });
    for (auto [index, op] : llvm::enumerate(quantizers)) {
      std::string why;
      FailureOr<Grid> g = gridOf(op, why);
      if (failed(g)) {
        op.emitRemark("quantizer '")
            << quantizerName(op, index) << "' not lowered: " << why;
        continue;
      }
      if (failed(lowerQuantizer(op, *g)))
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
    // Dequantizes whose only users became integer layers are dead now.
    getOperation().walk([](DequantizeOp op) {
      if (op->use_empty())
        op.erase();
    });
  }
};
} // namespace
