//===- ExactQuantizedSteps.cpp - fake-quantized layers, computed exactly --===//
//
// A conv2d or linear whose input and weight both come from frozen uniform /
// LSQ quantizers computes, by definition, sum((q_x - z_x) s_x * q_w s_w):
// real numbers on an integer grid. Float accumulation only approximates
// that; the integer accumulator is exact. So the interpreter evaluates such
// a layer as the deployed program does (re-quantize the fake-quantized
// operands, which recovers their integers exactly; int8 accumulation on
// oneDNN; one float multiply by s_x * s_w[c]; the float bias), and the
// simulation and the program produced by qnn-lower-to-integer compute the
// same bits. Layers whose quantizers are not frozen (QAT) or not of this
// kind keep the float path.
//
// A conv whose result only feeds (through a residual add of a quantized
// value, a relu and a zero pad) the quantizer of the next layer's input is
// one requantized int8 layer (passes/FusedLayer.h): it runs the very fused
// oneDNN kernel the deployed qconv2d runs (Int8ConvPlan::createFused), and
// the quantizer's output is the dequantized 8-bit result, (q - z) s, as
// fake_quant computes it.
//
//===----------------------------------------------------------------------===//

#include "codegen/Lowerings.h"
#include "dialect/Constants.h"
#include "dialect/QnnOps.h"
#include "passes/FusedLayer.h"

#include "runtime/Elementwise.h"
#include "runtime/IntKernels.h"
#include "runtime/ShapeOps.h"

#include "mlir/IR/Matchers.h"

#include <map>

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

namespace {
/// A frozen quantizer on an 8-bit-or-narrower integer grid.
struct FrozenGrid {
  std::vector<float> scales, zeroPoints;
  qrt::QuantRange range;
  qrt::DType dtype;
  std::optional<int64_t> axis;
};
} // namespace

static std::optional<FrozenGrid> frozenGrid(Value v) {
  auto fq = v.getDefiningOp<FakeQuantOp>();
  if (!fq || (fq.getMethod() != QuantMethod::Uniform &&
              fq.getMethod() != QuantMethod::Lsq) ||
      fq.getBits() > 8 || fq.getGroups() || fq.getAdaptive() != Adaptive::None)
    return std::nullopt;
  FrozenGrid g;
  std::optional<SmallVector<float>> s = readF32Constant(fq.getScale());
  if (!s)
    return std::nullopt;
  g.scales.assign(s->begin(), s->end());
  if (fq.getZeroPoint()) {
    std::optional<SmallVector<float>> z = readF32Constant(fq.getZeroPoint());
    if (!z)
      return std::nullopt;
    g.zeroPoints.assign(z->begin(), z->end());
  } else {
    g.zeroPoints.assign(g.scales.size(), 0.0f);
  }
  for (float z : g.zeroPoints)
    if (z != std::nearbyint(z))
      return std::nullopt;
  bool isSigned = !fq.getHalfRange();
  g.range = qrt::QuantRange::fromBits(fq.getBits(), isSigned, fq.getNarrow());
  g.dtype = isSigned ? qrt::DType::I8 : qrt::DType::U8;
  g.axis = fq.getAxis();
  return g;
}

static qrt::Tensor vec(const std::vector<float> &v) {
  return qrt::Tensor::fromVector<float>({(int64_t)v.size()}, v);
}

/// Int8 plan + the scales of the accumulator, made on first sight of a
/// shape (the weights are constants, so they are quantized once).
template <typename PlanT> struct ExactLayerState {
  std::map<qrt::Shape, PlanT> plans;
  qrt::Tensor accScale; // f32 [O]: float((double)s_x * s_w[c])
  qrt::Tensor bias4d;   // the bias as [1, O, 1...], or undefined
};

