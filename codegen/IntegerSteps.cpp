//===- IntegerSteps.cpp - integer deployment ops to qrt int8 kernels ------===//
//
// Quantized tensors are stored as their storage type (i8 / u8 / i32); their
// scales and zero points come from the `!quant.uniform` element types at
// compile time, so the steps carry them as constants.
//
//===----------------------------------------------------------------------===//

#include "codegen/Lowerings.h"
#include "dialect/QnnOps.h"

#include "runtime/Exec.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <optional>


using namespace mlir;
using namespace mlir::quant;
using namespace qopt;
using namespace qopt::qnn;

/// The grid of `v`'s quantized element type; an unsupported storage type
/// is an error at `op`.
static FailureOr<FrozenGrid> quantInfo(Operation *op, Value v) {
  auto qtype = cast<QuantizedType>(cast<RankedTensorType>(v.getType())
                                       .getElementType());
  std::string why;
  FailureOr<FrozenGrid> g = FrozenGrid::of(qtype, why);
  if (failed(g))
    return op->emitError(why);
  return g;
}

/// Fixed-point multipliers s_in * s_w[c] / s_out, one per weight scale.
static FailureOr<std::vector<qrt::FixedPointMultiplier>>
multipliers(Operation *op, float sIn, ArrayRef<float> sW, float sOut) {
  std::vector<qrt::FixedPointMultiplier> out;
  for (float s : sW) {
    qrt::Expected<qrt::FixedPointMultiplier> m =
        qrt::computeMultiplier((double)sIn * s / sOut);
    if (!m)
      return op->emitError(m.status().message());
    out.push_back(*m);
  }
  return out;
}

/// Requantization options for a result type (output zero point, storage
/// range, dtype).
static FailureOr<qrt::RequantizeOptions>
requantOptions(Operation *op, const FrozenGrid &out, float sIn,
               ArrayRef<float> sW) {
  qrt::RequantizeOptions o;
  FailureOr<std::vector<qrt::FixedPointMultiplier>> m =
      multipliers(op, sIn, sW, out.scales[0]);
  if (failed(m))
    return failure();
  o.multipliers = std::move(*m);
  o.outputZeroPoint = (int32_t)out.zeroPoints[0];
  o.outputDType = storageDType(out);
  o.qmin = (int32_t)out.qmin;
  o.qmax = (int32_t)out.qmax;
  return o;
}

namespace step = qrt::exec::step;

static LogicalResult lowerQuantize(ExecutionPlan &plan, QuantizeOp op) {
  FailureOr<FrozenGrid> info = quantInfo(op, op.getResult());
  if (failed(info))
    return failure();
  if (storageDType(*info) == qrt::DType::I32)
    return op.emitError("quantize to i32 storage is not supported");
  plan.addCall(op, step::quantize, {op.getInput()}, {op.getResult()},
               quantGridOf(*info));
  return success();
}

static MaxPoolOp fusedIntMaxPool(DequantizeOp deq);
static QuantizeOp closingQuantize(MaxPoolOp pool);
static llvm::DenseSet<Value> channelsLastValues(Operation *op);

/// The float ops after a raw (i32) layer that its step computes too
/// (qrt::applyFloatEpilogue): the result's only user dequantizes it (per
/// tensor or along axis 1) into an `add` of an f32 [1, C, 1...] bias, then,
/// as far as each value has one user, an `add` of an f32 of the same type
/// defined before the layer (the policy's full-precision residual) and a
/// `relu`. Without the bias add nothing is fused.
struct FloatChain {
  llvm::SmallVector<Operation *, 4> ops; // absorbed, in order
  Value bias, residual, result;
  bool relu = false;
  QuantizeOp quantize; // of the result, per tensor to 8 bits, or null
  /// Other quantizes of the result to quantize's type: the same values,
  /// which share its result.
  llvm::SmallVector<QuantizeOp, 1> sameQuantizes;
};
static std::optional<FloatChain> floatChainOf(Operation *layer, Value acc);

