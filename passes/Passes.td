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
    quantization (fake-quant must see the folded weights that are deployed),
    or after quantization-aware training with batch norm kept:

    **Through a trained weight quantizer.** When the weight is a frozen
    weight `fake_quant` of a constant (uniform, lsq, dorefa, xnor,
    xnor_plus_plus), its output is read as integer levels times a step per
    output channel, `fq(W)[o] = L[o] * d[o]`, and the fold rescales the
    step instead of the weight: `s'[o] = d[o] * |k[o]|`,
    `L'[o] = sign(k[o]) * L[o]`, `W' = L' * s'` (= `k * fq(W)` up to float
    rounding). The result is a per-channel `uniform` fake_quant (zero point
    0) of the on-grid `W'`, which reproduces `W'` exactly and which
    `qnn-lower-to-integer` stores as the levels `L'`. Grids: uniform / lsq
    keep their `b`-bit range (per tensor becomes per channel); DoReFa's
    `2^b` odd levels `2i - (2^b - 1)` use a `(b+1)`-bit narrow grid; binary
    weights (xnor, 1-bit dorefa) a 2-bit narrow grid `[-1, 1]`. A negative
    `k` flips the levels: on a signed grid `[-2^(b-1), 2^(b-1) - 1]` a
    channel using `-2^(b-1)` cannot flip, and that batch_norm stays, with a
    remark (`narrow` grids always fold). A learned LSQ step that turned
    negative in training counts as its magnitude with the levels negated
    (the same check applies); an `adaptive` weight normalization is applied
    to the weight first (the quantizer's levels are those of the normalized
    weight). Other methods (lsq_plus, lqnet, non_uniform, adaround) are not
    folded.

    **FrozenBatchNorm2d.** torchvision's detection backbones freeze batch
    norm as a per-channel affine, `conv2d(x) * k + s` with constants `k`
    and `s` shaped `[1, C, 1, 1]` or `[C, 1, 1]` (qnn.mul, qnn.add, traced
    or exported); it folds the same way with `k` given: `W' = W k`,
    `b' = b k + s` (a mul alone folds with `s = 0`), through a trained
    weight quantizer too.

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

