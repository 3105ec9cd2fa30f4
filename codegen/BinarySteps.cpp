//===- BinarySteps.cpp - binarized convs as packed XNOR / popcount steps --===//
//
// A conv2d whose input is binarized by an xnor activation quantizer (sign)
// and whose weight is a constant binary weight, scale[o] * sign(w), computes
// by definition scale[o] * (integer +-1 dot product). Such a conv runs as
// one binary_conv2d step (runtime/BinaryConv.h): signs packed 64 to a word
// along the input channels, K - 2 popcount(a XOR w), one float multiply by
// scale[o], the float bias. Binary weights are:
//  - xnor / xnor_plus_plus fake_quants of a constant (alpha = mean|w|, or a
//    constant gamma), evaluated here with qrt's own quantizer;
//  - a frozen uniform / LSQ fake_quant of a constant whose levels are all
//    +-1 (the 2-bit narrow grid that qnn-fold-batch-norm folds a trained
//    binary weight into);
//  - the dequantize of such levels stored as i8 (qnn-lower-to-integer's
//    form of that grid).
// The frozen fake-quant graph and its integer lowering both keep the xnor
// activation quantizer, so both run this step and compute the same bits.
//
// The sign's own step is skipped when the conv is its only user; so is a
// zero pad before it (the policy's pad-then-quantize: the padded zeros read
// as +1, BinaryPad::PlusOne), and the weight's quantizer / dequantize when
// every user is such a conv (the step reads the constant's signs).
//
//===----------------------------------------------------------------------===//

#include "analysis/FrozenGrid.h"
#include "analysis/FusedLayer.h"
#include "codegen/Lowerings.h"
#include "dialect/Constants.h"
#include "dialect/QnnOps.h"

#include "runtime/Exec.h"
#include "runtime/FakeQuant.h"
#include "runtime/QuantMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

namespace {
struct BinaryConvMatch {
  Value input;      // the f32 tensor whose signs are the conv's input
  FakeQuantOp sign; // the activation quantizer, if its step is skipped
  PadOp pad;        // a zero pad before the sign, folded into the conv
  SmallVector<int64_t, 4> pads; // top, left, bottom, right
  qrt::xnor::BinaryPad padKind = qrt::xnor::BinaryPad::Zero;
  Value weight;             // the constant whose signs are the weights
  std::vector<float> scale; // per output channel
};
} // namespace

static qrt::Tensor tensorOf(ArrayRef<float> v, ArrayRef<int64_t> shape) {
  return qrt::Tensor::fromVector<float>(qrt::Shape(shape.begin(), shape.end()),
                                        std::vector<float>(v.begin(), v.end()));
}

/// scale[o] such that wq[o, i] == scale[o] * sign(w[o, i]) for every i, or
/// nothing when wq is not binary.
static std::optional<std::vector<float>>
binaryScales(ArrayRef<float> w, const qrt::Tensor &wq, int64_t outChannels) {
  const float *q = wq.data<float>();
  int64_t inner = (int64_t)w.size() / outChannels;
  std::vector<float> scale(outChannels);
  for (int64_t o = 0; o < outChannels; ++o) {
    float s = q[o * inner] * qrt::qmath::signBinary(w[o * inner]);
    if (!std::isfinite(s))
      return std::nullopt;
    for (int64_t i = o * inner; i < (o + 1) * inner; ++i)
      if (q[i] != s * qrt::qmath::signBinary(w[i]))
        return std::nullopt;
    scale[o] = s;
  }
  return scale;
}