static LogicalResult lowerDequantize(ExecutionPlan &plan, DequantizeOp op) {
  if (MaxPoolOp pool = fusedIntMaxPool(op)) {
    QuantizeOp q = closingQuantize(pool);
    qrt::exec::MaxPoolInt8Params p;
    p.pool = poolParams(pool.getKernel(), pool.getStrides(), pool.getPads(),
                        pool.getCeilMode());
    p.pool.dilationH = pool.getDilations()[0];
    p.pool.dilationW = pool.getDilations()[1];
    p.channelsLast = channelsLastValues(op).contains(op.getInput());
    plan.absorb(pool);
    plan.absorb(q);
    plan.addCall(op, step::max_pool_int8, {op.getInput()}, {q.getResult()},
                 p);
    return success();
  }
  FailureOr<FrozenGrid> info = quantInfo(op, op.getInput());
  if (failed(info))
    return failure();
  qrt::exec::DequantizeParams p;
  p.grid = quantGridOf(*info);
  // A quantized constant (weights, biases) is dequantized once.
  p.constant = plan.isConstant(op.getInput());
  plan.addCall(op, step::dequantize, {op.getInput()}, {op.getResult()}, p);
  return success();
}

/// y = requant((a - za), s_a / s_y) [+ requant(b - zb, s_b / s_y)] in
/// fixed point: the requantize op (qadd has float QDQ semantics, qrt::qadd).
static LogicalResult lowerRescale(ExecutionPlan &plan, Operation *op, Value a,
                                  Value b, bool relu) {
  FailureOr<FrozenGrid> ia = quantInfo(op, a), iy = quantInfo(op, op->getResult(0));
  if (failed(ia) || failed(iy))
    return failure();
  FailureOr<qrt::RequantizeOptions> o =
      requantOptions(op, *iy, ia->scales[0], {1.0f});
  if (failed(o))
    return failure();
  o->relu = relu;
  if (b) {
    FailureOr<FrozenGrid> ib = quantInfo(op, b);
    if (failed(ib))
      return failure();
    FailureOr<std::vector<qrt::FixedPointMultiplier>> mb =
        multipliers(op, ib->scales[0], {1.0f}, iy->scales[0]);
    if (failed(mb))
      return failure();
    o->residualMultiplier = (*mb)[0];
    o->residualZeroPoint = (int32_t)ib->zeroPoints[0];
  }
  qrt::exec::RescaleParams p;
  p.inputZeroPoint = (int32_t)ia->zeroPoints[0];
  p.options = std::move(*o);
  plan.addCall(op, step::requantize, {a, b}, {op->getResult(0)}, p);
  return success();
}

/// An 8-bit quantized value (a requantized layer result, not an i32
/// accumulator).
static bool isRequantized(Value v) {
  auto q = dyn_cast<QuantizedType>(
      cast<RankedTensorType>(v.getType()).getElementType());
  return q && q.getStorageTypeIntegralWidth() == 8;
}

/// dequantize -> max_pool -> quantize back to the same 8-bit type: a max
/// pool on the integers (exact, qrt::maxPool2dInt8). Returns the pool, or
/// null.
static MaxPoolOp fusedIntMaxPool(DequantizeOp deq) {
  Value v = deq.getResult();
  if (!v.hasOneUse() || !isRequantized(deq.getInput()) ||
      cast<RankedTensorType>(v.getType()).getRank() != 4)
    return nullptr;
  auto pool = dyn_cast<MaxPoolOp>(*v.getUsers().begin());
  if (!pool || !pool.getResult().hasOneUse())
    return nullptr;
  auto q = dyn_cast<QuantizeOp>(*pool.getResult().getUsers().begin());
  if (!q || cast<RankedTensorType>(q.getType()).getElementType() !=
                cast<RankedTensorType>(deq.getInput().getType())
                    .getElementType())
    return nullptr;
  return pool;
}

/// The quantize closing a fused integer max pool.
static QuantizeOp closingQuantize(MaxPoolOp pool) {
  return cast<QuantizeOp>(*pool.getResult().getUsers().begin());
}

