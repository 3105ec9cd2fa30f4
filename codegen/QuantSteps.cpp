//===- QuantSteps.cpp - fake_quant to qrt quantizer kernels ---------------===//

#include "codegen/Lowerings.h"
#include "dialect/QnnOps.h"

#include "runtime/FakeQuant.h"
#include "runtime/Observer.h"

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

/// The forward of one fake_quant method over its operands.
using QuantFn = std::function<qrt::Status(
    const qrt::Tensor &x, const qrt::Tensor *params[5], qrt::Granularity g,
    qrt::Tensor &y)>;

/// A scalar parameter (DoReFa's clip): its only element.
static float scalarOf(const qrt::Tensor *t, float fallback) {
  return t && t->defined() && t->numel() == 1 ? t->data<float>()[0] : fallback;
}

static FailureOr<QuantFn> quantFnFor(FakeQuantOp op) {
  int bits = op.getBits();
  bool isSigned = !op.getHalfRange();
  qrt::QuantRange range = qrt::QuantRange::fromBits(bits, isSigned, op.getNarrow());
  bool weight = op.getRole() == QuantRole::Weight;
  enum { kScale, kZeroPoint, kClip, kBasis, kOffset };
  switch (op.getMethod()) {
  case QuantMethod::Uniform:
    return QuantFn([=](auto &x, auto p, auto g, auto &y) {
      return qrt::fakeQuantAffine(x, *p[kScale], *p[kZeroPoint], range, g, y);
    });
  case QuantMethod::Lsq:
    return QuantFn([=](auto &x, auto p, auto g, auto &y) {
      return qrt::lsqForward(x, *p[kScale], -range.qmin, range.qmax, g, y);
    });
  case QuantMethod::LsqPlus:
    return QuantFn([=](auto &x, auto p, auto g, auto &y) {
      return qrt::lsqPlusForward(x, *p[kScale], *p[kZeroPoint], -range.qmin,
                                 range.qmax, g, y);
    });
  case QuantMethod::Pact:
    return QuantFn([=](auto &x, auto p, auto g, auto &y) {
      return qrt::pactForward(x, *p[kClip], bits, g, y);
    });
  case QuantMethod::Dorefa:
    if (weight)
      return QuantFn([=](auto &x, auto, auto g, auto &y) {
        return qrt::dorefaWeight(x, bits, g, y);
      });
    return QuantFn([=](auto &x, auto p, auto, auto &y) {
      return qrt::dorefaActivation(x, scalarOf(p[kClip], 1.0f), bits, y);
    });
  case QuantMethod::Xnor:
    if (weight)
      return QuantFn([=](auto &x, auto, auto g, auto &y) {
        return qrt::xnorWeight(x, g, y);
      });
    return QuantFn(
        [=](auto &x, auto, auto, auto &y) { return qrt::signActivation(x, y); });
  case QuantMethod::XnorPlusPlus:
    return QuantFn([=](auto &x, auto p, auto g, auto &y) {
      return qrt::xnorWeightScaled(x, *p[kScale], g, y);
    });
  case QuantMethod::Lqnet:
    return QuantFn([=](auto &x, auto p, auto g, auto &y) -> qrt::Status {
      qrt::Expected<qrt::Tensor> basis = lqBasisRows(*p[kBasis], g);
      if (!basis)
        return basis.status();
      return qrt::lqnetForward(x, *basis, isSigned, g, y);
    });
  case QuantMethod::NonUniform:
    return QuantFn([=](auto &x, auto p, auto, auto &y) {
      return qrt::nonUniformForward(x, *p[kClip], y);
    });
  case QuantMethod::Adaround: {
    // The hardened rounding is what is deployed; reconstruction steps
    // evaluate the relaxed one they optimize.
    bool hardened = !op.getRelaxed();
    return QuantFn([=](auto &x, auto p, auto g, auto &y) {
      qrt::Tensor zero;
      const qrt::Tensor &z = p[kZeroPoint] ? *p[kZeroPoint] : zero;
      return qrt::adaroundForward(x, *p[kScale], z, *p[kOffset], range, g,
                                  hardened, y);
    });
  }
  }
  return failure();
}