/// The binary weight behind `v` (see the file comment): the constant whose
/// signs it has and its per-output-channel scales.
static std::optional<std::pair<Value, std::vector<float>>>
binaryWeight(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getRank() != 4)
    return std::nullopt;
  int64_t oc = type.getDimSize(0);
  if (auto fq = v.getDefiningOp<FakeQuantOp>()) {
    if (fq.getRole() != QuantRole::Weight || fq.getAdaptive() != Adaptive::None)
      return std::nullopt;
    std::optional<SmallVector<float>> w = readF32Constant(fq.getInput());
    if (!w)
      return std::nullopt;
    qrt::Tensor wt = tensorOf(*w, type.getShape()), wq;
    qrt::Granularity g = qrt::exec::granularityOf(
        fq.getAxis().value_or(-1), fq.getGroups().value_or(-1), wt);
    qrt::Status s;
    switch (fq.getMethod()) {
    case QuantMethod::Xnor:
      s = qrt::xnorWeight(wt, g, wq);
      break;
    case QuantMethod::XnorPlusPlus: {
      std::optional<SmallVector<float>> gamma = readF32Constant(fq.getScale());
      if (!gamma)
        return std::nullopt;
      s = qrt::xnorWeightScaled(wt, tensorOf(*gamma, {(int64_t)gamma->size()}),
                                g, wq);
      break;
    }
    case QuantMethod::Uniform:
    case QuantMethod::Lsq: {
      std::string why;
      FailureOr<FrozenGrid> grid = FrozenGrid::of(fq, why);
      if (failed(grid) || grid->qmax - grid->qmin > 3)
        return std::nullopt;
      int64_t n = (int64_t)grid->scales.size();
      qrt::Tensor st = tensorOf(grid->scales, {n});
      qrt::QuantRange r{(float)grid->qmin, (float)grid->qmax};
      s = fq.getMethod() == QuantMethod::Uniform
              ? qrt::fakeQuantAffine(wt, st, tensorOf(grid->zeroPoints, {n}), r,
                                     g, wq)
              : qrt::lsqForward(wt, st, -r.qmin, r.qmax, g, wq);
      break;
    }
    default:
      return std::nullopt;
    }
    if (!s)
      return std::nullopt;
    std::optional<std::vector<float>> scale = binaryScales(*w, wq, oc);
    if (!scale)
      return std::nullopt;
    return std::make_pair(fq.getInput(), std::move(*scale));
  }
  // dequantize(storage_cast(i8 levels +-1)), zero points 0, per tensor or
  // per output channel.
  auto deq = v.getDefiningOp<DequantizeOp>();
  auto scast =
      deq ? deq.getInput().getDefiningOp<quant::StorageCastOp>() : nullptr;
  DenseIntElementsAttr ints;
  if (!scast || !matchPattern(scast.getInput(), m_Constant(&ints)) ||
      !ints.getElementType().isInteger(8))
    return std::nullopt;
  auto qtype = dyn_cast<quant::QuantizedType>(
      cast<RankedTensorType>(scast.getType()).getElementType());
  std::string why;
  FailureOr<FrozenGrid> grid =
      qtype ? FrozenGrid::of(qtype, why) : FailureOr<FrozenGrid>(failure());
  if (failed(grid) || (grid->axis && *grid->axis != 0) ||
      llvm::any_of(grid->zeroPoints, [](float z) { return z != 0.f; }))
    return std::nullopt;
  for (APInt level : ints.getValues<APInt>())
    if (int64_t l = level.getSExtValue(); l != 1 && l != -1)
      return std::nullopt;
  std::vector<float> scale(oc);
  for (int64_t o = 0; o < oc; ++o)
    scale[o] = grid->scales[grid->scales.size() == 1 ? 0 : o];
  return std::make_pair(scast.getInput(), std::move(scale));
}

