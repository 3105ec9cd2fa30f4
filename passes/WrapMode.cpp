//===- WrapMode.cpp - calibrate / qat / test forms of a quantized graph ---===//

#include "passes/WeightQuantizers.h"
#include "passes/Calibration.h"
#include "passes/Passes.h"
#include "passes/Qat.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

namespace qopt {
#define GEN_PASS_DEF_WRAPMODEPASS
#include "passes/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

namespace {
struct WrapModePass : qopt::impl::WrapModePassBase<WrapModePass> {
  using WrapModePassBase::WrapModePassBase;

  void runOnOperation() override {
    if (mode == "calibrate")
      return calibrate();
    if (mode == "test")
      return test();
    if (mode == "qat")
      return qat();
    emitError(getOperation()->getLoc(), "qnn-wrap-mode: unknown mode '")
        << mode << "' (expected calibrate, qat or test)";
    signalPassFailure();
  }

  /// Training adds globals and a function next to the forward, so it runs
  /// on the module; calibrate and test run on whatever they are given.
  void qat() {
    auto module = dyn_cast<ModuleOp>(getOperation());
    if (!module) {
      emitError(getOperation()->getLoc(),
                "qnn-wrap-mode: mode=qat adds globals and @train_step to the "
                "module; run it on the module (-qnn-wrap-mode=mode=qat), not "
                "nested in a function");
      return signalPassFailure();
    }
    QatOptions options;
    options.forward = forward;
    options.loss = loss;
    options.focalAlpha = focalAlpha;
    options.focalGamma = focalGamma;
    options.optimizer = optimizer;
    options.momentum = momentum;
    options.dampening = dampening;
    options.nesterov = nesterov;
    options.beta1 = beta1;
    options.beta2 = beta2;
    options.epsilon = epsilon;
    options.weightDecay = weightDecay;
    options.decaySmall = decaySmall;
    options.customDecayList.assign(customDecayList.begin(),
                                   customDecayList.end());
    options.customDecay = customDecay;
    options.customLrList.assign(customLrList.begin(), customLrList.end());
    options.customLr = customLr;
    QatStats stats;
    if (failed(buildQatTraining(module, options, stats)))
      return signalPassFailure();
    numTrainable += stats.trainable;
    numState += stats.state;
  }

  void calibrate() {
    std::optional<ObserverKind> fallback = symbolizeObserverKind(observer);
    if (!fallback) {
      emitError(getOperation()->getLoc(), "qnn-wrap-mode: unknown observer '")
          << observer
          << "' (expected min_max, ema_min_max, percentile, mse, avg_mse, "
             "entropy or lsq_init)";
      return signalPassFailure();
    }
    SmallVector<FakeQuantOp> quantizers;
    getOperation()->walk([&](FakeQuantOp op) { quantizers.push_back(op); });
    for (auto [index, op] : llvm::enumerate(quantizers)) {
      if (!isCalibrated(op))
        continue;
      // The observer sees what the quantizer quantizes: a constant weight's
      // `adaptive` normalization is folded into it first.
      if (failed(foldAdaptiveNormalization(op))) {
        op.emitError("qnn-wrap-mode: quantizer '")
            << quantizerName(op, index)
            << "' normalizes a weight that is not a constant (adaptive); "
               "calibration observes constant weights only";
        return signalPassFailure();
      }
      ObserverKind kind = observerFor(op, *fallback);
      bool byOption = true;
      if (auto attr = op->getAttrOfType<ObserverKindAttr>("qnn.observer")) {
        kind = attr.getValue();
        byOption = false;
      }
      // LSQ's initialization is a step size for LSQ's own grid; the papers
      // of the other calibrated methods start from the range (PACT's and
      // DoReFa's clip at max|x|).
      if (kind == ObserverKind::LsqInit &&
          op.getMethod() != QuantMethod::Lsq &&
          op.getMethod() != QuantMethod::LsqPlus)
        kind = ObserverKind::MinMax;
      OpBuilder b(op);
      // Step-size methods (LSQ, LSQ+) quantize symmetrically; uniform
      // activations get a zero point, and so do weights on an unsigned grid
      // with a zero point operand (QDrop's `symmetric: False`): observed
      // symmetrically, their zero point would be 0 and every negative
      // weight would clamp to 0.
      bool symmetric =
          op.getRole() == QuantRole::Weight
              ? !(op.getHalfRange() && op.getZeroPoint())
              : op.getMethod() != QuantMethod::Uniform;
      auto observe = ObserveOp::create(
          b, op.getLoc(), op.getType(), op.getInput(), kind, op.getRole(),
          op.getBits(), op.getHalfRange(), op.getNarrow(), symmetric,
          op.getAxisAttr(), op.getGroupsAttr(),
          b.getStringAttr(quantizerName(op, index)), APFloat(0.9),
          APFloat(99.99), APFloat(2.0));
      if (byOption && weightNorm > 0 && kind == ObserverKind::Mse &&
          op.getRole() == QuantRole::Weight)
        observe.setNormAttr(b.getF64FloatAttr(weightNorm));
      copyObserverOptions(op, observe);
      op.replaceAllUsesWith(observe.getResult());
      op.erase();
      ++numObserved;
    }
    if (batchStatistics) {
      SmallVector<BatchNormOp> norms;
      getOperation()->walk([&](BatchNormOp bn) { norms.push_back(bn); });
      for (BatchNormOp bn : norms) {
        OpBuilder b(bn);
        auto trainBn = BatchNormTrainOp::create(
            b, bn.getLoc(), bn.getInput(), bn.getScale(), bn.getBias(),
            bn.getMean(), bn.getVariance(), bn.getEpsilonAttr(),
            bn.getMomentumAttr(), /*sync=*/UnitAttr());
        bn.replaceAllUsesWith(trainBn.getOutput());
        bn.erase();
      }
    }
  }