static LogicalResult lowerFakeQuant(ExecutionPlan &plan, FakeQuantOp op) {
  if (op.getAdaptive() != Adaptive::None)
    return op.emitError("qrun: adaptive normalization is not supported by the "
                        "interpreter yet");
  FailureOr<QuantFn> fn = quantFnFor(op);
  if (failed(fn))
    return op.emitError("qrun: unsupported fake_quant method");
  unsigned x = plan.slotOf(op.getInput()), y = plan.slotOf(op.getResult());
  QuantParamSlots params = QuantParamSlots::of(plan, op);
  plan.addStep(op, [=, fn = *fn](Frame &f) {
    const qrt::Tensor &in = f[x];
    qrt::Granularity g = params.granularity(in);
    const qrt::Tensor *p[5];
    params.bind(f, p);
    // Every method's output has the input's shape (f32).
    qrt::Tensor out = in.dtype() == qrt::DType::F32
                          ? f.output(in.shape(), qrt::DType::F32)
                          : qrt::Tensor();
    qrt::Status s = fn(in, p, g, out);
    f[y] = std::move(out);
    return s;
  });
  return success();
}

/// A factory for the op's observer, given the granularity known at run time.
/// It captures attribute values only: the plan must not keep the op alive.
static std::function<std::unique_ptr<qrt::Observer>(qrt::QuantSpec)>
observerFactory(ObserveOp op) {
  float momentum = op.getMomentum().convertToDouble();
  double percentile = op.getPercentile().convertToDouble();
  float norm = op.getNorm().convertToDouble();
  switch (op.getKind()) {
  case ObserverKind::MinMax:
    return [](qrt::QuantSpec s) { return qrt::makeMinMaxObserver(s); };
  case ObserverKind::EmaMinMax:
    // qnn's momentum weighs the running value; qrt's constant the new batch.
    return [=](qrt::QuantSpec s) {
      return qrt::makeMovingAverageMinMaxObserver(s, 1.0f - momentum);
    };
  case ObserverKind::Percentile:
    return [=](qrt::QuantSpec s) {
      return qrt::makePercentileObserver(s, percentile);
    };
  case ObserverKind::Mse:
    return [=](qrt::QuantSpec s) { return qrt::makeMseObserver(s, norm); };
  case ObserverKind::AvgMse:
    return [=](qrt::QuantSpec s) {
      return qrt::makeMseObserver(s, norm, 80, 0.01f, /*averaged=*/true);
    };
  case ObserverKind::Entropy:
    return [](qrt::QuantSpec s) { return qrt::makeEntropyObserver(s); };
  case ObserverKind::LsqInit:
    return [](qrt::QuantSpec s) { return qrt::makeLsqInitObserver(s); };
  }
  return nullptr;
}

/// An observer step: updates the observer, passes the input through. The
/// observer's granularity is fixed at the first batch (dim(axis) may be
/// dynamic in the type).
static LogicalResult lowerObserve(ExecutionPlan &plan, ObserveOp op) {
  if (!op.getName())
    return op.emitError("qrun: an observer needs a name to report its "
                        "result under");
  unsigned x = plan.slotOf(op.getInput());
  plan.aliasSlot(op.getResult(), op.getInput());
  qrt::QuantSpec spec;
  spec.bits = op.getBits();
  spec.isSigned = !op.getHalfRange();
  spec.symmetric = op.getSymmetric();
  spec.narrowRange = op.getNarrow();
  auto slot = plan.addObserver(op.getName()->str());
  std::optional<int64_t> axis = op.getAxis(), groups = op.getGroups();
  auto make = observerFactory(op);
  plan.addStep(op, [=](Frame &f) -> qrt::Status {
    const qrt::Tensor &in = f[x];
    if (!*slot) {
      qrt::QuantSpec s = spec;
      s.granularity = granularityOf(axis, groups, in);
      *slot = make(s);
    }
    return (*slot)->update(in);
  });
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