static std::optional<BinaryConvMatch> matchBinaryConv(Conv2dOp conv) {
  auto sign = conv.getInput().getDefiningOp<FakeQuantOp>();
  if (!sign || sign.getMethod() != QuantMethod::Xnor ||
      sign.getRole() != QuantRole::Activation ||
      sign.getAdaptive() != Adaptive::None)
    return std::nullopt;
  auto inType = cast<RankedTensorType>(conv.getInput().getType());
  if (inType.getRank() != 4 || !inType.getElementType().isF32())
    return std::nullopt;
  Value bias = conv.getBias();
  if (bias && !readF32Constant(bias))
    return std::nullopt;
  std::optional<std::pair<Value, std::vector<float>>> w =
      binaryWeight(conv.getWeight());
  if (!w)
    return std::nullopt;
  BinaryConvMatch m;
  m.weight = w->first;
  m.scale = std::move(w->second);
  m.input = sign.getResult();
  m.pads.assign(conv.getPads().begin(), conv.getPads().end());
  if (sign.getResult().hasOneUse()) {
    m.sign = sign;
    m.input = sign.getInput();
    auto pad = m.input.getDefiningOp<PadOp>();
    if (pad && isSpatialZeroPad(pad) && pad.getResult().hasOneUse() &&
        llvm::all_of(pad.getPads(), [](int64_t p) { return p >= 0; }) &&
        llvm::all_of(m.pads, [](int64_t p) { return p == 0; })) {
      ArrayRef<int64_t> p = pad.getPads();
      m.pad = pad;
      m.input = pad.getInput();
      m.pads = {p[2], p[3], p[6], p[7]};
      m.padKind = qrt::xnor::BinaryPad::PlusOne;
    }
  }
  return m;
}

LogicalResult qopt::lowerBinaryConv(ExecutionPlan &plan, Conv2dOp conv) {
  // CUDA has no binary_conv2d: there the conv runs as the float conv over
  // +-1 that the graph states (the CPU step computes the same values).
  if (plan.target() != Target::Cpu)
    return failure();
  std::optional<BinaryConvMatch> m = matchBinaryConv(conv);
  if (!m)
    return failure();
  qrt::exec::BinaryConvParams p;
  p.conv = convParams(conv.getStrides(), conv.getDilations(), m->pads,
                      conv.getGroups());
  p.pad = m->padKind;
  p.scale = qrt::exec::f32(m->scale);
  plan.addCall(conv, qrt::exec::step::binary_conv2d,
               {m->input, m->weight, conv.getBias()}, {conv.getResult()},
               std::move(p));
  return success();
}

/// True when every use of `v` is the weight of a conv that runs as a
/// binary_conv2d step (which reads the weight's constant instead).
static bool onlyBinaryConvWeight(Value v) {
  if (v.use_empty())
    return false;
  for (OpOperand &use : v.getUses()) {
    auto conv = dyn_cast<Conv2dOp>(use.getOwner());
    if (!conv || use.getOperandNumber() != 1 || !matchBinaryConv(conv))
      return false;
  }
  return true;
}

bool qopt::computedByBinaryConv(Operation *op) {
  auto soleConv = [](Value v) -> Conv2dOp {
    return v.hasOneUse() ? dyn_cast<Conv2dOp>(*v.getUsers().begin())
                         : Conv2dOp();
  };
  if (auto pad = dyn_cast<PadOp>(op)) {
    if (!pad.getResult().hasOneUse())
      return false;
    auto sign = dyn_cast<FakeQuantOp>(*pad.getResult().getUsers().begin());
    Conv2dOp conv = sign ? soleConv(sign.getResult()) : Conv2dOp();
    std::optional<BinaryConvMatch> m =
        conv ? matchBinaryConv(conv) : std::nullopt;
    return m && m->pad == pad;
  }
  if (auto fq = dyn_cast<FakeQuantOp>(op)) {
    if (fq.getRole() == QuantRole::Weight)
      return onlyBinaryConvWeight(fq.getResult());
    Conv2dOp conv = soleConv(fq.getResult());
    std::optional<BinaryConvMatch> m =
        conv ? matchBinaryConv(conv) : std::nullopt;
    return m && m->sign == fq;
  }
  if (auto deq = dyn_cast<DequantizeOp>(op))
    return onlyBinaryConvWeight(deq.getResult());
  if (auto scast = dyn_cast<quant::StorageCastOp>(op))
    return !scast.getResult().use_empty() &&
           llvm::all_of(scast.getResult().getUsers(), [](Operation *user) {
             return isa<DequantizeOp>(user) && computedByBinaryConv(user);
           });
  return false;
}