template <typename PlanT, typename Make>
static LogicalResult addExactLayer(ExecutionPlan &plan, Operation *op,
                                   Value input, Value weight, Value bias,
                                   Make make) {
  std::optional<FrozenGrid> gx = frozenGrid(input), gw = frozenGrid(weight);
  if (!gx || !gw || gx->axis || gx->scales.size() != 1 ||
      gw->dtype != qrt::DType::I8 || (gw->axis && *gw->axis != 0) ||
      llvm::any_of(gw->zeroPoints, [](float z) { return z != 0.0f; }) ||
      !plan.isConstant(weight.getDefiningOp<FakeQuantOp>().getInput()) ||
      (bias && !plan.isConstant(bias)))
    return failure();
  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  unsigned x = plan.slotOf(input), w = plan.slotOf(weight);
  unsigned b = bias ? plan.slotOf(bias) : ~0u, y = plan.slotOf(op->getResult(0));
  int64_t rank = outType.getRank();
  std::vector<float> accScale;
  for (float s : gw->scales)
    accScale.push_back((float)((double)gx->scales[0] * (double)s));
  auto state = std::make_shared<ExactLayerState<PlanT>>();
  state->accScale = vec(accScale);
  qrt::Tensor sx = vec(gx->scales), zx = vec(gx->zeroPoints);
  qrt::Tensor sw = vec(gw->scales), zw = vec(gw->zeroPoints);
  FrozenGrid fx = *gx, fw = *gw;
  plan.addStep(op, [=](Frame &f) -> qrt::Status {
    // q_x, recovered exactly from the fake-quantized input.
    qrt::Tensor qx;
    QRT_RETURN_IF_ERROR(qrt::quantize(f[x], sx, zx,
                                      qrt::Granularity::perTensor(), fx.dtype,
                                      fx.range, qx));
    auto it = state->plans.find(qx.shape());
    if (it == state->plans.end()) {
      qrt::Tensor qw;
      qrt::Granularity g = fw.axis ? qrt::Granularity{0, f[w].dim(0)}
                                   : qrt::Granularity::perTensor();
      QRT_RETURN_IF_ERROR(
          qrt::quantize(f[w], sw, zw, g, qrt::DType::I8, fw.range, qw));
      qrt::Expected<PlanT> made =
          make(qx.shape(), fx.dtype, qw, (int32_t)fx.zeroPoints[0]);
      if (!made)
        return made.status();
      it = state->plans.emplace(qx.shape(), std::move(*made)).first;
      if (b != ~0u && !state->bias4d.defined()) {
        qrt::Shape shape(rank, 1);
        shape[1] = f[b].numel();
        qrt::Expected<qrt::Tensor> r = qrt::reshape(f[b], shape);
        if (!r)
          return r.status();
        state->bias4d = std::move(*r);
      }
    }
    qrt::Tensor acc, out;
    QRT_RETURN_IF_ERROR(it->second.runAccumulate(qx, acc));
    qrt::Granularity ga = state->accScale.numel() == 1
                              ? qrt::Granularity::perTensor()
                              : qrt::Granularity{1, acc.dim(1)};
    qrt::Tensor zero =
        qrt::Tensor::zeros({state->accScale.numel()}, qrt::DType::F32);
    QRT_RETURN_IF_ERROR(qrt::dequantize(acc, state->accScale, zero, ga, out));
    if (state->bias4d.defined()) {
      qrt::Tensor sum;
      QRT_RETURN_IF_ERROR(qrt::add(out, state->bias4d, sum));
      out = std::move(sum);
    }
    f[y] = std::move(out);
    return qrt::Status::ok();
  });
  return success();
}

