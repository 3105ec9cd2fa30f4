//===- GroupNorm.cpp - InstanceNormalization, torch.onnx's GroupNorm ------===//
//
// torch.onnx (opsets 9-17) has no GroupNormalization and exports nn.GroupNorm
// as Reshape [N, C, ...] -> [N, G, -1], InstanceNormalization with unit
// scale and zero bias, Reshape back to the input's shape, Mul by the weight
// [C, 1, ...] and Add of the bias. Each node imports as itself
// (InstanceNormalization is a qnn.group_norm with one group per channel), and
// fuseGroupNorms then folds the chain into one qnn.group_norm of the
// original input (why: docs/semantics.md, "group_norm"). A GroupNorm that
// a model applies several times (FCOS's heads, shared by the levels) is
// exported once per call; equal fused parameters then read one constant,
// so that training (qnn-wrap-mode{mode=qat}) sees one tied parameter.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/OpUtils.h"

#include "dialect/Constants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace qopt::onnx_import {

/// InstanceNormalization(x [N, C, ...], scale [C], B [C]).
static LogicalResult importInstanceNorm(Importer &im) {
  FailureOr<Value> x = im.floatInput(0), scale = im.floatInput(1),
                   bias = im.floatInput(2);
  if (failed(x) || failed(scale) || failed(bias))
    return failure();
  ArrayRef<int64_t> in = shapeOf(*x);
  int64_t channels = in.size() >= 2 ? in[1] : ShapedType::kDynamic;
  return im.bindResult(frontend::buildGroupNorm(
      im, *x, *scale, *bias, channels, im.getFloat("epsilon", 1e-5)));
}

void registerGroupNormOps(OpTable &table) {
  table["InstanceNormalization"] = importInstanceNorm;
}

/// The only user of `v`, if it has exactly one and it is an `OpTy`.
template <typename OpTy> static OpTy soleUser(Value v) {
  if (!v.hasOneUse())
    return nullptr;
  return dyn_cast<OpTy>(*v.getUsers().begin());
}

/// The per-channel constant operand of a binary op whose other operand is
/// `x` [N, C, ...]: shaped [C, 1, ...] or [1, C, 1, ...] (right-aligned to
/// x's rank, C on axis 1 and 1 elsewhere).
template <typename OpTy>
static std::optional<SmallVector<float>> perChannel(OpTy op, Value x,
                                                    int64_t channels) {
  Value other = op.getLhs() == x ? op.getRhs() : op.getLhs();
  if (other == x)
    return std::nullopt;
  ArrayRef<int64_t> in = shapeOf(x), p = shapeOf(other);
  if (p.size() > in.size() || p.size() + 1 < in.size())
    return std::nullopt;
  for (size_t i = 0; i < p.size(); ++i) {
    size_t axis = i + in.size() - p.size();
    if (p[i] != (axis == 1 ? channels : 1))
      return std::nullopt;
  }
  std::optional<SmallVector<float>> values = readF32Constant(other);
  if (!values || (int64_t)values->size() != channels)
    return std::nullopt;
  return values;
}

/// The scale and bias constants of the group norms fused so far.
struct FusedParams {
  SmallVector<float> scale, bias;
  Value scaleC, biasC;
};

/// Folds reshape -> group_norm (one group per row) -> reshape back [-> mul
/// by a per-channel constant [-> add of one]] into a group_norm of the
/// reshape's input.
static void fuseOne(Importer &im, qnn::GroupNormOp norm,
                    SmallVectorImpl<FusedParams> &fused) {
  auto split = norm.getInput().getDefiningOp<qnn::ReshapeOp>();
  if (!split || !split.getResult().hasOneUse())
    return;
  Value x = split.getInput();
  ArrayRef<int64_t> in = shapeOf(x), rows = shapeOf(split.getResult());
  if (in.size() < 2 || rows.size() != 3 || ShapedType::isDynamic(in[1]) ||
      in[0] != rows[0] || ShapedType::isDynamic(rows[2]))
    return;
  int64_t channels = in[1], groups = rows[1];
  int64_t perSample = product(in.drop_front());
  if (ShapedType::isDynamic(perSample) || groups * rows[2] != perSample ||
      channels % groups != 0 || norm.getNumGroups() != groups)
    return;
  auto merge = soleUser<qnn::ReshapeOp>(norm.getResult());
  if (!merge || merge.getResult().getType() != x.getType())
    return;
  std::optional<SmallVector<float>> s = readF32Constant(norm.getScale()),
                                    b = readF32Constant(norm.getBias());
  if (!s || !b)
    return;
  SmallVector<float> gamma(channels, 1.f), beta(channels, 0.f);
  SmallVector<Operation *> chain = {split, norm, merge};
  Value out = merge.getResult();
  if (auto mul = soleUser<qnn::MulOp>(out))
    if (std::optional<SmallVector<float>> w = perChannel(mul, out, channels)) {
      gamma = *w;
      chain.push_back(mul);
      out = mul.getResult();
      if (auto add = soleUser<qnn::AddOp>(out))
        if (std::optional<SmallVector<float>> c =
                perChannel(add, out, channels)) {
          beta = *c;
          chain.push_back(add);
          out = add.getResult();
        }
    }
  int64_t perGroup = channels / groups;
  SmallVector<float> scale(channels), bias(channels);
  for (int64_t c = 0; c < channels; ++c) {
    scale[c] = (*s)[c / perGroup] * gamma[c];
    bias[c] = (*b)[c / perGroup] * gamma[c] + beta[c];
  }
  OpBuilder &builder = im.builder();
  builder.setInsertionPoint(chain.back());
  // The constants of an earlier group norm with the same parameters, where
  // they dominate this one (the same block, before it).
  Value scaleC, biasC;
  for (const FusedParams &f : fused) {
    Operation *def = f.scaleC.getDefiningOp();
    if (f.scale == scale && f.bias == bias &&
        def->getBlock() == chain.back()->getBlock() &&
        f.biasC.getDefiningOp()->isBeforeInBlock(chain.back())) {
      scaleC = f.scaleC;
      biasC = f.biasC;
      break;
    }
  }
  if (!scaleC) {
    std::string name = "group_norm";
    if (auto loc = dyn_cast<NameLoc>(norm.getLoc()))
      name = loc.getName().str();
    scaleC = im.constantF32({channels}, scale, name + ".scale");
    biasC = im.constantF32({channels}, bias, name + ".bias");
    fused.push_back({scale, bias, scaleC, biasC});
  }
  Value result = qnn::GroupNormOp::create(
      builder, norm.getLoc(), x.getType(), x, scaleC, biasC,
      builder.getI64IntegerAttr(groups), norm.getEpsilonAttr());
  out.replaceAllUsesWith(result);
  llvm::SetVector<Operation *> defs;
  for (Operation *op : llvm::reverse(chain)) {
    for (Value v : op->getOperands())
      if (Operation *def = v.getDefiningOp<arith::ConstantOp>())
        defs.insert(def);
    op->erase();
  }
  for (Operation *def : defs)
    if (def->use_empty())
      def->erase();
}

void fuseGroupNorms(Importer &im, func::FuncOp func) {
  SmallVector<qnn::GroupNormOp> norms;
  func.walk([&](qnn::GroupNormOp op) { norms.push_back(op); });
  SmallVector<FusedParams> fused;
  for (qnn::GroupNormOp op : norms)
    fuseOne(im, op, fused);
}

} // namespace qopt::onnx_import