def WrapModePass : Pass<"qnn-wrap-mode"> {
  let summary = "Turn a policy-annotated graph into its calibrate, qat or test form";
  let description = [{
    TI Jacinto's `quantize` flag as a graph rewrite:

    * `mode=calibrate` (PTQ): every `qnn.fake_quant` whose method has a
      calibrated step size (uniform, lsq, lsq_plus, adaround) becomes a
      `qnn.observe` of its input with the same bits, range and granularity;
      the graph computes in float and the observers record statistics. The
      observer kind is the fake_quant's `qnn.observer` attribute (set by the
      policy, e.g. from a QDrop YAML file) or the `observer` option; the
      per-tensor-only observers of the option (entropy, percentile) become
      `min_max` for a per-channel quantizer, and entropy becomes `min_max`
      for the quantizer of the graph input (an image's |x| histogram has a
      point mass at the normalized background, where KL would clip).
      `weight-norm` (> 0) is the p of an `mse` option's weight observers.
      With `batch-statistics`, batch norms normalize with the batch's own
      statistics (`qnn.batch_norm_train`), as training will, so that the
      observers see what training sees. Each
      observer is named after its quantizer (`qnn.name`, or `fq<N>` by
      position) so that calibration results can be written back. Weights and
      methods without a step size (pact, dorefa, xnor, ...) keep their
      fake_quant.
    * `mode=test`: evaluation exactly as deployed: observers are removed and
      every fake_quant parameter must be a constant (frozen); a parameter
      that is not is an error naming the quantizer. An `adaround` quantizer
      is frozen into its weight: the weight rounded as the hardened AdaRound
      rounds it, under a `uniform` fake_quant with the same scale, zero point
      and granularity, which evaluates to the same values (and which integer
      lowering and QDQ export handle). `relaxed` rounding is an error. A
      `uniform` quantizer of a constant weight on an unsigned b-bit grid
      (b <= 7) with zero points z becomes, the same way, a signed `narrow`
      (b+1)-bit quantizer with zero point 0 of the pre-rounded weight: the
      levels `q - z` are what the layer multiplies, and i8 weights store
      them.
    * `mode=qat` (runs on the module): builds quantization-aware training.
      The constants of `forward` (default `@main`, or the module's only
      function) that training changes
      become mutable `ml_program.global`s marked `qnn.kind` and `qnn.layer`:
      conv2d / linear weights and biases, batch_norm scale and bias, batch
      norm running statistics (`bn_stat`, not trained), the learned
      fake_quant parameters (`quant_param`) and LQ-Nets' bases (`quant_stat`,
      refit in the step). `@main` stays the test-mode forward, reading the
      globals. A new `@train_step(%x, %labels: tensor<?xi32>, %lr:
      tensor<f32>) -> (tensor<f32>, logits)` runs the forward with
      `qnn.batch_norm_train` (storing the new running statistics) and a
      `qnn.lqnet_basis_update` per lqnet quantizer (storing the refit
      basis), `qnn.softmax_cross_entropy` on `@main`'s result, the backward
      (qnn-autodiff), and one `qnn.sgd_update` or `qnn.adam_update` per
      trainable global with its optimizer-state globals, and returns the
      loss and the logits. Weight decay is `weight-decay`, except
      for batch-norm, quantizer and PReLU slope parameters when
      `decay-small` is set, and `custom-decay` for globals whose name
      contains an entry of `custom-decay-list`; globals whose name
      contains an entry of `custom-lr-list` use `lr * custom-lr`.
      docs/training.md describes the state layout; qnn-freeze-globals
      turns the trained globals back into constants.
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"test\"",
           "calibrate | qat | test">,
    Option<"observer", "observer", "std::string", /*default=*/"\"min_max\"",
           "Observer for quantizers without a qnn.observer attribute: "
           "min_max | ema_min_max | percentile | mse | avg_mse | entropy | "
           "lsq_init (LSQ / LSQ+ step sizes 2 mean|x| / sqrt(Qp), the other "
           "calibrated quantizers min_max)">,
    Option<"weightNorm", "weight-norm", "double", /*default=*/"0.0",
           "calibrate: p of the mse option's weight observers (0: the "
           "observer's default, 2)">,
    Option<"batchStatistics", "batch-statistics", "bool", /*default=*/"false",
           "calibrate: batch norms use batch statistics (as in training)">,
    Option<"forward", "forward", "std::string", /*default=*/"\"main\"",
           "qat: the forward function to train (default: @main, or the "
           "module's only function)">,
    Option<"loss", "loss", "std::string", /*default=*/"\"cross_entropy\"",
           "qat: cross_entropy (a classifier's N x C logits) | fcos (a dense "
           "detector's (class, box, centerness) maps per level: focal + "
           "GIoU + centerness BCE)">,
    Option<"focalAlpha", "focal-alpha", "double", /*default=*/"0.25",
           "qat, loss=fcos: the focal loss's alpha (negative: none)">,
    Option<"focalGamma", "focal-gamma", "double", /*default=*/"2.0",
           "qat, loss=fcos: the focal loss's gamma">,
    Option<"optimizer", "optimizer", "std::string", /*default=*/"\"sgd\"",
           "qat: sgd | adam">,
    Option<"momentum", "momentum", "double", /*default=*/"0.9",
           "qat, sgd: momentum">,
    Option<"dampening", "dampening", "double", /*default=*/"0.0",
           "qat, sgd: dampening">,
    Option<"nesterov", "nesterov", "bool", /*default=*/"false",
           "qat, sgd: Nesterov momentum">,
    Option<"beta1", "beta1", "double", /*default=*/"0.9", "qat, adam: beta1">,
    Option<"beta2", "beta2", "double", /*default=*/"0.999", "qat, adam: beta2">,
    Option<"epsilon", "epsilon", "double", /*default=*/"1e-8",
           "qat, adam: epsilon">,
    Option<"weightDecay", "weight-decay", "double", /*default=*/"5e-5",
           "qat: L2 weight decay">,
    Option<"decaySmall", "decay-small", "bool", /*default=*/"true",
           "qat: no weight decay on batch-norm, quantizer and PReLU "
           "slope parameters (model-quantization's decay_small)">,
    ListOption<"customDecayList", "custom-decay-list", "std::string",
               "qat: globals whose name contains one of these get "
               "custom-decay">,
    Option<"customDecay", "custom-decay", "double", /*default=*/"0.0",
           "qat: weight decay of the custom-decay-list globals">,
    ListOption<"customLrList", "custom-lr-list", "std::string",
               "qat: globals whose name contains one of these use "
               "lr * custom-lr">,
    Option<"customLr", "custom-lr", "double", /*default=*/"1.0",
           "qat: learning-rate multiplier of the custom-lr-list globals">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::ml_program::MLProgramDialect"];
  let statistics = [
    Statistic<"numObserved", "observed", "fake_quant ops turned into observers">,
    Statistic<"numStripped", "stripped", "observers removed">,
    Statistic<"numHardened", "hardened",
              "test: AdaRound quantizers frozen into their weights">,
    Statistic<"numTrainable", "trainable", "qat: trainable globals">,
    Statistic<"numState", "state", "qat: non-trained state globals">,
  ];
}

