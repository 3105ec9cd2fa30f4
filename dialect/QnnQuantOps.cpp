//===- QnnQuantOps.cpp - fake_quant and observe verifiers -----------------===//

#include "dialect/QnnOps.h"
#include "dialect/VerifyUtils.h"

using namespace mlir;
using namespace qopt::qnn;

static constexpr int64_t kMaxBits = 16;

static LogicalResult verifyBits(Operation *op, int64_t bits) {
  if (bits < 1 || bits > kMaxBits)
    return op->emitOpError("bits must be in [1, ")
           << kMaxBits << "], got " << bits;
  return success();
}

static LogicalResult verifyAxis(Operation *op, std::optional<int64_t> axis,
                                int64_t rank) {
  if (axis && (*axis < 0 || *axis >= rank))
    return op->emitOpError("axis ")
           << *axis << " is out of range for an input of rank " << rank;
  return success();
}

/// `groups` (model-quantization's quant_group) splits the channels along
/// `axis` into equal contiguous groups.
static LogicalResult verifyGroups(Operation *op, RankedTensorType type,
                                  std::optional<int64_t> axis,
                                  std::optional<int64_t> groups) {
  if (!groups)
    return success();
  if (!axis)
    return op->emitOpError("groups needs an axis to group along");
  int64_t dim = type.getDimSize(*axis);
  if (*groups < 1)
    return op->emitOpError("groups must be positive, got ") << *groups;
  if (!ShapedType::isDynamic(dim) && dim % *groups != 0)
    return op->emitOpError("groups (")
           << *groups << ") must divide the " << dim << " channels along axis "
           << *axis;
  return success();
}

//===----------------------------------------------------------------------===//
// fake_quant
//===----------------------------------------------------------------------===//

namespace {
/// The parameter operands, as bits for the per-method tables below.
enum Param : unsigned {
  kScale = 1,
  kZeroPoint = 2,
  kClip = 4,
  kBasis = 8,
  kOffset = 16,
};

struct MethodRule {
  unsigned required; // operands the method cannot work without
  unsigned allowed;  // operands it reads at all (a superset of required)
};
} // namespace

static MethodRule ruleFor(QuantMethod method) {
  switch (method) {
  case QuantMethod::Uniform:
    return {kScale | kZeroPoint, kScale | kZeroPoint};
  case QuantMethod::Lsq:
    return {kScale, kScale};
  case QuantMethod::LsqPlus:
    return {kScale | kZeroPoint, kScale | kZeroPoint};
  case QuantMethod::Pact:
    return {kClip, kClip};
  case QuantMethod::Dorefa:
    return {0, kClip};
  case QuantMethod::Lqnet:
    return {kBasis, kBasis};
  case QuantMethod::Xnor:
    return {0, 0};
  case QuantMethod::XnorPlusPlus:
    return {kScale, kScale};
  case QuantMethod::NonUniform:
    return {kClip, kClip};
  case QuantMethod::Adaround:
    return {kScale | kOffset, kScale | kZeroPoint | kOffset};
  }
  llvm_unreachable("unknown quant method");
}

bool qopt::qnn::isLearnedParam(QuantMethod method, QuantParam param) {
  switch (method) {
  case QuantMethod::Lsq:
  case QuantMethod::XnorPlusPlus:
    return param == QuantParam::Scale;
  case QuantMethod::LsqPlus:
    return param == QuantParam::Scale || param == QuantParam::ZeroPoint;
  case QuantMethod::Pact:
  case QuantMethod::NonUniform:
    return param == QuantParam::Clip;
  case QuantMethod::Adaround:
    return param == QuantParam::Offset;
  case QuantMethod::Uniform: // calibrated
  case QuantMethod::Dorefa:  // a fixed boundary
  case QuantMethod::Lqnet:   // fitted by least squares, not descended
  case QuantMethod::Xnor:
    return false;
  }
  llvm_unreachable("unknown quant method");
}

template <typename QuantizerOp>
static int64_t numParamSets(QuantizerOp op) {
  std::optional<int64_t> axis = op.getAxis();
  if (!axis)
    return 1;
  if (std::optional<int64_t> groups = op.getGroups())
    return *groups;
  return cast<RankedTensorType>(op.getInput().getType()).getDimSize(*axis);
}

int64_t FakeQuantOp::getNumParamSets() { return numParamSets(*this); }
int64_t FakeQuantGradOp::getNumParamSets() { return numParamSets(*this); }
int64_t LqnetBasisUpdateOp::getNumParamSets() { return numParamSets(*this); }