/// The activations held channels-last ([N, H, W, C]) at run time: rank-4
/// results of requantized qconv2d, of qadd, of integer max pools, and of
/// the float epilogues of raw qconv2d (FloatChain: the f32 result and its
/// quantized copy), whose every user is a qconv2d (as input, or as
/// residual of a channels-last result), a qadd or pool whose result is
/// channels-last too, the quantize or residual add of a channels-last float
/// epilogue. So consecutive int8 layers (and the adds between them, integer
/// or float) never reorder; values that leave that world (dequantize,
/// return, float pools) stay NCHW and the first conv after them reorders
/// its input. Recomputed per query: functions are small.
static llvm::DenseSet<Value> channelsLastValues(Operation *op) {
  llvm::DenseSet<Value> s;
  auto func = op->getParentOfType<func::FuncOp>();
  if (!func)
    return s;
  auto rank4 = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getRank() == 4;
  };
  // The float epilogues of raw convs, and which one absorbs each residual
  // add and quantize.
  std::vector<FloatChain> chains;
  llvm::DenseMap<Operation *, size_t> chainOfOp;
  func.walk([&](QConv2dOp c) {
    if (isRequantized(c.getOutput()) || !rank4(c.getOutput()) ||
        c.getResidual())
      return;
    std::optional<FloatChain> chain = floatChainOf(c, c.getOutput());
    if (!chain || !rank4(chain->result))
      return;
    for (Operation *o : chain->ops)
      chainOfOp[o] = chains.size();
    if (chain->quantize)
      chainOfOp[chain->quantize] = chains.size();
    for (QuantizeOp q : chain->sameQuantizes)
      chainOfOp[q] = chains.size();
    chains.push_back(std::move(*chain));
  });
  // A chain's values, which share one layout.
  auto chainValues = [](FloatChain c) {
    SmallVector<Value, 4> v{c.result};
    if (c.quantize)
      v.push_back(c.quantize.getResult());
    for (QuantizeOp q : c.sameQuantizes)
      v.push_back(q.getResult());
    if (c.residual)
      v.push_back(c.residual);
    return v;
  };
  for (const FloatChain &c : chains)
    for (Value v : chainValues(c))
      if (v != c.residual)
        s.insert(v);
  func.walk([&](Operation *o) {
    if (auto c = dyn_cast<QConv2dOp>(o)) {
      if (isRequantized(c.getOutput()))
        s.insert(c.getOutput());
    } else if (auto a = dyn_cast<QAddOp>(o)) {
      if (rank4(a.getOutput()))
        s.insert(a.getOutput());
    } else if (auto d = dyn_cast<DequantizeOp>(o)) {
      if (MaxPoolOp pool = fusedIntMaxPool(d))
        s.insert(closingQuantize(pool).getResult());
    }
  });
  for (bool changed = true; changed;) {
    changed = false;
    auto drop = [&](Value v) { changed |= s.erase(v); };
    for (Value v : SmallVector<Value>(s.begin(), s.end())) {
      for (OpOperand &use : v.getUses()) {
        Operation *user = use.getOwner();
        if (auto c = dyn_cast<QConv2dOp>(user)) {
          if (use.getOperandNumber() == 0 ||
              (isRequantized(c.getOutput()) && c.getResidual() == v &&
               s.contains(c.getOutput())))
            continue;
        } else if (auto it = chainOfOp.find(user); it != chainOfOp.end()) {
          // The residual add or a quantize of a float epilogue.
          if (s.contains(chains[it->second].result))
            continue;
        } else if (auto a = dyn_cast<QAddOp>(user)) {
          if (s.contains(a.getOutput()))
            continue;
        } else if (auto d = dyn_cast<DequantizeOp>(user)) {
          if (MaxPoolOp pool = fusedIntMaxPool(d))
            if (s.contains(closingQuantize(pool).getResult()))
              continue;
        }
        drop(v);
        break;
      }
    }
    // A qadd's operands and result, a conv's residual and result, and a
    // float epilogue's values share one layout.
    for (const FloatChain &c : chains) {
      SmallVector<Value, 4> values = chainValues(c);
      if (llvm::any_of(values, [&](Value v) { return !s.contains(v); }))
        for (Value v : values)
          drop(v);
    }
    func.walk([&](Operation *o) {
      if (auto a = dyn_cast<QAddOp>(o)) {
        if (s.contains(a.getOutput()) &&
            (!s.contains(a.getLhs()) || !s.contains(a.getRhs()))) {
          drop(a.getOutput());
          drop(a.getLhs());
          drop(a.getRhs());
        }
      } else if (auto d = dyn_cast<DequantizeOp>(o)) {
        if (MaxPoolOp pool = fusedIntMaxPool(d)) {
          Value out = closingQuantize(pool).getResult();
          if (s.contains(out) != s.contains(d.getInput())) {
            drop(out);
            drop(d.getInput());
          }
        }
      } else if (auto c = dyn_cast<QConv2dOp>(o)) {
        if (c.getResidual() &&
            s.contains(c.getOutput()) != s.contains(c.getResidual())) {
          drop(c.getOutput());
          drop(c.getResidual());
        }
      }
    });
  }
  return s;
}

