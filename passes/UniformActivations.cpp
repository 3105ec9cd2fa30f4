//===- UniformActivations.cpp - PACT / DoReFa activations as uniform ------===//
//
// A frozen PACT or DoReFa activation quantizer is an unsigned uniform grid
// with step clip / (2^b - 1); written as `uniform`, qnn-lower-to-integer
// lowers it like any calibrated activation (pass description in
// Passes.td).
//
//===----------------------------------------------------------------------===//

#include "analysis/FrozenGrid.h"
#include "dialect/Constants.h"
#include "dialect/QnnOps.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

#include <cmath>

namespace qopt {
#define GEN_PASS_DEF_UNIFORMACTIVATIONSPASS
#include "passes/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

/// The clip of a PACT / DoReFa activation quantizer, or nullopt (with `why`)
/// when it is not one with a positive constant clip.
static std::optional<float> constantClip(FakeQuantOp op, std::string &why) {
  if (!op.getClip()) // DoReFa's paper form: [0, 1]
    return 1.0f;
  std::optional<SmallVector<float>> clip = readF32Constant(op.getClip());
  if (!clip) {
    why = "its clip is not a constant (freeze the globals first)";
    return std::nullopt;
  }
  if (clip->size() != 1) {
    why = "its clip is not per tensor";
    return std::nullopt;
  }
  if (!((*clip)[0] > 0.f) || !std::isfinite((*clip)[0])) {
    why = "its clip " + std::to_string((*clip)[0]) + " is not positive";
    return std::nullopt;
  }
  return (*clip)[0];
}

namespace {
struct UniformActivationsPass
    : qopt::impl::UniformActivationsPassBase<UniformActivationsPass> {
  void runOnOperation() override {
    SmallVector<FakeQuantOp> quantizers;
    getOperation().walk([&](FakeQuantOp op) {
      if (op.getRole() == QuantRole::Activation &&
          (op.getMethod() == QuantMethod::Pact ||
           op.getMethod() == QuantMethod::Dorefa))
        quantizers.push_back(op);
    });
    for (FakeQuantOp op : quantizers) {
      std::string why;
      std::optional<float> clip = constantClip(op, why);
      if (!clip) {
        op.emitRemark("activation quantizer not made uniform: ") << why;
        continue;
      }
      OpBuilder b(op);
      // The unsigned grid's top level: 2^b - 1.
      float n = (float)integerRange(op.getBits(), /*isSigned=*/false,
                                    /*narrow=*/false)
                    .second;
      auto scalar = RankedTensorType::get({}, b.getF32Type());
      Value scale = arith::ConstantOp::create(
          b, op.getLoc(),
          DenseElementsAttr::get(scalar, ArrayRef<float>{*clip / n}));
      Value zero = arith::ConstantOp::create(
          b, op.getLoc(), DenseElementsAttr::get(scalar, ArrayRef<float>{0.f}));
      auto uniform = FakeQuantOp::create(
          b, op.getLoc(), op.getType(), op.getInput(), scale, zero, Value(),
          Value(), Value(), QuantMethod::Uniform, QuantRole::Activation,
          op.getBits(), /*half_range=*/true, /*narrow=*/false, IntegerAttr(),
          IntegerAttr(), op.getGrad(), GradScale::None, Adaptive::None);
      uniform->setDiscardableAttrs(op->getDiscardableAttrDictionary());
      op.replaceAllUsesWith(uniform.getResult());
      Value oldClip = op.getClip();
      op.erase();
      if (oldClip && oldClip.use_empty())
        if (Operation *def = oldClip.getDefiningOp())
          def->erase();
      ++numRewritten;
    }
  }
};
} // namespace
