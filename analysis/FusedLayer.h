//===- FusedLayer.h - which layers requantize inside the conv ---*- C++ -*-===//
//
// A quantized conv2d whose result goes, through single-use values only, to
// an optional residual add, an optional relu, an optional zero pad and then
// the quantizer of the next layer's input
//
//   conv2d -> [add(residual)] -> [relu] -> [pad 0] -> quantizer
//
// is one int8 layer with a requantized 8-bit result: the requantization
// epilogue (runtime/Requant.h) computes exactly what the quantizer outputs.
// qnn-lower-to-integer turns it into a requantized qnn.qconv2d, and the
// interpreter's test-mode evaluation of the fake-quant graph runs the same
// fused kernel for it (codegen/ExactQuantizedSteps.cpp); both decide with
// matchFusedChain, on their own form of "quantizer" (a frozen fake_quant in
// the simulation, the qnn.quantize it was lowered to in the pass), so they
// fuse exactly the same layers.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_ANALYSIS_FUSEDLAYER_H
#define QOPT_ANALYSIS_FUSEDLAYER_H

#include "dialect/QnnOps.h"

#include <optional>

namespace qopt {

struct FusedChain {
  qnn::AddOp add;       // residual add, or null
  mlir::Value residual; // the add's other operand
  qnn::ReluOp relu;     // or null
  qnn::PadOp pad;       // zero pad of H and W, or null
  mlir::Operation *quantizer = nullptr;
  /// The value the quantizer produces (the fused layer's result).
  mlir::Value result() const { return quantizer->getResult(0); }
};

/// True for a constant-zero pad of the two spatial dims of a rank-4 value.
inline bool isSpatialZeroPad(qnn::PadOp pad) {
  llvm::ArrayRef<int64_t> p = pad.getPads();
  return pad.getValue().isZero() && p.size() == 8 && p[0] == 0 &&
         p[1] == 0 && p[4] == 0 && p[5] == 0;
}

/// The chain after `conv`, if it ends in a quantizer. `isQuantizer(op)`:
/// `op` quantizes per tensor to an 8-bit grid (signedness in *isSigned).
/// `isResidual(v, isSigned)`: `v` is a per-tensor 8-bit quantized value of
/// that signedness (the fused residual is read as the output's type).
template <typename IsQuantizer, typename IsResidual>
std::optional<FusedChain> matchFusedChain(qnn::Conv2dOp conv,
                                          IsQuantizer isQuantizer,
                                          IsResidual isResidual) {
  FusedChain c;
  mlir::Value v = conv.getResult();
  auto soleUser = [](mlir::Value x) -> mlir::Operation * {
    return x.hasOneUse() ? *x.getUsers().begin() : nullptr;
  };
  mlir::Operation *user = soleUser(v);
  if (auto add = llvm::dyn_cast_or_null<qnn::AddOp>(user)) {
    mlir::Value other = add.getLhs() == v ? add.getRhs() : add.getLhs();
    mlir::Operation *def = other.getDefiningOp();
    // No broadcast, and the residual exists when the conv runs.
    if (other == v || other.getType() != v.getType() ||
        add.getType() != v.getType() || !def ||
        def->getBlock() != conv->getBlock() || !def->isBeforeInBlock(conv))
      return std::nullopt;
    c.add = add;
    c.residual = other;
    v = add.getResult();
    user = soleUser(v);
  }
  if (auto relu = llvm::dyn_cast_or_null<qnn::ReluOp>(user)) {
    c.relu = relu;
    v = relu.getResult();
    user = soleUser(v);
  }
  if (auto pad = llvm::dyn_cast_or_null<qnn::PadOp>(user)) {
    if (!isSpatialZeroPad(pad))
      return std::nullopt;
    c.pad = pad;
    v = pad.getResult();
    user = soleUser(v);
  }
  bool isSigned = false;
  if (!user || user->getNumOperands() == 0 || user->getOperand(0) != v ||
      !isQuantizer(user, &isSigned))
    return std::nullopt;
  if (c.add && !isResidual(c.residual, isSigned))
    return std::nullopt;
  c.quantizer = user;
  return c;
}

} // namespace qopt

#endif // QOPT_ANALYSIS_FUSEDLAYER_H
