//===- QnnNetworkOps.td - float network ops ----------------*- tablegen -*-===//
//
// Float ops with ONNX / PyTorch semantics, NCHW layout. Where the result type
// follows from the operands it is inferred (and checked against the written
// one); pads are [top, left, bottom, right] for 2-D ops.
//
//===----------------------------------------------------------------------===//

#ifndef QNN_NETWORK_OPS_TD
#define QNN_NETWORK_OPS_TD

def Qnn_I64Pair : ConfinedAttr<DenseI64ArrayAttr, [DenseArrayCount<2>]>;

//===----------------------------------------------------------------------===//
// Convolution, normalization, dense layers
//===----------------------------------------------------------------------===//

def Qnn_Conv2dOp : Qnn_Op<"conv2d", [Pure, InferTypeOpAdaptor]> {
  let summary = "2-D convolution (cross-correlation), NCHW / OIHW";
  let description = [{
    `output[n, o, y, x] = bias[o] + sum_{c, ky, kx} input[n, g*C/G + c,
    y*sh + ky*dh - pad_top, x*sw + kx*dw - pad_left] * weight[o, c, ky, kx]`
    where `g = o / (O / G)`, with zero padding. The weight is
    `O x C/G x KH x KW`; `groups = C` with `O = C` is a depthwise convolution.

    ```mlir
    %y = qnn.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>}
        : (tensor<?x1x28x28xf32>, tensor<16x1x3x3xf32>, tensor<16xf32>)
        -> tensor<?x16x28x28xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input, Qnn_FloatTensor:$weight,
      Optional<Qnn_FloatTensor>:$bias,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qnn_BatchNormOp : Qnn_Op<"batch_norm", [Pure,
    AllTypesMatch<["input", "output"]>,
    AllTypesMatch<["scale", "bias", "mean", "variance"]>]> {
  let summary = "batch normalization in inference form";
  let description = [{
    `output = (input - mean[c]) / sqrt(var[c] + epsilon) * scale[c] + bias[c]`
    over channel axis 1, with the running statistics as operands. `momentum`
    follows ONNX: a training step updates
    `running = momentum * running + (1 - momentum) * batch_statistic`
    (PyTorch's `momentum` m is `1 - m` here). Training uses
    `qnn.batch_norm_train` (docs/training.md).

    ```mlir
    %y = qnn.batch_norm %x, %gamma, %beta, %mean, %var {epsilon = 1.0e-05 : f64}
        : tensor<?x16x28x28xf32>, tensor<16xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input, Qnn_FloatTensor:$scale,
      Qnn_FloatTensor:$bias, Qnn_FloatTensor:$mean, Qnn_FloatTensor:$variance,
      DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon,
      DefaultValuedAttr<F64Attr, "0.9">:$momentum);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:`
    type($input) `,` type($scale)
  }];
  let hasVerifier = 1;
}

def Qnn_LayerNormOp : Qnn_Op<"layer_norm", [Pure,
    AllTypesMatch<["input", "output"]>, AllTypesMatch<["scale", "bias"]>]> {
  let summary = "layer normalization over the trailing axes";
  let description = [{
    `output = (input - mean) / sqrt(var + epsilon) * scale + bias`, where
    `mean` and the biased `var` are taken over axes `[axis, rank)` of each
    leading index, and `scale` and `bias` have the shape of those trailing
    axes: ONNX `LayerNormalization` (opset 17) and PyTorch's `layer_norm`
    (`normalized_shape` = the trailing dims). The importers give an affine-free
    norm a scale of ones and a bias of zeros. Numerics: docs/semantics.md.

    ```mlir
    %y = qnn.layer_norm %x, %gamma, %beta {axis = 2 : i64, epsilon = 1.0e-06 : f64}
        : tensor<?x17x192xf32>, tensor<192xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input, Qnn_FloatTensor:$scale,
      Qnn_FloatTensor:$bias, I64Attr:$axis,
      DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias attr-dict `:` type($input) `,` type($scale)
  }];
  let hasVerifier = 1;
}

