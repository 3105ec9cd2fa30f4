//===- QnnTrainingOps.td - backward, loss and optimizer ops -*- tablegen -*-===//
//
// The ops qnn-autodiff and qnn-wrap-mode{mode=qat} emit: the backward of the
// forward ops, losses, and optimizer updates. All are f32 and value-semantic;
// the math of each is in docs/training.md. `output_grad` is always the
// gradient of the loss with respect to the forward op's result (dy).
//
//===----------------------------------------------------------------------===//

#ifndef QNN_TRAINING_OPS_TD
#define QNN_TRAINING_OPS_TD

// A scalar (loss, learning rate, step count), printed without its type.
def Qnn_F32Scalar : 0DTensorOf<[F32]>,
    BuildableType<"::mlir::RankedTensorType::get({}, $_builder.getF32Type())">;

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

def Qnn_Conv2dGradInputOp : Qnn_Op<"conv2d_grad_input", [Pure]> {
  let summary = "gradient of conv2d with respect to its input";
  let description = [{
    The transposed convolution of `output_grad` (dy, `N x O x OH x OW`) with
    the forward's `weight`, under the forward's `strides`, `pads`,
    `dilations` and `groups`. The result type is the forward input's type
    (it cannot be inferred: several input sizes give the same output size);
    the verifier checks that a conv2d of that input gives dy's shape.

    ```mlir
    %dx = qnn.conv2d_grad_input %dy, %w {pads = array<i64: 1, 1, 1, 1>}
        : (tensor<?x16x8x8xf32>, tensor<16x8x3x3xf32>) -> tensor<?x8x8x8xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$output_grad, Qnn_FloatTensor:$weight,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Qnn_FloatTensor:$input_grad);
  let assemblyFormat = [{
    $output_grad `,` $weight attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qnn_Conv2dGradWeightOp : Qnn_Op<"conv2d_grad_weight", [Pure]> {
  let summary = "gradient of conv2d with respect to its weight";
  let description = [{
    `dw[o, c, ky, kx] = sum_{n, y, x} dy[n, o, y, x] * input[n, g*C/G + c,
    y*sh + ky*dh - pad_top, x*sw + kx*dw - pad_left]`, summed over the batch.
    The result type is the weight's (`O x C/G x KH x KW`); the verifier
    checks it against dy and the forward input.

    ```mlir
    %dw = qnn.conv2d_grad_weight %dy, %x {pads = array<i64: 1, 1, 1, 1>}
        : (tensor<?x16x8x8xf32>, tensor<?x8x8x8xf32>) -> tensor<16x8x3x3xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$output_grad, Qnn_FloatTensor:$input,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Qnn_FloatTensor:$weight_grad);
  let assemblyFormat = [{
    $output_grad `,` $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qnn_BiasGradOp : Qnn_Op<"bias_grad", [Pure, InferTypeOpAdaptor]> {
  let summary = "gradient of a per-channel bias: sum over every axis but 1";
  let description = [{
    `db[c] = sum_{n, ...} dy[n, c, ...]`. The bias of conv2d and of a rank-2
    linear.

    ```mlir
    %db = qnn.bias_grad %dy : (tensor<?x16x8x8xf32>) -> tensor<16xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$output_grad);
  let results = (outs Qnn_FloatTensor:$bias_grad);
  let assemblyFormat = "$output_grad attr-dict `:` functional-type(operands, results)";
}

def Qnn_LinearGradInputOp : Qnn_Op<"linear_grad_input", [Pure, InferTypeOpAdaptor]> {
  let summary = "gradient of linear with respect to its input: dy * W";
  let description = [{
    For `y = x * W^T + b` with `W` of shape `N x K`: `dx = dy * W`
    (`... x N` times `N x K` gives `... x K`).

    ```mlir
    %dx = qnn.linear_grad_input %dy, %w : (tensor<?x10xf32>, tensor<10x64xf32>) -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$output_grad, Qnn_FloatTensor:$weight);
  let results = (outs Qnn_FloatTensor:$input_grad);
  let assemblyFormat = [{
    $output_grad `,` $weight attr-dict `:` functional-type(operands, results)
  }];
}

def Qnn_LinearGradWeightOp : Qnn_Op<"linear_grad_weight", [Pure, InferTypeOpAdaptor]> {
  let summary = "gradient of linear with respect to its weight: dy^T * x";
  let description = [{
    `dW[n, k] = sum over the leading dimensions of dy[..., n] * x[..., k]`.

    ```mlir
    %dw = qnn.linear_grad_weight %dy, %x : (tensor<?x10xf32>, tensor<?x64xf32>) -> tensor<10x64xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$output_grad, Qnn_FloatTensor:$input);
  let results = (outs Qnn_FloatTensor:$weight_grad);
  let assemblyFormat = [{
    $output_grad `,` $input attr-dict `:` functional-type(operands, results)
  }];
}

def Qnn_BatchNormTrainOp : Qnn_Op<"batch_norm_train", [Pure, InferTypeOpAdaptor,
    AllTypesMatch<["scale", "bias", "running_mean", "running_var"]>]> {
  let summary = "batch normalization in training form (batch statistics)";
  let description = [{
    Normalizes `input` with the statistics of the batch (per channel, axis 1,
    over every other axis): `mean`, biased `var`,
    `invstd = 1 / sqrt(var + epsilon)`,
    `output = (input - mean) * invstd * scale + bias`. Returns, besides the
    output, the saved `mean` and `invstd` for `qnn.batch_norm_grad`, and the
    updated running statistics in qnn.batch_norm's (ONNX) convention:
    `new_running_mean = momentum * running_mean + (1 - momentum) * mean`,
    `new_running_var = momentum * running_var + (1 - momentum) * var_unbiased`
    (PyTorch's unbiased `n / (n - 1)` correction for the running variance).
    With `sync` (qnn-data-parallel), the statistics are those of the global
    batch, every rank's samples: the per-channel sums and counts are summed
    across the ranks of a data-parallel run (synchronized batch norm).

    ```mlir
    %y, %mean, %invstd, %rm2, %rv2 = qnn.batch_norm_train %x, %gamma, %beta, %rm, %rv
        {epsilon = 1.0e-05 : f64, momentum = 0.9 : f64} : tensor<?x16x8x8xf32>, tensor<16xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input, Qnn_FloatTensor:$scale,
      Qnn_FloatTensor:$bias, Qnn_FloatTensor:$running_mean,
      Qnn_FloatTensor:$running_var,
      DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon,
      DefaultValuedAttr<F64Attr, "0.9">:$momentum, UnitAttr:$sync);
  let results = (outs Qnn_FloatTensor:$output, Qnn_FloatTensor:$saved_mean,
      Qnn_FloatTensor:$saved_invstd, Qnn_FloatTensor:$new_running_mean,
      Qnn_FloatTensor:$new_running_var);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $running_mean `,` $running_var attr-dict
    `:` type($input) `,` type($scale)
  }];
  let hasVerifier = 1;
}

def Qnn_BatchNormGradOp : Qnn_Op<"batch_norm_grad", [Pure, InferTypeOpAdaptor,
    AllTypesMatch<["output_grad", "input"]>,
    AllTypesMatch<["scale", "saved_mean", "saved_invstd"]>]> {
  let summary = "gradient of training-form batch normalization";
  let description = [{
    With `xhat = (input - saved_mean) * saved_invstd` and M elements per
    channel: `dbias = sum dy`, `dscale = sum dy * xhat`,
    `input_grad = scale * saved_invstd / M * (M * dy - dbias - xhat * dscale)`
    (sums per channel). `epsilon` is the forward's, kept for kernels that
    recompute `invstd`. With `sync`, the sums and M are the global batch's
    (summed across the ranks), as the synchronized forward's statistics.

    ```mlir
    %dx, %dgamma, %dbeta = qnn.batch_norm_grad %dy, %x, %gamma, %mean, %invstd
        {epsilon = 1.0e-05 : f64} : tensor<?x16x8x8xf32>, tensor<16xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$output_grad, Qnn_FloatTensor:$input,
      Qnn_FloatTensor:$scale, Qnn_FloatTensor:$saved_mean,
      Qnn_FloatTensor:$saved_invstd,
      DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon, UnitAttr:$sync);
  let results = (outs Qnn_FloatTensor:$input_grad, Qnn_FloatTensor:$scale_grad,
      Qnn_FloatTensor:$bias_grad);
  let assemblyFormat = [{
    $output_grad `,` $input `,` $scale `,` $saved_mean `,` $saved_invstd
    attr-dict `:` type($input) `,` type($scale)
  }];
  let hasVerifier = 1;
}

def Qnn_GroupNormGradOp : Qnn_Op<"group_norm_grad", [Pure, InferTypeOpAdaptor,
    AllTypesMatch<["output_grad", "input"]>]> {
  let summary = "gradient of group normalization (qnn.group_norm)";
  let description = [{
    The backward of `qnn.group_norm` with the same `num_groups` and
    `epsilon`. Each sample and group's `mean` and `invstd` are recomputed
    from `input` as the forward computes them (in double, biased variance);
    with `xhat = (input - mean) * invstd`, `g = dy * scale[c]` and M elements
    per sample and group: `input_grad = invstd * (g - mean(g) - xhat *
    mean(g * xhat))` (means over the sample's group), `scale_grad = sum dy *
    xhat`, `bias_grad = sum dy` (sums per channel over the samples and
    positions). Numerics: docs/training-math.md, "Group norm".

    ```mlir
    %dx, %dgamma, %dbeta = qnn.group_norm_grad %dy, %x, %gamma
        {num_groups = 8 : i64, epsilon = 1.0e-05 : f64}
        : tensor<?x32x12x12xf32>, tensor<32xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$output_grad, Qnn_FloatTensor:$input,
      Qnn_FloatTensor:$scale, I64Attr:$num_groups,
      DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon);
  let results = (outs Qnn_FloatTensor:$input_grad, Qnn_FloatTensor:$scale_grad,
      Qnn_FloatTensor:$bias_grad);
  let assemblyFormat = [{
    $output_grad `,` $input `,` $scale attr-dict `:` type($input) `,`
    type($scale)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Activations and pooling
//===----------------------------------------------------------------------===//

def Qnn_ReluGradOp : Qnn_Op<"relu_grad", [Pure, SameOperandsAndResultType]> {
  let summary = "gradient of relu: dy where the forward output is positive";
  let description = [{
    `input_grad = output > 0 ? dy : 0`, given relu's result `output`.

    ```mlir
    %dx = qnn.relu_grad %dy, %y : tensor<?x16x8x8xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$output_grad, Qnn_FloatTensor:$output);
  let results = (outs Qnn_FloatTensor:$input_grad);
  let assemblyFormat = "$output_grad `,` $output attr-dict `:` type($output)";
}

def Qnn_ClipGradOp : Qnn_Op<"clip_grad", [Pure, SameOperandsAndResultType]> {
  let summary = "gradient of clip (ReLU6): dy inside (min, max), 0 outside";
  let description = [{
    `input_grad = min < input < max ? dy : 0`, given clip's `input` and
    attributes (PyTorch's hardtanh gradient).

    ```mlir
    %dx = qnn.clip_grad %dy, %x {max = 6.0 : f64, min = 0.0 : f64} : tensor<?x16x8x8xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$output_grad, Qnn_FloatTensor:$input,
      F64Attr:$min, F64Attr:$max);
  let results = (outs Qnn_FloatTensor:$input_grad);
  let assemblyFormat = "$output_grad `,` $input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Qnn_MaxPoolGradOp : Qnn_Op<"max_pool_grad", [Pure, InferTypeOpAdaptor]> {
  let summary = "gradient of max_pool: dy routed to each window's maximum";
  let description = [{
    Each `dy` element is added to the input position that won its window's
    max (the first in row-major order on ties, as PyTorch). `input` is the
    forward's input, the attributes are the forward's; the result has the
    input's type.

    ```mlir
    %dx = qnn.max_pool_grad %dy, %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : (tensor<?x16x4x4xf32>, tensor<?x16x8x8xf32>) -> tensor<?x16x8x8xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$output_grad, Qnn_FloatTensor:$input,
      Qnn_I64Pair:$kernel,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      UnitAttr:$ceil_mode);
  let results = (outs Qnn_FloatTensor:$input_grad);
  let assemblyFormat = [{
    $output_grad `,` $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qnn_AvgPoolGradOp : Qnn_Op<"avg_pool_grad", [Pure]> {
  let summary = "gradient of avg_pool: dy spread evenly over each window";
  let description = [{
    Each `dy` element divided by its window's divisor (as the forward's
    `count_include_pad`) is added to every non-padding position of the
    window. The result type is the forward input's.

    ```mlir
    %dx = qnn.avg_pool_grad %dy {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : (tensor<?x16x4x4xf32>) -> tensor<?x16x8x8xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$output_grad, Qnn_I64Pair:$kernel,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      UnitAttr:$ceil_mode, UnitAttr:$count_include_pad);
  let results = (outs Qnn_FloatTensor:$input_grad);
  let assemblyFormat = "$output_grad attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qnn_GlobalAvgPoolGradOp : Qnn_Op<"global_avg_pool_grad", [Pure]> {
  let summary = "gradient of global_avg_pool: dy / (H * W) broadcast spatially";
  let description = [{
    ```mlir
    %dx = qnn.global_avg_pool_grad %dy : (tensor<?x64x1x1xf32>) -> tensor<?x64x7x7xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$output_grad);
  let results = (outs Qnn_FloatTensor:$input_grad);
  let assemblyFormat = "$output_grad attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement and broadcasting
//===----------------------------------------------------------------------===//

def Qnn_PadGradOp : Qnn_Op<"pad_grad", [Pure, InferTypeOpAdaptor]> {
  let summary = "gradient of pad: dy without the padded border";
  let description = [{
    `pads` are the forward's (ONNX order: all begins, then all ends).

    ```mlir
    %dx = qnn.pad_grad %dy {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>}
        : (tensor<?x16x10x10xf32>) -> tensor<?x16x8x8xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$output_grad, DenseI64ArrayAttr:$pads);
  let results = (outs Qnn_FloatTensor:$input_grad);
  let assemblyFormat = "$output_grad attr-dict `:` functional-type(operands, results)";
}

def Qnn_ReduceToOp : Qnn_Op<"reduce_to", [Pure]> {
  let summary = "sum-reduce a broadcast result back to an operand's shape";
  let description = [{
    The gradient of numpy broadcasting: sums `input` over the leading
    dimensions the result lacks and over the dimensions where the result has
    size 1 (keeping them), so that the result broadcasts to `input`'s shape.

    ```mlir
    %db = qnn.reduce_to %dy : (tensor<?x16x8x8xf32>) -> tensor<16x1x1xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qnn_SliceOp : Qnn_Op<"slice", [Pure]> {
  let summary = "a contiguous range along one axis";
  let description = [{
    `output = input[..., start : start + dim(output, axis), ...]` along
    `axis`; every other dimension is kept. The backward of concat, and the
    importers' form of ONNX Slice with step 1 and of `aten::chunk` (a
    multi-axis Slice is one qnn.slice per axis): ShuffleNet's channel split.

    ```mlir
    %a = qnn.slice %y {axis = 1, start = 8} : (tensor<?x24x4x4xf32>) -> tensor<?x16x4x4xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input, I64Attr:$axis, I64Attr:$start);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantizers
//===----------------------------------------------------------------------===//

def Qnn_FakeQuantGradOp : Qnn_Op<"fake_quant_grad", [Pure,
    AttrSizedOperandSegments, InferTypeOpAdaptor,
    AllTypesMatch<["output_grad", "input"]>]> {
  let summary = "gradient of fake_quant for its input and learned parameters";
  let description = [{
    Takes the forward's `input`, parameter operands and attributes unchanged
    and `output_grad` (dy); returns `input_grad` (the method's surrogate
    gradient, `grad`) and one gradient per *learned* parameter operand, in
    operand order, each of that operand's type. Learned per method: lsq
    `scale`; lsq_plus `scale`, `zero_point`; pact `clip`; non_uniform `clip`;
    xnor_plus_plus `scale`; adaround `offset`. The other parameters are
    calibrated or fixed (uniform, dorefa's boundary, LQ-Nets' basis which is
    fitted, not descended) and get no gradient. Step-size gradients are
    scaled by `grad_scale`. The formulas are in docs/training.md.

    ```mlir
    %dx, %ds = qnn.fake_quant_grad lsq weight %dy, %w scale(%s : tensor<16xf32>) {axis = 0, bits = 4}
        : tensor<16x8x3x3xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$output_grad, Qnn_FloatTensor:$input,
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
          "::qopt::qnn::Adaptive::None">:$adaptive);
  let results = (outs Qnn_FloatTensor:$input_grad,
      Variadic<Qnn_FloatTensor>:$param_grads);
  let assemblyFormat = [{
    `` $method `` $role $output_grad `,` $input
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
    /// See FakeQuantOp::getNumParamSets.
    int64_t getNumParamSets();
  }];
}

def Qnn_LqnetBasisUpdateOp : Qnn_Op<"lqnet_basis_update", [Pure,
    AllTypesMatch<["basis", "new_basis"]>]> {
  let summary = "LQ-Nets' QEM step: refit an lqnet basis to the current codes";
  let description = [{
    The basis update of an `lqnet` fake_quant (Zhang et al., ECCV 2018),
    computed in the forward of a training step rather than by gradient:
    every element of `input` in group `k` is encoded to its nearest level
    `vᵀe` of the current `basis` row `v` (`e ∈ {0, 1}^K` with
    `half_range`, else `{-1, 1}^K`, as the fake_quant), giving the
    K × n code matrix `B`; then `v* = (B Bᵀ)^-1 B x` (least squares) and
    `new_basis = momentum · v + (1 - momentum) · v*`. A group whose `B Bᵀ`
    is singular (a code bit constant over the group) keeps its basis.
    `input`, `basis`, `role`, `bits`, `half_range`, `axis` and `groups` are the
    fake_quant's; `basis` has its shape (`[K]` per tensor, `[S, K]` per
    channel or group, K = `bits` ≤ 8). `momentum` is 0.9 in the seeds
    (model-quantization's `alqnet.py`). docs/training-math.md has the math.
    `qnn-wrap-mode{mode=qat}` emits one per lqnet quantizer and stores the
    result in the basis global.

    ```mlir
    %v2 = qnn.lqnet_basis_update weight %w, %v {axis = 0, bits = 2}
        : tensor<16x8x3x3xf32>, tensor<16x2xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input, Qnn_FloatTensor:$basis,
      Qnn_QuantRoleAttr:$role,
      I64Attr:$bits,
      UnitAttr:$half_range,
      OptionalAttr<I64Attr>:$axis,
      OptionalAttr<I64Attr>:$groups,
      DefaultValuedAttr<F64Attr, "0.9">:$momentum);
  let results = (outs Qnn_FloatTensor:$new_basis);
  let assemblyFormat = [{
    `` $role $input `,` $basis attr-dict `:` type($input) `,` type($basis)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// See FakeQuantOp::getNumParamSets.
    int64_t getNumParamSets();
  }];
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def Qnn_SoftmaxCrossEntropyOp : Qnn_Op<"softmax_cross_entropy", [Pure,
    InferTypeOpAdaptor]> {
  let summary = "mean softmax cross-entropy over the batch, and its gradient";
  let description = [{
    `logits` is `N x C`, `labels` holds class indices in `[0, C)`.
    `loss = -1/N sum_n log softmax(logits[n])[labels[n]]` (a scalar);
    `logits_grad = (softmax(logits) - onehot(labels)) / N`, the gradient of
    `loss`, computed in the same pass (PyTorch's cross_entropy with
    reduction = mean).

    ```mlir
    %loss, %dlogits = qnn.softmax_cross_entropy %logits, %labels
        : tensor<?x10xf32>, tensor<?xi32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$logits, Qnn_I32Tensor:$labels);
  let results = (outs Qnn_F32Scalar:$loss, Qnn_FloatTensor:$logits_grad);
  let assemblyFormat = [{
    $logits `,` $labels attr-dict `:` type($logits) `,` type($labels)
  }];
}

def Qnn_MseLossOp : Qnn_Op<"mse_loss", [Pure, InferTypeOpAdaptor,
    AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "mean squared error over all elements, and its gradient";
  let description = [{
    `loss = mean((lhs - rhs)^2)` over every element (a scalar);
    `lhs_grad = 2 (lhs - rhs) / numel`; the gradient of `rhs` is its
    negation.

    ```mlir
    %loss, %da = qnn.mse_loss %a, %b : tensor<?x10xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$lhs, Qnn_FloatTensor:$rhs);
  let results = (outs Qnn_F32Scalar:$loss, Qnn_FloatTensor:$lhs_grad);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs)";
}

// The detection losses (issue #16): each is a sum over the elements it
// weighs, divided by a `norm` operand, so that a detector's loss over
// several levels is the sum of one op per level with the batch's normalizer
// (FCOS: the number of positive points) computed once on the data side.

def Qnn_SigmoidFocalLossOp : Qnn_Op<"sigmoid_focal_loss", [Pure,
    InferTypeOpAdaptor]> {
  let summary = "sigmoid focal loss of a dense class map, and its gradient";
  let description = [{
    `logits` is `N x C x d...` (a class logit per channel at every
    position), `classes` is `N x d...` with the class index in `[0, C)` of
    each position, or `-1` for background. With `t = 1` where the channel
    is the position's class (else `0`), `p = sigmoid(x)`,
    `ce = max(x, 0) - x t + log(1 + exp(-|x|))`,
    `p_t = p t + (1 - p)(1 - t)` and `a_t = alpha t + (1 - alpha)(1 - t)`:

    `loss = sum(a_t ce (1 - p_t)^gamma) / norm` over every element (a
    scalar), and `logits_grad = d loss / d logits`, computed in the same
    pass. This is torchvision's `sigmoid_focal_loss(x, onehot(classes),
    alpha, gamma, reduction="sum") / norm` (Lin et al., ICCV 2017); a
    negative `alpha` drops the weighting, as torchvision's `alpha = -1`.
    `norm` (a positive scalar, e.g. the batch's number of positive
    positions) is a constant of the step: it gets no gradient.

    ```mlir
    %loss, %dx = qnn.sigmoid_focal_loss %logits, %classes, %npos
        {alpha = 0.25, gamma = 2.0}
        : tensor<?x10x12x12xf32>, tensor<?x12x12xi32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$logits, Qnn_I32Tensor:$classes,
      Qnn_F32Scalar:$norm,
      DefaultValuedAttr<F64Attr, "0.25">:$alpha,
      DefaultValuedAttr<F64Attr, "2.0">:$gamma);
  let results = (outs Qnn_F32Scalar:$loss, Qnn_FloatTensor:$logits_grad);
  let assemblyFormat = [{
    $logits `,` $classes `,` $norm attr-dict `:` type($logits) `,`
    type($classes)
  }];
  let hasVerifier = 1;
}

def Qnn_GiouLossOp : Qnn_Op<"giou_loss", [Pure, InferTypeOpAdaptor,
    AllTypesMatch<["pred", "target"]>]> {
  let summary = "weighted GIoU loss of boxes given as distances, and its "
                "gradient";
  let description = [{
    `pred` and `target` are `N x 4 x d...`: at every position the distances
    (left, top, right, bottom) from that point to a box's sides (FCOS's box
    encoding); `weight` is `N x 1 x d...`. At each position with
    `weight != 0`, with areas `a_p = (l_p + r_p)(t_p + b_p)`, `a_t` alike,
    intersection `i = (min(l) + min(r)) (min(t) + min(b))`, union
    `u = a_p + a_t - i`, enclosing box `e = (max(l) + max(r)) (max(t) +
    max(b))`:

    `L = 1 - i / max(u, 1e-6) + (max(e, 1e-6) - u) / max(e, 1e-6)`
    (Rezatofighi et al., CVPR 2019), `loss = sum(weight L) / norm` (a
    scalar), and `pred_grad = d loss / d pred`, computed in the same pass
    as PyTorch's autograd differentiates the formula (a tie of `min` / `max`
    splits the gradient in halves, a clamped `u` or `e` passes none).
    Positions of weight 0 contribute nothing, not even a NaN. `target`,
    `weight` and `norm` are constants of the step: they get no gradient.

    ```mlir
    %loss, %dbox = qnn.giou_loss %box, %box_t, %ctr_t, %ctr_sum
        : tensor<?x4x12x12xf32>, tensor<?x1x12x12xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$pred, Qnn_FloatTensor:$target,
      Qnn_FloatTensor:$weight, Qnn_F32Scalar:$norm);
  let results = (outs Qnn_F32Scalar:$loss, Qnn_FloatTensor:$pred_grad);
  let assemblyFormat = [{
    $pred `,` $target `,` $weight `,` $norm attr-dict `:` type($pred) `,`
    type($weight)
  }];
  let hasVerifier = 1;
}

def Qnn_BceWithLogitsLossOp : Qnn_Op<"bce_with_logits_loss", [Pure,
    InferTypeOpAdaptor, AllTypesMatch<["logits", "target", "weight"]>]> {
  let summary = "weighted binary cross-entropy of logits, and its gradient";
  let description = [{
    `loss = sum(weight (max(x, 0) - x t + log(1 + exp(-|x|)))) / norm` over
    every element of `logits` `x` and `target` `t` (probabilities in
    [0, 1]), a scalar; `logits_grad = weight (sigmoid(x) - t) / norm`,
    computed in the same pass (PyTorch's
    `binary_cross_entropy_with_logits(x, t, weight, reduction="sum") /
    norm`; FCOS's centerness loss weighs the positive positions by 1).
    `target`, `weight` and `norm` are constants of the step.

    ```mlir
    %loss, %dctr = qnn.bce_with_logits_loss %ctr, %ctr_t, %pos, %npos
        : tensor<?x1x12x12xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$logits, Qnn_FloatTensor:$target,
      Qnn_FloatTensor:$weight, Qnn_F32Scalar:$norm);
  let results = (outs Qnn_F32Scalar:$loss, Qnn_FloatTensor:$logits_grad);
  let assemblyFormat = [{
    $logits `,` $target `,` $weight `,` $norm attr-dict `:` type($logits)
  }];
}

def Qnn_AdaroundRegularizerOp : Qnn_Op<"adaround_regularizer", [Pure,
    InferTypeOpAdaptor]> {
  let summary = "AdaRound's rounding regularizer, and its gradient";
  let description = [{
    `loss = lambda * sum(1 - |2 h(V) - 1|^beta)` over every element of
    `offset` (AdaRound's `V`), with `h(V) = clamp(sigmoid(V) (zeta - gamma) +
    gamma, 0, 1)`, `zeta = 1.1`, `gamma = -0.1` (Nagel et al., ICML 2020,
    eq. 24); `offset_grad = d loss / d V`, computed in the same pass. `beta`
    and `lambda` are scalar operands because reconstruction schedules them
    (QDrop / BRECQ: `lambda = 0` during a warm-up, then `beta` annealed from
    20 to 2) while the graph stays the same. The loss pushes every `h(V)` to
    0 or 1, so that hardening at the end changes little.

    ```mlir
    %reg, %dv = qnn.adaround_regularizer %v, %beta, %lambda : tensor<16x8x3x3xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$offset, Qnn_F32Scalar:$beta,
      Qnn_F32Scalar:$lambda);
  let results = (outs Qnn_F32Scalar:$loss, Qnn_FloatTensor:$offset_grad);
  let assemblyFormat = "$offset `,` $beta `,` $lambda attr-dict `:` type($offset)";
}

//===----------------------------------------------------------------------===//
// Data parallelism
//===----------------------------------------------------------------------===//

def Qnn_AllReduceOp : Qnn_Op<"all_reduce", [AllTypesMatch<["input", "output"]>]> {
  let summary = "a gradient averaged over the ranks of a data-parallel run";
  let description = [{
    `output = sum over ranks r of w_r * input_r`, where `w_r` is rank r's
    share of the global batch (its samples over every rank's, set by the
    training loop before each step): the gradient of the global batch's mean
    loss when each rank's `input` is the gradient of its own shard's mean
    loss. In a run of one process `w = 1` and `output = input` exactly.
    qnn-data-parallel puts one before every optimizer update's gradient.
    Not `Pure`: every rank must run the same all_reduces in the same order,
    so none may be removed, merged or moved.

    ```mlir
    %g2 = qnn.all_reduce %g : tensor<16x8x3x3xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Optimizer updates
//===----------------------------------------------------------------------===//

def Qnn_SgdUpdateOp : Qnn_Op<"sgd_update", [Pure, InferTypeOpAdaptor,
    AllTypesMatch<["param", "grad", "momentum_buffer"]>]> {
  let summary = "one SGD step (PyTorch's torch.optim.SGD) on one parameter";
  let description = [{
    `g = grad + weight_decay * param`;
    `buf' = momentum * buf + (1 - dampening) * g`;
    `d = nesterov ? g + momentum * buf' : buf'` (with `momentum = 0`,
    `d = g` and the buffer is returned unchanged);
    `param' = param - lr * d`. The buffer starts at zero, so the first step
    equals PyTorch's (which starts from `g`) when `dampening = 0`.
    `lr` is a scalar operand so a schedule lives in the driver.

    ```mlir
    %p2, %buf2 = qnn.sgd_update %p, %g, %buf, %lr {momentum = 0.9 : f64, weight_decay = 5.0e-05 : f64}
        : tensor<16x8x3x3xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$param, Qnn_FloatTensor:$grad,
      Qnn_FloatTensor:$momentum_buffer, Qnn_F32Scalar:$lr,
      DefaultValuedAttr<F64Attr, "0.0">:$momentum,
      DefaultValuedAttr<F64Attr, "0.0">:$dampening,
      UnitAttr:$nesterov,
      DefaultValuedAttr<F64Attr, "0.0">:$weight_decay);
  let results = (outs Qnn_FloatTensor:$new_param,
      Qnn_FloatTensor:$new_momentum_buffer);
  let assemblyFormat = [{
    $param `,` $grad `,` $momentum_buffer `,` $lr attr-dict `:` type($param)
  }];
  let hasVerifier = 1;
}

def Qnn_AdamUpdateOp : Qnn_Op<"adam_update", [Pure, InferTypeOpAdaptor,
    AllTypesMatch<["param", "grad", "exp_avg", "exp_avg_sq"]>]> {
  let summary = "one Adam step (PyTorch's torch.optim.Adam) on one parameter";
  let description = [{
    With `t = step` (1 for the first update):
    `g = grad + weight_decay * param`; `m' = beta1 m + (1 - beta1) g`;
    `v' = beta2 v + (1 - beta2) g^2`;
    `param' = param - lr * (m' / (1 - beta1^t)) /
    (sqrt(v' / (1 - beta2^t)) + epsilon)`. `lr` and `step` are scalar
    operands.

    ```mlir
    %p2, %m2, %v2 = qnn.adam_update %p, %g, %m, %v, %lr, %t {weight_decay = 0.0 : f64}
        : tensor<16x8x3x3xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$param, Qnn_FloatTensor:$grad,
      Qnn_FloatTensor:$exp_avg, Qnn_FloatTensor:$exp_avg_sq,
      Qnn_F32Scalar:$lr, Qnn_F32Scalar:$step,
      DefaultValuedAttr<F64Attr, "0.9">:$beta1,
      DefaultValuedAttr<F64Attr, "0.999">:$beta2,
      DefaultValuedAttr<F64Attr, "1.0e-8">:$epsilon,
      DefaultValuedAttr<F64Attr, "0.0">:$weight_decay);
  let results = (outs Qnn_FloatTensor:$new_param, Qnn_FloatTensor:$new_exp_avg,
      Qnn_FloatTensor:$new_exp_avg_sq);
  let assemblyFormat = [{
    $param `,` $grad `,` $exp_avg `,` $exp_avg_sq `,` $lr `,` $step attr-dict
    `:` type($param)
  }];
  let hasVerifier = 1;
}

#endif // QNN_TRAINING_OPS_TD