def AutodiffPass : Pass<"qnn-autodiff", "::mlir::ModuleOp"> {
  let summary = "Reverse-mode differentiation of loss functions";
  let description = [{
    For every `func.func` marked `qnn.loss` (a unit attribute) whose single
    result is a scalar `tensor<f32>` loss, appends to its results the
    gradient of the loss with respect to each trainable global it loads
    (`ml_program.global_load` of a mutable global whose `qnn.kind` is not
    `bn_stat` or `optimizer_state`), in order of first load, each marked
    with the result attribute `qnn.grad_of = @global`; the `qnn.loss`
    attribute is removed. Loads of the same global sum into one gradient, as
    do the gradients of a value with several uses (`qnn.add`). A global the
    loss does not depend on gets zeros.

    Each differentiable op has a small backward rule (conv2d, linear,
    matmul (rank 2), batch_norm_train, relu, clip, max_pool, avg_pool,
    global_avg_pool, add / sub / mul / div with broadcasting, concat,
    slice, pad, reshape, flatten, transpose, fake_quant, observe, and the
    losses); an op on a path from a trainable global to the loss without
    one is an error naming it. docs/training.md lists the backward ops each
    rule emits.

    ```mlir
    func.func @loss(%x: tensor<4x8xf32>, %labels: tensor<4xi32>) -> tensor<f32>
        attributes {qnn.loss} {
      %w = ml_program.global_load @fc.weight : tensor<10x8xf32>
      %y = qnn.linear %x, %w : (tensor<4x8xf32>, tensor<10x8xf32>) -> tensor<4x10xf32>
      %loss, %dy = qnn.softmax_cross_entropy %y, %labels : tensor<4x10xf32>, tensor<4xi32>
      return %loss : tensor<f32>
    }
    // becomes ... -> (tensor<f32>, tensor<10x8xf32> {qnn.grad_of = @fc.weight})
    //   %dw = qnn.linear_grad_weight %dy, %x : ...
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let statistics = [
    Statistic<"numGradients", "gradients", "gradients returned">,
  ];
}

def BuildReconstructionPass : Pass<"qnn-build-reconstruction", "::mlir::ModuleOp"> {
  let summary = "Emit AdaRound's layer-wise reconstruction steps";
  let description = [{
    Post-training reconstruction (AdaRound, Nagel et al. 2020; the layer-wise
    form of BRECQ / QDrop). Every `conv2d` / `linear` of `forward` whose
    weight is quantized by an `adaround` `fake_quant` of a constant is a
    unit; units are numbered in program order from 0. The pass

    * makes each unit's rounding variable V (the `offset` operand) a mutable
      `ml_program.global` named `<layer>.offset` that `forward` loads;
    * emits `@recon_data_<k>(inputs of forward) -> (%in, %target)`: the
      unit's input in the quantized model (every unit's current V, hardened)
      and the unit's output in the float model (every `fake_quant`
      bypassed), computing only what those two values need;
    * emits `@recon_step_<k>(%in, %target, %lr, %beta, %lambda) -> (%rec,
      %reg)`: the unit (its input's activation quantizers and pads, the
      weight quantizer with `relaxed` rounding, the layer and a relu that is
      its only user) applied to `%in`, `rec = C * mse(out, target)` (C the
      output channels: BRECQ's loss, summed over channels and averaged over
      the rest), `reg = qnn.adaround_regularizer(V, beta, lambda)`, the
      backward of `rec + reg` with respect to V, and one `qnn.adam_update`
      of V with its moments and step counter in `optimizer_state` globals.

    With `unit=block` (BRECQ, Li et al. 2021), a unit is a block: the
    forward is cut after every op where exactly one activation is live
    (parameters aside: constants, global loads and weight quantizers) --
    in a ResNet after the stem, after each residual block and after the
    pooling -- and the ops between two cuts that contain AdaRound layers
    form one unit, whose step learns all their V together on the block's
    output (one regularizer per V, summed). AdaRound layers that no cut
    isolates (an FPN, a detector's heads) form chains: a layer grown
    forward while its value has one user that reads only it and
    parameters, up to an unfolded batch norm (docs/reconstruction.md).

    With `qdrop`, `@recon_data_<k>` returns `(%in, %in_float, %target)`
    (the unit's input in the float model too), and every activation
    `fake_quant` of the unit -- the layer's input quantizers, and in a block
    every quantizer inside it -- reads a keep mask: its result is
    `y + keep * (d - y)`, y the quantized value and d the value it would
    have without that quantizer (for quantizers of the unit's input, the
    same value computed from `%in_float`), so that where the driver's random
    0/1 mask is 1 the activation quantization is dropped (QDrop, Wei et al.
    2022, at every activation quantizer of a block as in the paper).

    With `learn-activations`, the learnable parameters of the unit's
    activation quantizers (`lsq` / `lsq_plus` steps and offsets, `pact`
    clips: QDrop's `LSQFakeQuantize` activations; `uniform` ones are
    calibrated and stay fixed) become mutable globals `<layer>.act_<param>`
    that `forward` loads, and each step also learns them with Adam at the
    step's `%act_lr` (a step size is kept >= 1e-8).

    The step's arguments are `%in`, [`%in_float`,] `%target`, `%lr`,
    `%beta`, `%lambda`, [`%act_lr`,] then one keep mask per activation
    quantizer of the unit, in program order; the step's `qnn.recon_args`
    attribute names them (`in`, `in_float`, `target`, `lr`, `beta`,
    `lambda`, `act_lr`, `keep`) for the driver.

    A driver runs the units in order (qc: pipeline/Reconstruct.cpp,
    docs/reconstruction.md), so the inputs of unit k see the rounding
    chosen for the units before it, then erases the `recon_` functions and
    runs qnn-freeze-globals. A unit whose layer reads anything but its input,
    constants and globals is an error naming the layer.
  }];
  let options = [
    Option<"forward", "forward", "std::string", /*default=*/"\"main\"",
           "the model function (default: @main, or the module's only "
           "function)">,
    Option<"unit", "unit", "std::string", /*default=*/"\"layer\"",
           "layer: one unit per AdaRound layer; block: one per block "
           "between two cuts of the forward (BRECQ)">,
    Option<"qdrop", "qdrop", "bool", /*default=*/"false",
           "QDrop: the data functions also return the unit's float input, "
           "and the steps take it and a keep mask per activation quantizer">,
    Option<"learnActivations", "learn-activations", "bool",
           /*default=*/"false",
           "the steps also learn the unit's learnable activation quantizer "
           "parameters (LSQ steps, PACT clips) at %act_lr">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::ml_program::MLProgramDialect"];
  let statistics = [
    Statistic<"numUnits", "units", "layers with AdaRound steps">,
  ];
}

def FreezeGlobalsPass : Pass<"qnn-freeze-globals", "::mlir::ModuleOp"> {
  let summary = "Turn trained globals back into constants; drop the training step";
  let description = [{
    The end of QAT: erases `train-step` (default `@train_step`), replaces
    every `ml_program.global_load` in the remaining functions with an
    `arith.constant` of the global's current value, and erases the globals
    nothing loads any more. The result is a test-mode graph of constants
    that qnn-fold-batch-norm, qnn-wrap-mode{mode=test} and
    qnn-lower-to-integer accept. A global without a value, or a
    `global_store` outside the training step, is an error.
  }];
  let options = [
    Option<"trainStep", "train-step", "std::string",
           /*default=*/"\"train_step\"", "the training function to erase">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let statistics = [
    Statistic<"numFrozen", "frozen", "global loads replaced by constants">,
  ];
}

def DataParallelPass : Pass<"qnn-data-parallel", "::mlir::func::FuncOp"> {
  let summary = "Make a training step data-parallel: averaged gradients, synchronized batch norm";
  let description = [{
    On a training step (qnn-wrap-mode{mode=qat}'s `@train_step`, or any
    function with optimizer updates): puts a `qnn.all_reduce` on the
    gradient operand of every `qnn.sgd_update` / `qnn.adam_update`, so that
    every rank applies the global batch's gradient, and sets `sync` on every
    `qnn.batch_norm_train` and `qnn.batch_norm_grad`, so that batch
    statistics are the global batch's. Run by N processes
    (`mpirun -np N`, each with its shard of every batch), the step then
    computes what one process computes on the whole batch, up to the order
    of floating-point sums; run by one process it computes exactly what it
    computed before (docs/training.md, "Data-parallel training").

    Functions without optimizer updates are left alone. Refused, with the op
    named: `qnn.lqnet_basis_update` (LQ-Nets' basis fit uses the rank's own
    activations: not yet reduced). Idempotent: a gradient already reduced is
    not reduced twice.
  }];
  let statistics = [
    Statistic<"numReduced", "reduced", "gradients averaged across ranks">,
    Statistic<"numSynced", "synced", "batch norms synchronized">,
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
    replaces. By default the first and last layers stay full precision
    (every layer that reads a function argument, and every layer whose
    result reaches the return, with no other layer between: a detector's
    output convs on every level), and a padded conv's input is
    zero-padded first, then quantized (an explicit `qnn.pad` before the
    fake_quant, the conv's pads set to 0). `quant_scope=<selector>` keeps
    every layer it does not select in float (a backbone-only policy).

    Layers that read the same weight value (a detection head's convs run
    on every FPN level) share one weight quantizer where the policy gives
    them the same one; each keeps its own activation quantizers.

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

def ApplyCalibrationPass : Pass<"qnn-apply-calibration", "::mlir::func::FuncOp"> {
  let summary = "Freeze quantizers from a ranges file written by a calibration run";
  let description = [{
    Reads the ranges file of a calibration run — an emitted calibration
    program's `--calibrate fashion-mnist --ranges-out FILE`
    (docs/codegen.md), runtime/Ranges.h's format — and writes each
    observer's scale and zero point into the `qnn.fake_quant` of the same
    name (`qnn.name`, or `fq<N>` by position, as `qnn-wrap-mode{mode=calibrate}`
    names the observers), exactly as `qc quantize` does after its own
    calibration: constants replace the quantizer's scale / zero point (a
    PACT / DoReFa clip becomes `s · (2^b - 1)`, an LQ-Nets basis the
    observed grid). Quantizers the file does not name are left alone.
    Follow with `qnn-wrap-mode{mode=test}` to freeze the graph.

    ```sh
    qopt policy.mlir -qnn-wrap-mode='mode=calibrate' -o calib.mlir
    qemit calib.mlir -o prog --name calib && ... && prog/build/calib-run \
        --calibrate fashion-mnist --ranges-out ranges.bin
    qopt policy.mlir -qnn-apply-calibration='ranges=ranges.bin' \
        -qnn-wrap-mode='mode=test' -o calibrated.mlir
    ```
  }];
  let options = [
    Option<"ranges", "ranges", "std::string", /*default=*/"\"\"",
           "The ranges file (runtime/Ranges.h)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def ApplyBiasCorrectionPass : Pass<"qnn-apply-bias-correction", "::mlir::func::FuncOp"> {
  let summary = "Subtract measured output shifts from conv2d / linear biases";
  let description = [{
    Empirical bias correction (Nagel et al. 2019) as a rewrite: a driver
    measures, per output channel, how much a quantized layer's mean output
    moved from the float layer's (`qc quantize --bias-correction`, over the
    calibration images) and records it on the layer as `qnn.bias_shift`, an
    f64 array with one entry per output channel. This pass replaces the
    layer's constant bias `b` by `f32(b - shift)` and drops the attribute.
    A shift on a layer without a constant bias, or of another length than
    the bias, is an error at the layer.

    ```mlir
    %y = qnn.conv2d %x, %w, %b {qnn.bias_shift = array<f64: 0.5, -0.25>} ...
    // becomes, with %b = dense<[1.0, 2.0]>,
    %y = qnn.conv2d %x, %w, %b2 ...  // %b2 = dense<[0.5, 2.25]>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let statistics = [
    Statistic<"numCorrected", "corrected", "biases corrected">,
  ];
}

def UniformActivationsPass : Pass<"qnn-uniform-activations", "::mlir::func::FuncOp"> {
  let summary = "Rewrite frozen PACT and DoReFa activation quantizers as uniform ones";
  let description = [{
    A trained PACT activation quantizer with clip `α`,
    `round(clamp(x, 0, α) · n/α) · α/n` (`n = 2^b - 1`), and a DoReFa one
    with clip `c` (1 without a clip operand) take the values of an unsigned
    uniform grid: `clamp(round(x/s), 0, n) · s` with `s = α/n` (`c/n`).
    Once their clip is a constant (after `qnn-freeze-globals` /
    `qnn-wrap-mode{mode=test}`), this pass writes them in that form
    (`uniform activation ... {half_range}`, zero point 0), which
    `qnn-lower-to-integer` lowers to u8 tensors. The two forms compute the
    same values up to float rounding (`x·n/α` and `x/(α/n)` differ in the
    last bit, which matters only for an `x` on a rounding boundary); from
    then on the simulation and the integer program agree exactly. A
    quantizer whose clip is not a positive constant is left alone, with a
    remark.

    ```mlir
    %a = qnn.fake_quant pact activation %x clip(%alpha : tensor<f32>) {bits = 4, half_range}
    // with %alpha = 3.0 becomes
    %a = qnn.fake_quant uniform activation %x scale(%s : tensor<f32>) zero_point(%z : tensor<f32>) {bits = 4, half_range}
    // %s = 0.2, %z = 0
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let statistics = [
    Statistic<"numRewritten", "rewritten", "activation quantizers made uniform">,
  ];
}

def FoldAdaptivePass : Pass<"qnn-fold-adaptive", "::mlir::func::FuncOp"> {
  let summary = "Fold a constant weight's adaptive normalization into the constant";
  let description = [{
    model-quantization's `adaptive` (`wt_adaptive=mean|var-mean`) normalizes
    a weight before its quantizer: per parameter group of the quantizer (per
    output channel with `axis = 0`, the whole tensor without an axis)
    `w - mean(w)` (`mean`) or `(w - mean(w)) / std(w)` (`var_mean`, unbiased
    std, no epsilon: models/quant.py's torch.std_mean on x.data). For a
    constant weight this is a function of the constant: each such
    `qnn.fake_quant` gets a new constant input holding the normalized weight
    and loses its `adaptive`, so it computes exactly what it computed before
    (the same qrt kernel) and lowers as any weight quantizer.
    `qnn-wrap-mode{mode=calibrate}` (so the observers see the normalized
    weight), `qnn-wrap-mode{mode=test}` (only before its AdaRound and
    unsigned-grid weight rewrites: QAT hoists test-mode weights and trains
    the raw weight through the normalization) and `qnn-lower-to-integer`
    run the same fold first. A quantizer of a non-constant weight (a QAT global) is
    left alone with a remark.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let statistics = [
    Statistic<"numFolded", "folded", "normalizations folded into constants">,
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
    place with a remark: they have no integer lowering yet
    (`qnn-uniform-activations` and `qnn-fold-batch-norm` rewrite trained
    PACT / DoReFa activations and folded weights into uniform ones). A
    weight whose learned LSQ step turned negative in training is stored as
    the negated levels on the step's magnitude; when a negated level leaves
    the grid (`-2^(b-1)`), or a step is not positive elsewhere, that
    quantizer stays, with a remark.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::quant::QuantDialect"];
  let statistics = [
    Statistic<"numQuantizers", "quantizers", "fake_quant ops lowered">,
    Statistic<"numLayers", "layers", "conv2d / linear ops made integer">,
  ];
}

#endif // QNN_PASSES_TD
