//===- QuantSteps.cpp - fake_quant to qrt quantizer kernels ---------------===//

#include "codegen/Lowerings.h"
#include "dialect/QnnOps.h"

#include "runtime/Exec.h"

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

qrt::exec::FakeQuantKind qopt::fakeQuantKind(QuantMethod method,
                                             bool weight) {
  using K = qrt::exec::FakeQuantKind;
  switch (method) {
  case QuantMethod::Uniform:
    return K::Affine;
  case QuantMethod::Lsq:
    return K::Lsq;
  case QuantMethod::LsqPlus:
    return K::LsqPlus;
  case QuantMethod::Pact:
    return K::Pact;
  case QuantMethod::Dorefa:
    return weight ? K::DorefaWeight : K::DorefaActivation;
  case QuantMethod::Xnor:
    return weight ? K::XnorWeight : K::SignActivation;
  case QuantMethod::XnorPlusPlus:
    return K::XnorPlusPlus;
  case QuantMethod::Lqnet:
    return K::Lqnet;
  case QuantMethod::NonUniform:
    return K::NonUniform;
  case QuantMethod::Adaround:
    return K::Adaround;
  }
  llvm_unreachable("unknown fake_quant method");
}

qrt::WeightNorm qopt::weightNormOf(Adaptive adaptive) {
  switch (adaptive) {
  case Adaptive::None:
    return qrt::WeightNorm::None;
  case Adaptive::Mean:
    return qrt::WeightNorm::Mean;
  case Adaptive::VarMean:
    return qrt::WeightNorm::VarMean;
  }
  llvm_unreachable("unknown adaptive normalization");
}

static LogicalResult lowerFakeQuant(ExecutionPlan &plan, FakeQuantOp op) {
  qrt::exec::FakeQuantParams p;
  p.adaptive = weightNormOf(op.getAdaptive());
  p.kind = fakeQuantKind(op.getMethod(), op.getRole() == QuantRole::Weight);
  p.bits = op.getBits();
  p.isSigned = !op.getHalfRange();
  p.range = qrt::QuantRange::fromBits(p.bits, p.isSigned, op.getNarrow());
  p.axis = op.getAxis().value_or(-1);
  p.groups = op.getGroups().value_or(-1);
  // The hardened rounding is what is deployed; reconstruction steps
  // evaluate the relaxed one they optimize.
  p.hardened = !op.getRelaxed();
  plan.addCall(op, qrt::exec::step::fake_quant,
               {op.getInput(), op.getScale(), op.getZeroPoint(), op.getClip(),
                op.getBasis(), op.getOffset()},
               {op.getResult()}, p);
  return success();
}

static qrt::exec::ObserverKind observerKind(ObserverKind kind) {
  using K = qrt::exec::ObserverKind;
  switch (kind) {
  case ObserverKind::MinMax:
    return K::MinMax;
  case ObserverKind::EmaMinMax:
    return K::EmaMinMax;
  case ObserverKind::Percentile:
    return K::Percentile;
  case ObserverKind::Mse:
    return K::Mse;
  case ObserverKind::AvgMse:
    return K::AvgMse;
  case ObserverKind::Entropy:
    return K::Entropy;
  case ObserverKind::LsqInit:
    return K::LsqInit;
  }
  llvm_unreachable("unknown observer kind");
}

/// An observer step: updates the observer, passes the input through. The
/// observer's granularity is fixed at the first batch (dim(axis) may be
/// dynamic in the type).
static LogicalResult lowerObserve(ExecutionPlan &plan, ObserveOp op) {
  if (!op.getName())
    return op.emitError("an observer needs a name to report its "
                        "result under");
  plan.aliasSlot(op.getResult(), op.getInput());
  qrt::exec::ObserveParams p;
  p.name = op.getName()->str();
  p.kind = observerKind(op.getKind());
  p.bits = op.getBits();
  p.isSigned = !op.getHalfRange();
  p.symmetric = op.getSymmetric();
  p.narrow = op.getNarrow();
  p.momentum = op.getMomentum().convertToDouble();
  p.percentile = op.getPercentile().convertToDouble();
  p.norm = op.getNorm().convertToDouble();
  p.axis = op.getAxis().value_or(-1);
  p.groups = op.getGroups().value_or(-1);
  plan.addObserver(p.name);
  plan.addCall(op, qrt::exec::step::observe, {op.getInput()}, {}, p);
  return success();
}

LogicalResult qopt::lowerQuantOp(ExecutionPlan &plan, Operation *op,
                                 bool &handled) {
  handled = true;
  if (auto fq = dyn_cast<FakeQuantOp>(op))
    return lowerFakeQuant(plan, fq);
  if (auto observe = dyn_cast<ObserveOp>(op))
    return lowerObserve(plan, observe);
  handled = false;
  return success();
}