/// A requantized qconv2d: the whole epilogue (bias, requantization,
/// residual, ReLU) runs inside oneDNN's int8 kernel (qrt::Int8Epilogue,
/// runtime/Requant.h), activations channels-last between int8 layers.
static LogicalResult lowerFusedQConv(ExecutionPlan &plan, QConv2dOp op) {
  FailureOr<FrozenGrid> ix = quantInfo(op, op.getInput()),
                       iw = quantInfo(op, op.getWeight()),
                       iy = quantInfo(op, op.getOutput());
  if (failed(ix) || failed(iw) || failed(iy))
    return failure();
  if (storageDType(*iw) != qrt::DType::I8)
    return op.emitError("int8 layers need i8 weights");
  qrt::Int8Epilogue e;
  for (float sw : iw->scales)
    e.multipliers.push_back(
        qrt::requant::multiplier(ix->scales[0], sw, iy->scales[0]));
  e.outputZeroPoint = (int32_t)iy->zeroPoints[0];
  e.outputDType = storageDType(*iy);
  e.qmin = (int32_t)iy->qmin;
  e.qmax = (int32_t)iy->qmax;
  e.relu = op.getRelu();
  Value residual = op.getResidual();
  if (residual) {
    FailureOr<FrozenGrid> ir = quantInfo(op, residual);
    if (failed(ir))
      return failure();
    if (storageDType(*ir) != storageDType(*iy))
      return op.emitError("a fused residual must have the result's "
                          "storage type");
    e.residual = true;
    e.residualDType = storageDType(*ir);
    e.residualScale =
        qrt::requant::residualScale(ir->scales[0], iy->scales[0]);
    e.residualZeroPoint = (int32_t)ir->zeroPoints[0];
  }
  Value bias = op.getBias();
  if (!plan.isConstant(op.getWeight()) || (bias && !plan.isConstant(bias)))
    return op.emitError("int8 layers need constant weights and bias");
  llvm::DenseSet<Value> cl = channelsLastValues(op);
  qrt::exec::QConvFused p;
  p.conv = convParams(op.getStrides(), op.getDilations(), op.getPads(),
                      op.getGroups());
  p.conv.srcChannelsLast = cl.contains(op.getInput());
  p.conv.dstChannelsLast = cl.contains(op.getOutput());
  p.inputDType = storageDType(*ix);
  p.inputZeroPoint = (int32_t)ix->zeroPoints[0];
  p.epilogue = std::move(e);
  plan.addCall(op, step::qconv2d_fused,
               {op.getInput(), op.getWeight(), bias, residual},
               {op.getOutput()}, std::move(p));
  return success();
}

