//===- QnnQuantOps.td - simulated quantization and observers -*- tablegen -*-===//

#ifndef QNN_QUANT_OPS_TD
#define QNN_QUANT_OPS_TD

def Qnn_FakeQuantOp : Qnn_Op<"fake_quant", [Pure,
    AttrSizedOperandSegments, AllTypesMatch<["input", "output"]>]> {
  let summary = "simulated quantization of one tensor";
  let description = [{
    Quantizes and dequantizes `input` by `method`, so that the float graph
    computes what the integer program will. The quantizer's learnable or
    calibrated parameters are operands, so passes and autodiff see them:

    | operand      | meaning                                   | methods |
    |--------------|-------------------------------------------|---------|
    | `scale`      | step size `s`                             | uniform, lsq, lsq_plus, adaround; xnor_plus_plus (gamma) |
    | `zero_point` | zero point `z` (float-valued), LSQ+'s `β` | uniform, lsq_plus, adaround (optional) |
    | `clip`       | clip value `α` / per-ramp slopes          | pact, dorefa (optional), non_uniform |
    | `basis`      | LQ-Nets basis `v`, `bits` values per group| lqnet |
    | `offset`     | AdaRound's rounding variable `V`          | adaround |

    Granularity: without `axis` the parameters are per tensor (one element);
    with `axis` they are per channel along it (`dim(axis)` elements); with
    `axis` and `groups`, the channels along `axis` are split into `groups`
    contiguous groups (model-quantization's `quant_group`), one parameter set
    each. Integer range: signed `[-2^(b-1), 2^(b-1) - 1]`, `narrow` drops the
    lowest value; `half_range` (unsigned, as model-quantization calls it) is
    `[0, 2^b - 1]`.

    `grad` picks the surrogate gradient of the rounding or sign step,
    `grad_scale` how a learned step size's gradient is scaled, `adaptive` a
    normalization applied before quantizing. The forward and backward of every
    method, with sources, are in docs/semantics.md.

    `relaxed` (AdaRound only) evaluates the continuous rounding
    `floor(w/s) + h(V)` that reconstruction optimizes, instead of the hardened
    `floor(w/s) + [V >= 0]` that is deployed. Only the reconstruction steps
    built by `qnn-build-reconstruction` carry it; `qnn-wrap-mode{mode=test}`
    rejects it.

    ```mlir
    %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<16xf32>) {axis = 0, bits = 4}
        : tensor<16x8x3x3xf32>
    %aq = qnn.fake_quant pact activation %a clip(%alpha : tensor<f32>) {bits = 4, half_range}
        : tensor<?x8x28x28xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input,
      Optional<Qnn_FloatTensor>:$scale,
      Optional<Qnn_FloatTensor>:$zero_point,
      Optional<Qnn_FloatTensor>:$clip,
      Optional<Qnn_FloatTensor>:$basis,
      Optional<Qnn_FloatTensor>:$offset,
      Qnn_QuantMethodAttr:$method,
      Qnn_QuantRoleAttr:$role,
      I64Attr:$bits,
      UnitAttr:$half_range,
      UnitAttr:$narrow,
      OptionalAttr<I64Attr>:$axis,
      OptionalAttr<I64Attr>:$groups,
      DefaultValuedAttr<Qnn_GradTypeAttr, "::qopt::qnn::GradType::Ste">:$grad,
      DefaultValuedAttr<Qnn_GradScaleAttr,
          "::qopt::qnn::GradScale::None">:$grad_scale,
      DefaultValuedAttr<Qnn_AdaptiveAttr,
          "::qopt::qnn::Adaptive::None">:$adaptive,
      UnitAttr:$relaxed);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = [{
    `` $method `` $role $input
    (`scale` `(` $scale^ `:` type($scale) `)`)?
    (`zero_point` `(` $zero_point^ `:` type($zero_point) `)`)?
    (`clip` `(` $clip^ `:` type($clip) `)`)?
    (`basis` `(` $basis^ `:` type($basis) `)`)?
    (`offset` `(` $offset^ `:` type($offset) `)`)?
    (`grad` `` $grad^)? (`grad_scale` `` $grad_scale^)? (`adaptive` `` $adaptive^)?
    attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Number of parameter sets: 1 per tensor, dim(axis) per channel, or
    /// `groups`. Returns ShapedType::kDynamic when dim(axis) is dynamic.
    int64_t getNumParamSets();
  }];
}

def Qnn_ObserveOp : Qnn_Op<"observe", [AllTypesMatch<["input", "output"]>]> {
  let summary = "calibration observer: records statistics, passes input through";
  let description = [{
    Records the statistics of `input` that `kind` needs to choose a
    quantization range for a `bits`-bit quantizer of the given signedness and
    granularity (`axis`, `groups` as for `qnn.fake_quant`); `symmetric` asks
    for a zero point of 0. The result is `input` unchanged. `name` identifies the
    observer so calibration results can be written back into the module.
    Observers stream: they keep a running statistic or a histogram, never the
    observed tensors. Kind-specific attributes: `momentum` (ema_min_max),
    `percentile` (percentile, in (0, 100]), `norm` (the p of the L_p error
    that mse / avg_mse minimize, 2.0 or QDrop's 2.4). Not `Pure`: erasing an
    observer whose result is unused would lose the statistics.

    ```mlir
    %y = qnn.observe mse activation %x {bits = 8, half_range, name = "layer1.act", norm = 2.4 : f64}
        : tensor<?x16x28x28xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input,
      Qnn_ObserverKindAttr:$kind,
      Qnn_QuantRoleAttr:$role,
      I64Attr:$bits,
      UnitAttr:$half_range,
      UnitAttr:$narrow,
      UnitAttr:$symmetric,
      OptionalAttr<I64Attr>:$axis,
      OptionalAttr<I64Attr>:$groups,
      OptionalAttr<StrAttr>:$name,
      DefaultValuedAttr<F64Attr, "0.9">:$momentum,
      DefaultValuedAttr<F64Attr, "99.99">:$percentile,
      DefaultValuedAttr<F64Attr, "2.0">:$norm);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = "`` $kind `` $role $input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

#endif // QNN_QUANT_OPS_TD
