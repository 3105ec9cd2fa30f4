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
// A frozen non-uniform quantizer's outputs are integers (0..n, or -1 / 0 /
// 1 for the ternary weight form), so a layer reading them is the same
// integer accumulation on the scale-1 grid (analysis/FrozenGrid.h).
//
// A conv whose result only feeds (through a residual add of a quantized
// value, a relu and a zero pad) the quantizer of the next layer's input is
// one requantized int8 layer (analysis/FusedLayer.h): it runs the very fused
// oneDNN kernel the deployed qconv2d runs (Int8ConvPlan::createFused), and
// the quantizer's output is the dequantized 8-bit result, (q - z) s, as
// fake_quant computes it.
//
//===----------------------------------------------------------------------===//

#include "codegen/Lowerings.h"
#include "dialect/Constants.h"
#include "dialect/QnnOps.h"
#include "analysis/FrozenGrid.h"
#include "analysis/FusedLayer.h"

#include "runtime/Exec.h"

#include "mlir/IR/Matchers.h"


using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

/// The grid of a frozen fake_quant producing `v`, if it has one.
static std::optional<FrozenGrid> frozenGrid(Value v) {
  auto fq = v.getDefiningOp<FakeQuantOp>();
  if (!fq)
    return std::nullopt;
  std::string why;
  // Exact layers read the quantizer's output (q s on its grid), so a
  // weight's `adaptive` normalization, which precedes the grid, is no
  // obstacle.
  FailureOr<FrozenGrid> g = FrozenGrid::of(fq, why, /*ofOutput=*/true);
  if (failed(g))
    return std::nullopt;
  return std::move(*g);
}

/// The weight of an exact layer is a constant quantized per tensor or per
/// output channel with zero points 0.
static bool isExactWeight(ExecutionPlan &plan, Value weight,
                          const std::optional<FrozenGrid> &gw) {
  return gw && gw->isSigned && (!gw->axis || *gw->axis == 0) &&
         llvm::all_of(gw->zeroPoints, [](float z) { return z == 0.0f; }) &&
         plan.isConstant(weight.getDefiningOp<FakeQuantOp>().getInput());
}

static LogicalResult addExactLayer(ExecutionPlan &plan, Operation *op,
                                   Value input, Value weight, Value bias,
                                   qrt::exec::ExactLayer p) {
  std::optional<FrozenGrid> gx = frozenGrid(input), gw = frozenGrid(weight);
  if (!gx || gx->axis || gx->scales.size() != 1 ||
      !isExactWeight(plan, weight, gw) || (bias && !plan.isConstant(bias)))
    return failure();
  std::vector<float> accScale;
  for (float s : gw->scales)
    accScale.push_back((float)((double)gx->scales[0] * (double)s));
  p.x = quantGridOf(*gx);
  p.w = quantGridOf(*gw);
  p.accScale = qrt::exec::f32(accScale);
  p.rank = cast<RankedTensorType>(op->getResult(0).getType()).getRank();
  plan.addCall(op,
               isa<Conv2dOp>(op) ? qrt::exec::step::exact_conv2d
                                 : qrt::exec::step::exact_linear,
               {input, weight, bias}, {op->getResult(0)}, std::move(p));
  return success();
}

/// The conv -> [add] -> [relu] -> [pad] -> fake_quant chain of `conv` as one
/// requantized int8 layer; fails, adding nothing, when it is not one.
static LogicalResult addFusedConvLayer(ExecutionPlan &plan, Conv2dOp conv) {
  std::optional<FrozenGrid> gx = frozenGrid(conv.getInput()),
                            gw = frozenGrid(conv.getWeight());
  Value bias = conv.getBias();
  if (!gx || gx->axis || gx->scales.size() != 1 ||
      !isExactWeight(plan, conv.getWeight(), gw) ||
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
        // A non-uniform quantizer's output has a grid, but it is not a
        // requantization of the accumulator.
        auto fq = dyn_cast<FakeQuantOp>(op);
        if (!fq || fq.getMethod() == QuantMethod::NonUniform)
          return false;
        std::optional<FrozenGrid> g = perTensor(op->getResult(0));
        if (g)
          *isSigned = g->isSigned;
        return g.has_value();
      },
      [&](Value v, bool isSigned) {
        std::optional<FrozenGrid> g = perTensor(v);
        return g && g->isSigned == isSigned;
      });
  if (!chain)
    return failure();
  FrozenGrid fx = *gx, fw = *gw, fy = *perTensor(chain->result());
  std::optional<FrozenGrid> fr;
  if (chain->add)
    fr = perTensor(chain->residual);

  qrt::exec::FusedConvLayer p;
  qrt::Int8Epilogue &e = p.epilogue;
  for (float sw : fw.scales)
    e.multipliers.push_back(
        qrt::requant::multiplier(fx.scales[0], sw, fy.scales[0]));
  e.outputZeroPoint = (int32_t)fy.zeroPoints[0];
  e.outputDType = storageDType(fy);
  e.qmin = (int32_t)fy.qmin;
  e.qmax = (int32_t)fy.qmax;
  e.relu = (bool)chain->relu;
  if (fr) {
    e.residual = true;
    e.residualDType = storageDType(*fr);
    e.residualScale = qrt::requant::residualScale(fr->scales[0], fy.scales[0]);
    e.residualZeroPoint = (int32_t)fr->zeroPoints[0];
    p.residual = quantGridOf(*fr);
  }
  if (chain->pad)
    p.pads.assign(chain->pad.getPads().begin(), chain->pad.getPads().end());
  p.conv = convParams(conv.getStrides(), conv.getDilations(), conv.getPads(),
                      conv.getGroups());
  p.x = quantGridOf(fx);
  p.w = quantGridOf(fw);
  p.y = quantGridOf(fy);
  for (Operation *op : {chain->add.getOperation(), chain->relu.getOperation(),
                        chain->pad.getOperation(), chain->quantizer})
    if (op)
      plan.absorb(op);
  plan.addCall(conv, qrt::exec::step::fused_conv2d_layer,
               {conv.getInput(), conv.getWeight(), bias,
                fr ? chain->residual : Value()},
               {chain->result()}, std::move(p));
  return success();
}

LogicalResult qopt::lowerExactQuantizedLayer(ExecutionPlan &plan,
                                             Operation *op) {
  if (auto conv = dyn_cast<Conv2dOp>(op)) {
    if (succeeded(addFusedConvLayer(plan, conv)))
      return success();
    qrt::exec::ExactLayer p;
    p.conv = convParams(conv.getStrides(), conv.getDilations(), conv.getPads(),
                        conv.getGroups());
    return addExactLayer(plan, op, conv.getInput(), conv.getWeight(),
                         conv.getBias(), std::move(p));
  }
  if (auto linear = dyn_cast<LinearOp>(op)) {
    if (cast<RankedTensorType>(linear.getType()).getRank() != 2)
      return failure();
    return addExactLayer(plan, op, linear.getInput(), linear.getWeight(),
                         linear.getBias(), qrt::exec::ExactLayer());
  }
  return failure();
}