/// Checks a parameter's shape: per tensor a scalar or 1-element vector
/// (`inner` elements for a basis); per channel or group `sets` or
/// `sets x inner`.
template <typename QuantizerOp>
static LogicalResult verifyParamShape(QuantizerOp op, Value param,
                                      StringRef name, int64_t sets,
                                      int64_t inner) {
  auto type = cast<RankedTensorType>(param.getType());
  SmallVector<int64_t> want;
  bool ok;
  if (!op.getAxis()) {
    want.push_back(inner);
    ok = type.hasStaticShape() && type.getRank() <= 1 &&
         type.getNumElements() == inner;
  } else {
    want.push_back(sets);
    if (inner != 1)
      want.push_back(inner);
    ok = type.getRank() == (int64_t)want.size();
    for (int64_t d = 0; ok && d < type.getRank(); ++d)
      ok = !(ShapedType::isDynamic(type.getDimSize(d)) ||
             (!ShapedType::isDynamic(want[d]) && type.getDimSize(d) != want[d]));
  }
  if (ok)
    return success();
  auto diag = op.emitOpError(name) << " must have shape [";
  llvm::interleaveComma(want, diag, [&](int64_t d) {
    if (ShapedType::isDynamic(d))
      diag << "?";
    else
      diag << d;
  });
  diag << "]";
  if (op.getAxis())
    diag << " (one " << (inner != 1 ? "row" : "value") << " per "
         << (op.getGroups() ? "group" : "channel") << " along axis "
         << *op.getAxis() << ")";
  return diag << ", got " << type;
}

/// The rules of fake_quant, shared with fake_quant_grad (which takes the
/// same input, parameters and attributes).
template <typename QuantizerOp>
static LogicalResult verifyQuantizer(QuantizerOp op) {
  auto emitOpError = [&](const Twine &message) {
    return op.emitOpError(message);
  };
  auto getBits = [&] { return op.getBits(); };
  auto getRole = [&] { return op.getRole(); };
  auto getHalfRange = [&] { return op.getHalfRange(); };
  auto getNarrow = [&] { return op.getNarrow(); };
  auto getGradScale = [&] { return op.getGradScale(); };
  auto getAdaptive = [&] { return op.getAdaptive(); };
  auto getAxis = [&] { return op.getAxis(); };
  auto getGroups = [&] { return op.getGroups(); };
  Operation *self = op.getOperation();
  if (failed(verifyBits(self, getBits())))
    return failure();
  auto type = cast<RankedTensorType>(op.getInput().getType());
  if (failed(verifyAxis(self, getAxis(), type.getRank())))
    return failure();

  QuantMethod method = op.getMethod();
  StringRef methodName = stringifyQuantMethod(method);
  if ((method == QuantMethod::Xnor || method == QuantMethod::XnorPlusPlus) &&
      getBits() != 1)
    return emitOpError(methodName)
           << " is binary: bits must be 1, got " << getBits();
  if (method == QuantMethod::Pact && getRole() != QuantRole::Activation)
    return emitOpError("pact quantizes activations; use dorefa or lsq for "
                       "weights");
  if (method == QuantMethod::Adaround && getRole() != QuantRole::Weight)
    return emitOpError("adaround rounds weights; its role must be weight");
  if (getHalfRange() && getNarrow())
    return emitOpError("narrow applies to signed ranges; it cannot be "
                       "combined with half_range");
  if (getGradScale() != GradScale::None && method != QuantMethod::Lsq &&
      method != QuantMethod::LsqPlus)
    return emitOpError("grad_scale ")
           << stringifyGradScale(getGradScale())
           << " scales a learned step size and needs lsq or lsq_plus, not "
           << methodName;
  if (getAdaptive() != Adaptive::None && getRole() != QuantRole::Weight)
    return emitOpError("adaptive normalization applies to weights only");

  if (failed(verifyGroups(self, type, getAxis(), getGroups())))
    return failure();

  // Parameter operands: required, allowed, and shaped per parameter set.
  MethodRule rule = ruleFor(method);
  struct {
    Value value;
    Param bit;
    StringRef name;
  } params[] = {{op.getScale(), kScale, "scale"},
                {op.getZeroPoint(), kZeroPoint, "zero_point"},
                {op.getClip(), kClip, "clip"},
                {op.getBasis(), kBasis, "basis"},
                {op.getOffset(), kOffset, "offset"}};
  int64_t sets = op.getNumParamSets();
  for (auto &p : params) {
    if (!p.value && (rule.required & p.bit))
      return emitOpError(methodName) << " needs a " << p.name << " operand";
    if (p.value && !(rule.allowed & p.bit))
      return emitOpError(methodName) << " does not take a " << p.name
                                     << " operand";
    if (!p.value)
      continue;
    if (p.bit == kOffset) {
      if (p.value.getType() != type)
        return emitOpError("offset (AdaRound's V) must have the input's "
                           "type ")
               << type << ", got " << p.value.getType();
      continue;
    }
    // Non-uniform: one set of slopes for the tensor (the kernels'), any
    // number of ramps on a half range, two (below / above 0) for the
    // full-range ternary form (docs/semantics.md).
    if (method == QuantMethod::NonUniform) {
      if (getAxis())
        return emitOpError("non_uniform slopes are per tensor; it takes no "
                           "axis");
      auto clipType = cast<RankedTensorType>(p.value.getType());
      if (clipType.getRank() != 1 ||
          (!getHalfRange() && clipType.getDimSize(0) != 2))
        return emitOpError("non_uniform ")
               << (getHalfRange() ? "needs 1-D slopes"
                                  : "without half_range is ternary and "
                                    "needs 2 slopes (below and above 0)")
               << ", got " << clipType;
      continue;
    }
    int64_t inner = p.bit == kBasis ? getBits() : 1;
    if (failed(verifyParamShape(op, p.value, p.name, sets, inner)))
      return failure();
  }
  return success();
}

