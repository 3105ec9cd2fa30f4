//===- LqSteps.cpp - LQ-Nets layers as integer code-plane steps -----------===//
//
// A conv2d / linear whose input is quantized by a frozen LQ-Nets activation
// quantizer (a constant basis, per tensor) and whose weight is a frozen
// LQ-Nets weight quantizer of a constant (a constant basis per tensor or per
// group of output channels) computes Σ_i Σ_j v^w_i v^a_j conv(E^w_i, E^a_j):
// one lq_conv2d / lq_linear step (runtime/LqLayer.h) convolves the code
// planes in integers and combines them in a fixed order. The frozen
// fake-quant graph and its integer lowering (qnn-lower-to-integer keeps
// LQ-Nets quantizers as they are) both run this step, so they compute the
// same bits, in qrun and in qemit's programs alike. The step encodes its
// input from the activation quantizer's input, so that quantizer gets no
// step of its own when the layer is its only user; nor does the weight's
// quantizer when every user is such a layer (the step reads its constant).
// The conv's own zero padding (`padding_after_quant`) pads the code planes
// with 0, which contributes 0 to every term, as the zero it stands for;
// the policy's default pad-then-quantize is a qnn.pad before the quantizer
// and encodes its zeros like any value.
//
// The step has no CUDA kernel (runtime/cuda/Kernels.def): qemit --target
// cuda refuses such a function, naming the layer.
//
//===----------------------------------------------------------------------===//

#include "codegen/Lowerings.h"
#include "dialect/QnnOps.h"

#include "runtime/Exec.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

namespace {
struct LqLayerMatch {
  FakeQuantOp input, weight;
  FlattenOp flatten; // a linear's flatten (axis 1) of the quantized input
};
} // namespace

static bool isConstant(Value v) { return v && matchPattern(v, m_Constant()); }

/// A frozen LQ-Nets quantizer of `role` producing `v`. A weight's
/// `adaptive` normalization is the step's (qnn-lower-to-integer folds it
/// into the constant with the same kernel, so both graphs encode the same
/// values).
static FakeQuantOp frozenLq(Value v, QuantRole role) {
  auto fq = v.getDefiningOp<FakeQuantOp>();
  if (!fq || fq.getMethod() != QuantMethod::Lqnet || fq.getRole() != role ||
      (role != QuantRole::Weight && fq.getAdaptive() != Adaptive::None) ||
      !isConstant(fq.getBasis()) ||
      !cast<RankedTensorType>(fq.getInput().getType())
           .getElementType()
           .isF32())
    return {};
  return fq;
}

static std::optional<LqLayerMatch> matchLqLayer(Operation *op) {
  Value input, weight, bias;
  if (auto conv = dyn_cast<Conv2dOp>(op)) {
    input = conv.getInput();
    weight = conv.getWeight();
    bias = conv.getBias();
  } else if (auto linear = dyn_cast<LinearOp>(op)) {
    if (cast<RankedTensorType>(linear.getType()).getRank() != 2)
      return std::nullopt;
    input = linear.getInput();
    weight = linear.getWeight();
    bias = linear.getBias();
  } else {
    return std::nullopt;
  }
  LqLayerMatch m;
  // A flatten to [N, C] between the quantizer and a linear: the step encodes
  // the unflattened input (elementwise, one basis) and reads its planes as
  // [N K_a, C].
  if (auto flatten = input.getDefiningOp<FlattenOp>();
      flatten && isa<LinearOp>(op) && flatten.getAxis() == 1) {
    m.flatten = flatten;
    input = flatten.getInput();
  }
  m.input = frozenLq(input, QuantRole::Activation);
  m.weight = frozenLq(weight, QuantRole::Weight);
  if (!m.input || !m.weight || m.input.getAxis() ||
      !isConstant(m.weight.getInput()) || (bias && !isConstant(bias)))
    return std::nullopt;
  std::optional<int64_t> axis = m.weight.getAxis();
  if (axis && *axis != 0)
    return std::nullopt;
  return m;
}

/// True when every user of the weight quantizer `fq` is an LQ-Nets layer
/// reading it as its weight.
static bool computedWeight(FakeQuantOp fq) {
  if (fq.getRole() != QuantRole::Weight || fq.getResult().use_empty())
    return false;
  return llvm::all_of(fq.getResult().getUses(), [&](OpOperand &use) {
    std::optional<LqLayerMatch> m = matchLqLayer(use.getOwner());
    return m && m->weight == fq && use.getOperandNumber() == 1;
  });
}

LogicalResult qopt::lowerLqLayer(ExecutionPlan &plan, Operation *op) {
  std::optional<LqLayerMatch> m = matchLqLayer(op);
  if (!m)
    return failure();
  qrt::exec::LqLayer p;
  auto conv = dyn_cast<Conv2dOp>(op);
  if (conv)
    p.conv = convParams(conv.getStrides(), conv.getDilations(), conv.getPads(),
                        conv.getGroups());
  p.inputSigned = !m->input.getHalfRange();
  p.adaptive = weightNormOf(m->weight.getAdaptive());
  p.weightSigned = !m->weight.getHalfRange();
  if (m->weight.getAxis())
    p.weightGroups =
        m->weight.getGroups().value_or(
            cast<RankedTensorType>(m->weight.getType()).getDimSize(0));
  Value bias = conv ? conv.getBias() : cast<LinearOp>(op).getBias();
  plan.addCall(op,
               conv ? qrt::exec::step::lq_conv2d : qrt::exec::step::lq_linear,
               {m->input.getInput(), m->weight.getInput(), bias,
                m->weight.getBasis(), m->input.getBasis()},
               {op->getResult(0)}, std::move(p));
  return success();
}

bool qopt::computedByLqLayer(Operation *op) {
  if (op->getNumResults() != 1 || !op->getResult(0).hasOneUse())
    return isa<FakeQuantOp>(op) && computedWeight(cast<FakeQuantOp>(op));
  Operation *user = *op->getResult(0).getUsers().begin();
  if (auto flatten = dyn_cast<FlattenOp>(op)) {
    std::optional<LqLayerMatch> m = matchLqLayer(user);
    return m && m->flatten == flatten;
  }
  auto fq = dyn_cast<FakeQuantOp>(op);
  if (!fq)
    return false;
  if (fq.getRole() == QuantRole::Weight)
    return computedWeight(fq);
  // The input's quantizer is skipped only when the layer (or the flatten
  // before it) is its only user.
  if (isa<FlattenOp>(user) && user->getResult(0).hasOneUse())
    user = *user->getResult(0).getUsers().begin();
  std::optional<LqLayerMatch> m = matchLqLayer(user);
  return m && m->input == fq;
}
