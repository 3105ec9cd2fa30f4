//===- Passes.td - qnn passes ------------------------------*- tablegen -*-===//

#ifndef QNN_PASSES_TD
#define QNN_PASSES_TD

include "mlir/Pass/PassBase.td"

def FoldBatchNormPass : Pass<"qnn-fold-batch-norm", "::mlir::func::FuncOp"> {
  let summary = "Fold inference-mode batch_norm into the preceding conv2d or linear";
  let description = [{
    Rewrites `batch_norm(conv2d(x, W, b))` into `conv2d(x, W', b')` with

        k[o] = scale[o] / sqrt(var[o] + eps)
        W'[o, ...] = W[o, ...] * k[o]
        b'[o] = (b[o] - mean[o]) * k[o] + bias[o]      (b = 0 when absent)

    and likewise for `linear` followed by a batch_norm over its features.
    Works for grouped and depthwise convolutions (one k per output channel).
    The weights, bias and statistics must be constants. A batch_norm is left
    alone, with a remark saying why, when its producer is not a conv2d or
    linear, when the producer's result has other users, or when the
    weights are not constants or are shared with another layer. Run it before
    quantization: fake-quant must see the folded weights that are deployed.

    ```mlir
    %y = qnn.conv2d %x, %w : (...) -> tensor<?x16x28x28xf32>
    %z = qnn.batch_norm %y, %g, %b, %m, %v : tensor<?x16x28x28xf32>, tensor<16xf32>
    // becomes
    %z = qnn.conv2d %x, %w_folded, %b_folded : (...) -> tensor<?x16x28x28xf32>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let statistics = [
    Statistic<"numFolded", "folded", "batch_norm ops folded">,
    Statistic<"numKept", "kept", "batch_norm ops left in place">,
  ];
}

def WrapModePass : Pass<"qnn-wrap-mode", "::mlir::func::FuncOp"> {
  let summary = "Turn a policy-annotated graph into its calibrate or test form";
  let description = [{
    TI Jacinto's `quantize` flag as a graph rewrite:

    * `mode=calibrate` (PTQ): every `qnn.fake_quant` whose method has a
      calibrated step size (uniform, lsq, lsq_plus, adaround) becomes a
      `qnn.observe` of its input with the same bits, range and granularity;
      the graph computes in float and the observers record statistics. The
      observer kind is the fake_quant's `qnn.observer` attribute (set by the
      policy, e.g. from a QDrop YAML file) or the `observer` option. Each
      observer is named after its quantizer (`qnn.name`, or `fq<N>` by
      position) so that calibration results can be written back. Weights and
      methods without a step size (pact, dorefa, xnor, ...) keep their
      fake_quant.
    * `mode=test`: evaluation exactly as deployed: observers are removed and
      every fake_quant parameter must be a constant (frozen); a parameter
      that is not is an error naming the quantizer.
    * `mode=qat` builds the training step; it needs the autodiff pass and is
      rejected until that lands.
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"test\"",
           "calibrate | qat | test">,
    Option<"observer", "observer", "std::string", /*default=*/"\"min_max\"",
           "Observer for quantizers without a qnn.observer attribute: "
           "min_max | ema_min_max | percentile | mse | avg_mse | entropy">,
  ];
  let statistics = [
    Statistic<"numObserved", "observed", "fake_quant ops turned into observers">,
    Statistic<"numStripped", "stripped", "observers removed">,
  ];
}

def ApplyPolicyPass : Pass<"qnn-apply-policy", "::mlir::func::FuncOp"> {
  let summary = "Insert fake_quant on the layers' weights and activations by a quantization policy";
  let description = [{
    Quantizes the inputs, weights and (optionally) outputs of every
    `conv2d` and `linear` ("layer") by one declarative policy, written
    either as model-quantization's keyword string or as a QDrop / MQBench
    YAML file. Each quantized tensor gets a `qnn.fake_quant` whose parameter
    operands (scale, zero point, clip, basis, AdaRound offset) are
    `arith.constant` initial values: from the constant weights where
    possible, placeholders for activations that calibration or training
    replaces. By default the first and last layers stay full precision and
    a padded conv's input is zero-padded first, then quantized (an explicit
    `qnn.pad` before the fake_quant, the conv's pads set to 0).

    A function's own `qnn.policy` / `qnn.policy_file` string attributes,
    when present, replace the options for that function. The grammar, every
    keyword and the initialization rules are in docs/policy.md.

    ```mlir
    // qopt -qnn-apply-policy='policy="lsq,fm_bit=4,wt_bit=4,quant_first,quant_last"'
    %y = qnn.conv2d %x, %w : (tensor<?x8x8x8xf32>, tensor<16x8x1x1xf32>) -> tensor<?x16x8x8xf32>
    // becomes (%w = dense<0.05>: LSQ step 2 mean|w| / sqrt(7))
    %s = arith.constant dense<0.0378> : tensor<f32>
    %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<f32>) {bits = 4} : tensor<16x8x1x1xf32>
    %a = arith.constant dense<1.0> : tensor<f32>
    %xq = qnn.fake_quant lsq activation %x scale(%a : tensor<f32>) {bits = 4} : tensor<?x8x8x8xf32>
    %y = qnn.conv2d %xq, %wq : (tensor<?x8x8x8xf32>, tensor<16x8x1x1xf32>) -> tensor<?x16x8x8xf32>
    ```
  }];
  let options = [
    Option<"policy", "policy", "std::string", /*default=*/"\"\"",
           "model-quantization keyword string, e.g. "
           "\"lsq,fm_bit=4,wt_bit=4,wt_quant_group=C,real_skip\"">,
    Option<"policyFile", "policy-file", "std::string", /*default=*/"\"\"",
           "QDrop / MQBench YAML policy file (the keyword string, if any, "
           "is applied on top)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let statistics = [
    Statistic<"numQuantized", "quantized-layers", "layers with a fake_quant">,
    Statistic<"numFullPrecision", "full-precision-layers",
              "layers left in full precision">,
    Statistic<"numFakeQuants", "fake-quants", "fake_quant ops inserted">,
  ];
}

def LowerToIntegerPass : Pass<"qnn-lower-to-integer", "::mlir::func::FuncOp"> {
  let summary = "Lower a calibrated fake-quant graph to integer ops";
  let description = [{
    Turns a test-mode graph (every quantizer frozen) into the program that is
    deployed:

    1. each `uniform` or `lsq` `qnn.fake_quant` becomes a quantize /
       dequantize pair with the quantizer's `!quant.uniform` type; a
       quantizer of a constant (a weight) is evaluated now, leaving an integer
       constant (`quant.scast` to its quantized type) and a dequantize. These
       pairs compute exactly what the fake_quant computed (the same
       round-half-even formula in qrt);
    2. a `conv2d` or `linear` whose input and weight are both dequantized
       (per-tensor input, symmetric i8 weights) becomes a `qnn.qconv2d` /
       `qnn.qlinear` producing the exact i32 accumulator, dequantized with
       scale `s_x * s_w[c]`, followed by the float bias. All multiply-adds run
       in int8 on oneDNN; the epilogue (bias, activations, residual adds,
       pooling) stays in float on dequantized values, as in the simulation.

    The fake-quant graph and the integer graph compute the same bits: the
    interpreter evaluates a conv2d / linear over frozen fake-quantized
    operands exactly as the integer program does (the real-valued sum over
    the integer grid, accumulated exactly in int32, then one multiply by
    `s_x * s_w[c]` and the float bias), and every other op is shared.
    test/e2e/resnet8-ptq.test checks bit-identical logits on all 10,000
    test images of the default model.
    Quantizers of other methods (PACT, DoReFa, XNOR, ...) are left in
    place with a remark: they have no integer lowering yet.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::quant::QuantDialect"];
  let statistics = [
    Statistic<"numQuantizers", "quantizers", "fake_quant ops lowered">,
    Statistic<"numLayers", "layers", "conv2d / linear ops made integer">,
  ];
}

#endif // QNN_PASSES_TD