LogicalResult FakeQuantOp::verify() {
  if (getRelaxed() && getMethod() != QuantMethod::Adaround)
    return emitOpError("relaxed rounding is AdaRound's; method ")
           << stringifyQuantMethod(getMethod()) << " has none";
  return verifyQuantizer(*this);
}

LogicalResult FakeQuantGradOp::verify() { return verifyQuantizer(*this); }

LogicalResult LqnetBasisUpdateOp::verify() {
  if (failed(verifyBits(*this, getBits())))
    return failure();
  // qrt solves the K x K normal equations for K <= 8 (256 levels).
  if (getBits() > 8)
    return emitOpError("the LQ-Nets basis update supports bits <= 8, got ")
           << getBits();
  auto type = cast<RankedTensorType>(getInput().getType());
  if (failed(verifyAxis(*this, getAxis(), type.getRank())) ||
      failed(verifyGroups(*this, type, getAxis(), getGroups())))
    return failure();
  double momentum = getMomentum().convertToDouble();
  if (!(momentum >= 0.0 && momentum < 1.0))
    return emitOpError("momentum must be in [0, 1), got ")
           << formatNumber(momentum);
  return verifyParamShape(*this, getBasis(), "basis", getNumParamSets(),
                          getBits());
}

LogicalResult FakeQuantGradOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getInput().getType());
  Value params[kNumQuantParams] = {adaptor.getScale(), adaptor.getZeroPoint(),
                                   adaptor.getClip(), adaptor.getBasis(),
                                   adaptor.getOffset()};
  for (unsigned i = 0; i < kNumQuantParams; ++i)
    if (params[i] && isLearnedParam(adaptor.getMethod(), QuantParam(i)))
      inferred.push_back(params[i].getType());
  return success();
}

//===----------------------------------------------------------------------===//
// observe
//===----------------------------------------------------------------------===//

LogicalResult ObserveOp::verify() {
  if (failed(verifyBits(*this, getBits())))
    return failure();
  auto type = cast<RankedTensorType>(getInput().getType());
  if (failed(verifyAxis(*this, getAxis(), type.getRank())))
    return failure();
  if (failed(verifyGroups(*this, type, getAxis(), getGroups())))
    return failure();
  if (getHalfRange() && getNarrow())
    return emitOpError("narrow applies to signed ranges; it cannot be "
                       "combined with half_range");
  double momentum = getMomentum().convertToDouble();
  if (!(momentum > 0.0 && momentum < 1.0))
    return emitOpError("momentum must be in (0, 1), got ") << formatNumber(momentum);
  double pct = getPercentile().convertToDouble();
  if (!(pct > 0.0 && pct <= 100.0))
    return emitOpError("percentile must be in (0, 100], got ") << formatNumber(pct);
  double norm = getNorm().convertToDouble();
  if (!(norm > 0.0))
    return emitOpError("norm must be positive, got ") << formatNumber(norm);
  return success();
}