def Qnn_GroupNormOp : Qnn_Op<"group_norm", [Pure,
    AllTypesMatch<["input", "output"]>, AllTypesMatch<["scale", "bias"]>]> {
  let summary = "group normalization over channel groups (NC...)";
  let description = [{
    The `C` channels of an `N x C x ...` input are split into `num_groups`
    groups of `C / num_groups` consecutive channels; per sample and group,
    `output = (input - mean) / sqrt(var + epsilon) * scale[c] + bias[c]`,
    with `mean` and the biased `var` taken over the group's channels and all
    their spatial positions, and `scale`, `bias` one per channel: PyTorch's
    `group_norm` (nn.GroupNorm, FCOS's heads); ONNX `InstanceNormalization`
    is the case `num_groups = C`. The ONNX importer fuses torch.onnx's
    GroupNorm pattern (Reshape to `N x G x -1`, InstanceNormalization,
    Reshape back, Mul, Add) into one op. Numerics: docs/semantics.md.

    ```mlir
    %y = qnn.group_norm %x, %gamma, %beta {num_groups = 32 : i64, epsilon = 1.0e-05 : f64}
        : tensor<?x256x20x20xf32>, tensor<256xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input, Qnn_FloatTensor:$scale,
      Qnn_FloatTensor:$bias, I64Attr:$num_groups,
      DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias attr-dict `:` type($input) `,` type($scale)
  }];
  let hasVerifier = 1;
}

def Qnn_LinearOp : Qnn_Op<"linear", [Pure, InferTypeOpAdaptor]> {
  let summary = "fully connected layer: output = input * weight^T + bias";
  let description = [{
    `input` is `... x K`, `weight` is `N x K` (PyTorch's nn.Linear layout; ONNX
    Gemm imports to this), `bias` is `N`. The result is `... x N`.

    ```mlir
    %y = qnn.linear %x, %w, %b : (tensor<?x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input, Qnn_FloatTensor:$weight,
      Optional<Qnn_FloatTensor>:$bias);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qnn_MatmulOp : Qnn_Op<"matmul", [Pure, InferTypeOpAdaptor]> {
  let summary = "matrix product with numpy broadcasting of batch dimensions";
  let description = [{
    numpy.matmul semantics: rank-1 operands are promoted and the promoted
    dimension removed from the result; leading dimensions broadcast.

    ```mlir
    %y = qnn.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$lhs, Qnn_FloatTensor:$rhs);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

class Qnn_UnaryOp<string mnemonic, list<Trait> traits = []>
    : Qnn_Op<mnemonic, !listconcat(traits,
          [Pure, SameOperandsAndResultType])> {
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Qnn_ReluOp : Qnn_UnaryOp<"relu"> {
  let summary = "max(x, 0)";
  let description = "```mlir\n%y = qnn.relu %x : tensor<?x16x28x28xf32>\n```";
  let arguments = (ins Qnn_FloatTensor:$input);
}

def Qnn_SigmoidOp : Qnn_UnaryOp<"sigmoid"> {
  let summary = "1 / (1 + exp(-x))";
  let description = "```mlir\n%y = qnn.sigmoid %x : tensor<4xf32>\n```";
  let arguments = (ins Qnn_FloatTensor:$input);
}

def Qnn_HardSwishOp : Qnn_UnaryOp<"hard_swish"> {
  let summary = "x * relu6(x + 3) / 6";
  let description = "```mlir\n%y = qnn.hard_swish %x : tensor<4xf32>\n```";
  let arguments = (ins Qnn_FloatTensor:$input);
}

def Qnn_HardSigmoidOp : Qnn_UnaryOp<"hard_sigmoid"> {
  let summary = "max(0, min(1, alpha * x + beta))";
  let description = [{
    ONNX HardSigmoid; PyTorch's hardsigmoid is alpha = 1/6, beta = 0.5.

    ```mlir
    %y = qnn.hard_sigmoid %x {alpha = 0.2 : f64, beta = 0.5 : f64} : tensor<4xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input,
      DefaultValuedAttr<F64Attr, "0.2">:$alpha,
      DefaultValuedAttr<F64Attr, "0.5">:$beta);
}

def Qnn_SiluOp : Qnn_UnaryOp<"silu"> {
  let summary = "x * sigmoid(x) (SiLU, Swish with beta = 1)";
  let description = [{
    One op rather than `qnn.mul(x, qnn.sigmoid(x))`: the ONNX importer fuses
    that pattern, so the quantization passes see one activation between two
    layers (no quantizer between the sigmoid and the product) and the
    runtime makes one pass over the tensor. Numerics: docs/semantics.md.

    ```mlir
    %y = qnn.silu %x : tensor<?x32x56x56xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input);
}

def Qnn_GeluOp : Qnn_UnaryOp<"gelu"> {
  let summary = "x * Phi(x), exact (erf) or with the tanh approximation";
  let description = [{
    `approximate = "none"`: `0.5 x (1 + erf(x / sqrt(2)))`; `"tanh"`:
    `0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))`, the two forms of
    PyTorch's `gelu` and ONNX's `Gelu` (opset 20). Numerics:
    docs/semantics.md.

    ```mlir
    %y = qnn.gelu %x {approximate = "tanh"} : tensor<?x197x768xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input,
      DefaultValuedStrAttr<StrAttr, "none">:$approximate);
  let hasVerifier = 1;
}

def Qnn_ErfOp : Qnn_UnaryOp<"erf"> {
  let summary = "the error function, elementwise";
  let description = [{
    ONNX `Erf`; what an exported GELU is built from when the importer does not
    fuse it.

    ```mlir
    %y = qnn.erf %x : tensor<4xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input);
}

def Qnn_TanhOp : Qnn_UnaryOp<"tanh"> {
  let summary = "the hyperbolic tangent, elementwise";
  let description = [{
    ONNX `Tanh` and PyTorch's `tanh` (C's `tanhf`), as in MaxViT's
    classifier head. Numerics: docs/semantics.md.

    ```mlir
    %y = qnn.tanh %x : tensor<?x49x49xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input);
}

def Qnn_SqrtOp : Qnn_UnaryOp<"sqrt"> {
  let summary = "the square root, elementwise (IEEE: NaN below zero)";
  let description = [{
    ONNX `Sqrt`, as in layer normalization exported at opsets before 17.

    ```mlir
    %y = qnn.sqrt %x : tensor<?x17x1xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input);
}

def Qnn_PowOp : Qnn_UnaryOp<"pow"> {
  let summary = "x ^ exponent, elementwise, for a constant exponent";
  let description = [{
    ONNX `Pow` and PyTorch's `pow` with a scalar constant exponent (a tensor
    exponent is refused by the importers). `exponent = 2` is computed as
    `x * x` and `0.5` as `sqrt(x)`, as ATen does; others as C's `powf`.
    Numerics: docs/semantics.md.

    ```mlir
    %y = qnn.pow %x {exponent = 2.0 : f64} : tensor<?x17x192xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input, F64Attr:$exponent);
}

def Qnn_LeakyReluOp : Qnn_UnaryOp<"leaky_relu"> {
  let summary = "x if x >= 0 else alpha * x";
  let description = "```mlir\n%y = qnn.leaky_relu %x {alpha = 0.1 : f64} : tensor<4xf32>\n```";
  let arguments = (ins Qnn_FloatTensor:$input,
      DefaultValuedAttr<F64Attr, "0.01">:$alpha);
}

def Qnn_ClipOp : Qnn_UnaryOp<"clip"> {
  let summary = "min(max(x, min), max); ReLU6 is clip [0, 6]";
  let description = [{
    ```mlir
    %y = qnn.clip %x {max = 6.0 : f64, min = 0.0 : f64} : tensor<4xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input, F64Attr:$min, F64Attr:$max);
  let hasVerifier = 1;
}

def Qnn_SoftmaxOp : Qnn_UnaryOp<"softmax"> {
  let summary = "exp(x) / sum(exp(x)) along one axis";
  let description = "```mlir\n%y = qnn.softmax %x {axis = 1} : tensor<?x10xf32>\n```";
  let arguments = (ins Qnn_FloatTensor:$input,
      DefaultValuedAttr<I64Attr, "-1">:$axis);
  let hasVerifier = 1;
}

def Qnn_PreluOp : Qnn_Op<"prelu", [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "x if x >= 0 else slope * x, slope per channel or scalar";
  let description = [{
    `slope` has one element, or one per channel (axis 1).

    ```mlir
    %y = qnn.prelu %x, %slope : tensor<?x16x28x28xf32>, tensor<16xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input, Qnn_FloatTensor:$slope);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = "$input `,` $slope attr-dict `:` type($input) `,` type($slope)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops (numpy broadcasting)
//===----------------------------------------------------------------------===//

class Qnn_BinaryOp<string mnemonic, string formula>
    : Qnn_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = formula # " with numpy broadcasting";
  let description = "```mlir\n%y = qnn." # mnemonic #
      " %a, %b : (tensor<?x16x7x7xf32>, tensor<1x16x1x1xf32>) -> tensor<?x16x7x7xf32>\n```";
  let arguments = (ins Qnn_FloatTensor:$lhs, Qnn_FloatTensor:$rhs);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Qnn_AddOp : Qnn_BinaryOp<"add", "lhs + rhs">;
def Qnn_SubOp : Qnn_BinaryOp<"sub", "lhs - rhs">;
def Qnn_MulOp : Qnn_BinaryOp<"mul", "lhs * rhs">;
def Qnn_DivOp : Qnn_BinaryOp<"div", "lhs / rhs">;

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

class Qnn_PoolOp<string mnemonic> : Qnn_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Qnn_MaxPoolOp : Qnn_PoolOp<"max_pool"> {
  let summary = "2-D max pooling";
  let description = [{
    Padding never wins the max. `ceil_mode` rounds the output size up.

    ```mlir
    %y = qnn.max_pool %x {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
        : (tensor<?x64x112x112xf32>) -> tensor<?x64x56x56xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input, Qnn_I64Pair:$kernel,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      UnitAttr:$ceil_mode);
  let hasVerifier = 1;
}

def Qnn_AvgPoolOp : Qnn_PoolOp<"avg_pool"> {
  let summary = "2-D average pooling";
  let description = [{
    With `count_include_pad` the divisor is the full window, else the number of
    non-padding elements.

    ```mlir
    %y = qnn.avg_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : (tensor<?x16x8x8xf32>) -> tensor<?x16x4x4xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input, Qnn_I64Pair:$kernel,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      UnitAttr:$ceil_mode, UnitAttr:$count_include_pad);
  let hasVerifier = 1;
}

def Qnn_GlobalAvgPoolOp : Qnn_PoolOp<"global_avg_pool"> {
  let summary = "mean over the spatial dimensions, keeping them as size 1";
  let description = [{
    ```mlir
    %y = qnn.global_avg_pool %x : (tensor<?x64x7x7xf32>) -> tensor<?x64x1x1xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input);
}

def Qnn_ReduceMeanOp : Qnn_Op<"reduce_mean", [Pure, InferTypeOpAdaptor]> {
  let summary = "mean over a set of axes";
  let description = [{
    The arithmetic mean over `axes` (sorted, distinct, in `[0, rank)`), kept
    as size-1 dimensions with `keepdims`, else removed: ONNX `ReduceMean`
    and PyTorch's `mean(dim, keepdim)`. The importers write the mean over
    H and W of an NCHW tensor as `qnn.global_avg_pool` instead (and a
    `qnn.reshape` without keepdims), which the quantization passes and the
    integer lowering know; this op is every other mean.

    ```mlir
    %y = qnn.reduce_mean %x {axes = array<i64: 1>, keepdims = true}
        : (tensor<?x64x7x7xf32>) -> tensor<?x1x7x7xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input, DenseI64ArrayAttr:$axes,
      DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Qnn_ExpandOp : Qnn_Op<"expand", [Pure, InferTypeOpAdaptor]> {
  let summary = "repeat size-1 axes to the sizes of another tensor's axes";
  let description = [{
    `output` is `input` with each axis in `axes` (size 1 in `input`)
    repeated to the size of the same axis of `like`, whose values are not
    read: ONNX `Expand` and PyTorch's `expand` to a run-time size, as in a
    vision transformer's class token expanded to the batch
    (`class_token.expand(x.shape[0], -1, -1)`). Static expansions are left
    to broadcasting ops.

    ```mlir
    %t = qnn.expand %token, %x {axes = array<i64: 0>}
        : (tensor<1x1x192xf32>, tensor<?x3x64x64xf32>) -> tensor<?x1x192xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input, Qnn_FloatTensor:$like,
      DenseI64ArrayAttr:$axes);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = "$input `,` $like attr-dict `:` functional-type(operands, results)";
}

def Qnn_ConcatOp : Qnn_Op<"concat", [Pure, InferTypeOpAdaptor]> {
  let summary = "concatenation along one axis";
  let description = [{
    ```mlir
    %y = qnn.concat %a, %b {axis = 1} : (tensor<?x8x4x4xf32>, tensor<?x8x4x4xf32>) -> tensor<?x16x4x4xf32>
    ```
  }];
  let arguments = (ins Variadic<Qnn_FloatTensor>:$inputs, I64Attr:$axis);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
}

def Qnn_PadOp : Qnn_Op<"pad", [Pure, InferTypeOpAdaptor]> {
  let summary = "constant padding";
  let description = [{
    `pads` holds the amount added before each dimension, then after each
    dimension (ONNX order, `2 * rank` values, non-negative). The policy pass
    uses this op to make "pad with zero, then quantize" explicit.

    ```mlir
    %y = qnn.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>}
        : (tensor<?x16x28x28xf32>) -> tensor<?x16x30x30xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input, DenseI64ArrayAttr:$pads,
      DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Qnn_ReshapeOp : Qnn_Op<"reshape", [Pure]> {
  let summary = "reinterpretation of the elements in a new shape";
  let description = [{
    The result type gives the new shape; at most one dimension may be dynamic
    on each side, and static element counts must agree.

    ```mlir
    %y = qnn.reshape %x : (tensor<?x64x1x1xf32>) -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qnn_FlattenOp : Qnn_Op<"flatten", [Pure, InferTypeOpAdaptor]> {
  let summary = "collapse to 2-D at `axis` (ONNX Flatten)";
  let description = [{
    ```mlir
    %y = qnn.flatten %x {axis = 1} : (tensor<?x64x1x1xf32>) -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input, DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Qnn_TransposeOp : Qnn_Op<"transpose", [Pure, InferTypeOpAdaptor]> {
  let summary = "permutation of dimensions: output dim i is input dim perm[i]";
  let description = [{
    ```mlir
    %y = qnn.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x4x5xf32>) -> tensor<1x4x5x3xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Qnn_ResizeOp : Qnn_Op<"resize", [Pure]> {
  let summary = "spatial resize (ONNX Resize, PyTorch interpolate)";
  let description = [{
    Resizes the two spatial dimensions of an NCHW tensor to the result type's
    size. `nearest` rounds by `nearest_mode`; `linear` is bilinear. The
    coordinate mapping is ONNX's `coordinate_transformation_mode`.

    ```mlir
    %y = qnn.resize nearest asymmetric %x {nearest_mode = #qnn<nearest_mode floor>}
        : (tensor<1x8x4x4xf32>) -> tensor<1x8x8x8xf32>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input, Qnn_ResizeModeAttr:$mode,
      Qnn_CoordinateModeAttr:$coordinate_mode,
      DefaultValuedAttr<Qnn_NearestModeAttr,
          "::qopt::qnn::NearestMode::RoundPreferFloor">:$nearest_mode);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = [{
    `` $mode `` $coordinate_mode $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // QNN_NETWORK_OPS_TD