/// The conv -> [add] -> [relu] -> [pad] -> fake_quant chain of `conv` as one
/// requantized int8 layer; fails, adding nothing, when it is not one.
static LogicalResult addFusedConvLayer(ExecutionPlan &plan, Conv2dOp conv) {
  std::optional<FrozenGrid> gx = frozenGrid(conv.getInput()),
                            gw = frozenGrid(conv.getWeight());
  Value bias = conv.getBias();
  if (!gx || !gw || gx->axis || gx->scales.size() != 1 ||
      gw->dtype != qrt::DType::I8 || (gw->axis && *gw->axis != 0) ||
      llvm::any_of(gw->zeroPoints, [](float z) { return z != 0.0f; }) ||
      !plan.isConstant(conv.getWeight().getDefiningOp<FakeQuantOp>().getInput()) ||
      (bias && !plan.isConstant(bias)))
    return failure();
  auto perTensor = [](Value v) -> std::optional<FrozenGrid> {
    std::optional<FrozenGrid> g = frozenGrid(v);
    if (!g || g->axis || g->scales.size() != 1)
      return std::nullopt;
    return g;
  };
  std::optional<FusedChain> chain = matchFusedChain(
      conv,
      [&](Operation *op, bool *isSigned) {
        if (!isa<FakeQuantOp>(op))
          return false;
        std::optional<FrozenGrid> g = perTensor(op->getResult(0));
        if (g)
          *isSigned = g->dtype == qrt::DType::I8;
        return g.has_value();
      },
      [&](Value v, bool isSigned) {
        std::optional<FrozenGrid> g = perTensor(v);
        return g && (g->dtype == qrt::DType::I8) == isSigned;
      });
  if (!chain)
    return failure();
  FrozenGrid fx = *gx, fw = *gw, fy = *perTensor(chain->result());
  std::optional<FrozenGrid> fr;
  if (chain->add)
    fr = perTensor(chain->residual);

  qrt::Int8Epilogue e;
  for (float sw : fw.scales)
    e.multipliers.push_back(
        qrt::requant::multiplier(fx.scales[0], sw, fy.scales[0]));
  e.outputZeroPoint = (int32_t)fy.zeroPoints[0];
  e.outputDType = fy.dtype;
  e.qmin = (int32_t)fy.range.qmin;
  e.qmax = (int32_t)fy.range.qmax;
  e.relu = (bool)chain->relu;
  if (fr) {
    e.residual = true;
    e.residualDType = fr->dtype;
    e.residualScale = qrt::requant::residualScale(fr->scales[0], fy.scales[0]);
    e.residualZeroPoint = (int32_t)fr->zeroPoints[0];
  }
  std::vector<int64_t> pads;
  if (chain->pad)
    pads.assign(chain->pad.getPads().begin(), chain->pad.getPads().end());
  qrt::Conv2dParams p = convParams(conv.getStrides(), conv.getDilations(),
                                   conv.getPads(), conv.getGroups());

  unsigned x = plan.slotOf(conv.getInput()), w = plan.slotOf(conv.getWeight());
  unsigned b = bias ? plan.slotOf(bias) : ~0u;
  unsigned r = fr ? plan.slotOf(chain->residual) : ~0u;
  unsigned y = plan.slotOf(chain->result());
  for (Operation *op : {chain->add.getOperation(), chain->relu.getOperation(),
                        chain->pad.getOperation(), chain->quantizer})
    if (op)
      plan.absorb(op);
  auto plans = std::make_shared<std::map<qrt::Shape, qrt::Int8ConvPlan>>();
  SmallVector<Value> extraReads;
  if (fr)
    extraReads.push_back(chain->residual);
  plan.addStep(conv, [=](Frame &f) -> qrt::Status {
    qrt::Tensor qx;
    QRT_RETURN_IF_ERROR(qrt::quantize(f[x], vec(fx.scales), vec(fx.zeroPoints),
                                      qrt::Granularity::perTensor(), fx.dtype,
                                      fx.range, qx));
    auto it = plans->find(qx.shape());
    if (it == plans->end()) {
      qrt::Tensor qw;
      qrt::Granularity g = fw.axis ? qrt::Granularity{0, f[w].dim(0)}
                                   : qrt::Granularity::perTensor();
      QRT_RETURN_IF_ERROR(qrt::quantize(f[w], vec(fw.scales),
                                        vec(fw.zeroPoints), g, qrt::DType::I8,
                                        fw.range, qw));
      // The float bias in accumulator units (f32), as
      // qnn-lower-to-integer folds it.
      qrt::Tensor qb;
      if (b != ~0u) {
        int64_t oc = f[b].numel();
        std::vector<float> ib(oc);
        for (int64_t c = 0; c < oc; ++c)
          ib[c] = qrt::requant::accumulatorBias(
              f[b].data<float>()[c], fx.scales[0],
              fw.scales[fw.scales.size() == 1 ? 0 : c]);
        qb = qrt::Tensor::fromVector<float>({oc}, ib);
      }
      qrt::Expected<qrt::Int8ConvPlan> made = qrt::Int8ConvPlan::createFused(
          qx.shape(), fx.dtype, qw, qb, p, (int32_t)fx.zeroPoints[0], e);
      if (!made)
        return made.status();
      it = plans->emplace(qx.shape(), std::move(*made)).first;
    }
    qrt::Tensor q;
    if (fr) // the output buffer starts as the quantized residual
      QRT_RETURN_IF_ERROR(qrt::quantize(f[r], vec(fr->scales),
                                        vec(fr->zeroPoints),
                                        qrt::Granularity::perTensor(),
                                        fr->dtype, fr->range, q));
    QRT_RETURN_IF_ERROR(it->second.runFused(qx, q));
    qrt::Tensor out;
    QRT_RETURN_IF_ERROR(qrt::dequantize(q, vec(fy.scales), vec(fy.zeroPoints),
                                        qrt::Granularity::perTensor(), out));
    if (!pads.empty()) {
      qrt::Tensor padded;
      QRT_RETURN_IF_ERROR(qrt::padConstant(out, pads, 0.0, padded));
      out = std::move(padded);
    }
    f[y] = std::move(out);
    return qrt::Status::ok();
  }, extraReads);
  return success();
}

LogicalResult qopt::lowerExactQuantizedLayer(ExecutionPlan &plan,
                                             Operation *op) {
  if (auto conv = dyn_cast<Conv2dOp>(op)) {
    if (succeeded(addFusedConvLayer(plan, conv)))
      return success();
    qrt::Conv2dParams p =
        convParams(conv.getStrides(), conv.getDilations(), conv.getPads(),
                   conv.getGroups());
    return addExactLayer<qrt::Int8ConvPlan>(
        plan, op, conv.getInput(), conv.getWeight(), conv.getBias(),
        [p](const qrt::Shape &in, qrt::DType dt, const qrt::Tensor &w,
            int32_t zx) {
          return qrt::Int8ConvPlan::create(in, dt, w, qrt::Tensor(), p, zx);
        });
  }
  if (auto linear = dyn_cast<LinearOp>(op)) {
    if (cast<RankedTensorType>(linear.getType()).getRank() != 2)
      return failure();
    return addExactLayer<qrt::Int8LinearPlan>(
        plan, op, linear.getInput(), linear.getWeight(), linear.getBias(),
        [](const qrt::Shape &in, qrt::DType dt, const qrt::Tensor &w,
           int32_t zx) {
          return qrt::Int8LinearPlan::create(in, dt, w, qrt::Tensor(), zx);
        });
  }
  return failure();
}