static std::optional<FloatChain> floatChainOf(Operation *layer, Value acc) {
  auto soleUser = [](Value v) -> Operation * {
    return v.hasOneUse() ? *v.getUsers().begin() : nullptr;
  };
  auto deq = dyn_cast_or_null<DequantizeOp>(soleUser(acc));
  if (!deq)
    return std::nullopt;
  auto accType = cast<RankedTensorType>(acc.getType());
  auto qtype = dyn_cast<QuantizedType>(accType.getElementType());
  if (!qtype || qtype.getStorageTypeIntegralWidth() != 32 ||
      accType.getRank() < 2 || accType.isDynamicDim(1))
    return std::nullopt;
  if (auto pc = dyn_cast<UniformQuantizedPerAxisType>(qtype);
      pc && pc.getQuantizedDimension() != 1)
    return std::nullopt;
  auto add = dyn_cast_or_null<AddOp>(soleUser(deq.getResult()));
  if (!add)
    return std::nullopt;
  // The other operand of `a`, or null when `v` is not one of them.
  auto otherOf = [](AddOp a, Value v) {
    return a.getLhs() == v ? a.getRhs() : a.getRhs() == v ? a.getLhs() : Value();
  };
  Value bias = otherOf(add, deq.getResult());
  auto biasType = dyn_cast<RankedTensorType>(bias.getType());
  if (!biasType || !biasType.hasStaticShape() ||
      biasType.getRank() != accType.getRank() ||
      add.getOutput().getType() != deq.getResult().getType())
    return std::nullopt;
  for (int64_t d = 0; d < biasType.getRank(); ++d)
    if (biasType.getDimSize(d) != (d == 1 ? accType.getDimSize(1) : 1))
      return std::nullopt;
  FloatChain c;
  c.ops = {deq, add};
  // The bias and the residual must exist when the layer's step runs.
  auto definedBefore = [&](Value v) {
    Operation *def = v.getDefiningOp();
    return !def || (def->getBlock() == layer->getBlock() &&
                    def->isBeforeInBlock(layer));
  };
  // A bias reshaped from [C] after the layer (the lowering's usual form):
  // the kernel reads C floats, so the reshape's operand does.
  if (auto reshape = bias.getDefiningOp<ReshapeOp>();
      reshape && !definedBefore(bias) && definedBefore(reshape.getInput()) &&
      cast<RankedTensorType>(reshape.getInput().getType()).getElementType() ==
          biasType.getElementType()) {
    if (bias.hasOneUse())
      c.ops.insert(c.ops.begin(), reshape);
    bias = reshape.getInput();
  }
  if (!definedBefore(bias))
    return std::nullopt;
  c.bias = bias;
  c.result = add.getOutput();
  if (auto res = dyn_cast_or_null<AddOp>(soleUser(c.result))) {
    Value r = otherOf(res, c.result);
    if (r && r != c.result && r.getType() == c.result.getType() &&
        res.getOutput().getType() == c.result.getType() && definedBefore(r)) {
      c.ops.push_back(res);
      c.residual = r;
      c.result = res.getOutput();
    }
  }
  if (auto relu = dyn_cast_or_null<ReluOp>(soleUser(c.result))) {
    c.ops.push_back(relu);
    c.relu = true;
    c.result = relu.getOutput();
  }
  // A per-tensor 8-bit quantize of the result (the next layer's input) is
  // written by the same pass, and so are its copies (a value quantized
  // once per consumer, e.g. a block's two convs): one pass, one buffer.
  for (Operation *user : c.result.getUsers())
    if (auto q = dyn_cast<QuantizeOp>(user)) {
      auto qt = dyn_cast<UniformQuantizedType>(
          cast<RankedTensorType>(q.getType()).getElementType());
      if (!qt || qt.getStorageTypeIntegralWidth() != 8)
        continue;
      if (!c.quantize)
        c.quantize = q;
      else if (q.getType() == c.quantize.getType())
        c.sameQuantizes.push_back(q);
    }
  return c;
}

/// qconv2d and qlinear: a oneDNN int8 plan per input shape (weights
/// reordered once), then the requantization epilogue (qlinear: qrt's
/// scalar form of the same formula), the float epilogue of the ops after a
/// raw result (floatChainOf), or the raw accumulator.
static LogicalResult lowerIntLayer(ExecutionPlan &plan, Operation *op,
                                   Value input, Value weight, Value bias,
                                   Value residual, bool relu,
                                   qrt::exec::IntLayer p) {
  FailureOr<FrozenGrid> ix = quantInfo(op, input), iw = quantInfo(op, weight);
  if (failed(ix) || failed(iw))
    return failure();
  if (storageDType(*iw) != qrt::DType::I8)
    return op->emitError("int8 layers need i8 weights");
  Type outElem =
      cast<RankedTensorType>(op->getResult(0).getType()).getElementType();
  p.raw = !isa<QuantizedType>(outElem) ||
          cast<QuantizedType>(outElem).getStorageTypeIntegralWidth() == 32;
  if (!p.raw) {
    if (residual)
      return op->emitError("a residual is fused into qconv2d only");
    FailureOr<FrozenGrid> iy = quantInfo(op, op->getResult(0));
    if (failed(iy))
      return failure();
    qrt::Int8Epilogue &e = p.epilogue;
    for (float sw : iw->scales)
      e.multipliers.push_back(
          qrt::requant::multiplier(ix->scales[0], sw, iy->scales[0]));
    e.outputZeroPoint = (int32_t)iy->zeroPoints[0];
    e.outputDType = storageDType(*iy);
    e.qmin = (int32_t)iy->qmin;
    e.qmax = (int32_t)iy->qmax;
    e.relu = relu;
  }
  if (!plan.isConstant(weight) || (bias && !plan.isConstant(bias)))
    return op->emitError("int8 layers need constant weights and bias");
  p.inputDType = storageDType(*ix);
  p.inputZeroPoint = (int32_t)ix->zeroPoints[0];
  if (isa<QConv2dOp>(op))
    p.conv.srcChannelsLast = channelsLastValues(op).contains(input);
  auto make = isa<QConv2dOp>(op) ? step::qconv2d : step::qlinear;
  if (p.raw && !residual)
    if (std::optional<FloatChain> chain = floatChainOf(op, op->getResult(0))) {
      FailureOr<FrozenGrid> iacc = quantInfo(op, op->getResult(0));
      if (failed(iacc))
        return failure();
      p.floatOut.enabled = true;
      p.floatOut.grid = quantGridOf(*iacc);
      p.floatOut.residual = bool(chain->residual);
      p.floatOut.relu = chain->relu;
      SmallVector<Value, 2> results{chain->result};
      if (QuantizeOp q = chain->quantize) {
        FailureOr<FrozenGrid> iq = quantInfo(q, q.getResult());
        if (failed(iq))
          return failure();
        p.floatOut.quantized = true;
        p.floatOut.output = quantGridOf(*iq);
        plan.absorb(q);
        results.push_back(q.getResult());
        for (QuantizeOp same : chain->sameQuantizes) {
          plan.absorb(same);
          plan.aliasSlot(same.getResult(), q.getResult());
        }
      }
      if (auto conv = dyn_cast<QConv2dOp>(op))
        p.conv.dstChannelsLast =
            channelsLastValues(op).contains(chain->result);
      for (Operation *absorbed : chain->ops)
        plan.absorb(absorbed);
      plan.addCall(op, make, {input, weight, bias, chain->bias, chain->residual},
                   results, std::move(p));
      return success();
    }
  plan.addCall(op, make, {input, weight, bias}, {op->getResult(0)},
               std::move(p));
  return success();
}