  /// A policy may tune the observer (QDrop's percentile, MSE's p).
  static void copyObserverOptions(FakeQuantOp from, ObserveOp to) {
    if (auto v = from->getAttrOfType<FloatAttr>("qnn.percentile"))
      to.setPercentileAttr(v);
    if (auto v = from->getAttrOfType<FloatAttr>("qnn.norm"))
      to.setNormAttr(v);
    if (auto v = from->getAttrOfType<FloatAttr>("qnn.momentum"))
      to.setMomentumAttr(v);
  }

  void test() {
    bool ok = true;
    unsigned index = 0;
    SmallVector<FakeQuantOp> adaround, weights;
    getOperation()->walk([&](Operation *op) {
      if (auto observe = dyn_cast<ObserveOp>(op)) {
        observe.replaceAllUsesWith(observe.getInput());
        observe.erase();
        ++numStripped;
        return;
      }
      auto fq = dyn_cast<FakeQuantOp>(op);
      if (!fq)
        return;
      std::string name = quantizerName(fq, index++);
      // The weight rewrites below (AdaRound hardening, unsigned grids) need
      // the quantized weight itself: a constant weight's `adaptive`
      // normalization becomes part of the constant first (the same values).
      // Other quantizers keep it: QAT hoists the test-mode weights into
      // globals and must train the raw weight through the normalization;
      // qnn-lower-to-integer folds it.
      if (fq.getMethod() == QuantMethod::Adaround ||
          (fq.getMethod() == QuantMethod::Uniform && fq.getHalfRange()))
        (void)foldAdaptiveNormalization(fq);
      for (Value param : {fq.getScale(), fq.getZeroPoint(), fq.getClip(),
                          fq.getBasis(), fq.getOffset()}) {
        if (param && !matchPattern(param, m_Constant())) {
          fq.emitError("qnn-wrap-mode: quantizer '")
              << name
              << "' has a parameter that is not a constant; test mode "
                 "evaluates frozen parameters (calibrate or train first)";
          ok = false;
          return;
        }
      }
      if (fq.getRelaxed()) {
        fq.emitError("qnn-wrap-mode: quantizer '")
            << name
            << "' has relaxed rounding (a reconstruction step's); test mode "
               "evaluates the hardened rounding that is deployed";
        ok = false;
        return;
      }
      if (fq.getMethod() == QuantMethod::Adaround)
        adaround.push_back(fq);
      else if (fq.getRole() == QuantRole::Weight)
        weights.push_back(fq);
    });
    // Frozen AdaRound: the learned rounding goes into the weight, which a
    // uniform quantizer then reproduces exactly (passes/WeightQuantizers.h).
    for (FakeQuantOp fq : adaround) {
      FailureOr<FakeQuantOp> uniform = hardenAdaround(fq);
      ok = ok && succeeded(uniform);
      if (succeeded(uniform))
        weights.push_back(*uniform);
      ++numHardened;
    }
    // Unsigned weight grids become the signed grids of their levels q - z.
    for (FakeQuantOp fq : weights)
      ok = ok && succeeded(signUnsignedWeightGrid(fq));
    if (!ok)
      signalPassFailure();
  }
};
} // namespace