LogicalResult qopt::lowerIntegerOp(ExecutionPlan &plan, Operation *op,
                                   bool &handled) {
  handled = true;
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](QuantizeOp o) { return lowerQuantize(plan, o); })
      .Case([&](DequantizeOp o) { return lowerDequantize(plan, o); })
      .Case([&](RequantizeOp o) {
        return lowerRescale(plan, o, o.getInput(), Value(), false);
      })
      .Case([&](QAddOp o) -> LogicalResult {
        FailureOr<FrozenGrid> ia = quantInfo(o, o.getLhs()),
                             ib = quantInfo(o, o.getRhs()),
                             iy = quantInfo(o, o.getOutput());
        if (failed(ia) || failed(ib) || failed(iy))
          return failure();
        if (storageDType(*iy) == qrt::DType::I32)
          return o.emitError("qadd to i32 storage is not supported");
        qrt::QAddParams p;
        p.sa = ia->scales[0];
        p.sb = ib->scales[0];
        p.sy = iy->scales[0];
        p.za = (int32_t)ia->zeroPoints[0];
        p.zb = (int32_t)ib->zeroPoints[0];
        p.zy = (int32_t)iy->zeroPoints[0];
        p.outputDType = storageDType(*iy);
        p.qmin = (int32_t)iy->qmin;
        p.qmax = (int32_t)iy->qmax;
        p.relu = o.getRelu();
        plan.addCall(o, step::qadd, {o.getLhs(), o.getRhs()},
                     {o.getOutput()}, p);
        return success();
      })
      .Case([&](quant::StorageCastOp o) -> LogicalResult {
        // Same bytes, another type: the result shares the operand's slot,
        // unless the 8-bit signedness changes (signless i8 is held as I8,
        // u8 storage as U8): then the bytes are copied under the new dtype
        // so that kernels read them as the result type says.
        FailureOr<ArgSpec> from = argSpecOf(o.getInput().getType());
        FailureOr<ArgSpec> to = argSpecOf(o.getResult().getType());
        if (failed(from) || failed(to) || from->dtype == to->dtype ||
            qrt::dtypeSize(from->dtype) != qrt::dtypeSize(to->dtype)) {
          plan.aliasSlot(o.getResult(), o.getInput());
          return success();
        }
        plan.addCall(o, step::storage_cast, {o.getInput()}, {o.getResult()},
                     qrt::exec::StorageCastParams{to->dtype});
        return success();
      })
      .Case([&](QConv2dOp o) {
        if (isRequantized(o.getOutput()))
          return lowerFusedQConv(plan, o);
        qrt::exec::IntLayer p;
        p.conv = convParams(o.getStrides(), o.getDilations(), o.getPads(),
                            o.getGroups());
        return lowerIntLayer(plan, o, o.getInput(), o.getWeight(), o.getBias(),
                             o.getResidual(), o.getRelu(), std::move(p));
      })
      .Case([&](QLinearOp o) {
        return lowerIntLayer(plan, o, o.getInput(), o.getWeight(), o.getBias(),
                             Value(), o.getRelu(), qrt::exec::IntLayer());
      })
      .Default([&](Operation *) {
        handled = false;
        return success();
      });
}
