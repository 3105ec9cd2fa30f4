//===- QnnIntegerOps.td - integer deployment ops -----------*- tablegen -*-===//
//
// Integer ops carry their quantization in the element type
// (`!quant.uniform<i8:f32, 0.05:-3>`, or per axis). Accumulation is int32;
// requantization to the result type and its rounding are defined once in
// docs/semantics.md ("Requantization") and runtime/Requant.h, shared by qrt
// and the simulation.
//
//===----------------------------------------------------------------------===//

#ifndef QNN_INTEGER_OPS_TD
#define QNN_INTEGER_OPS_TD

def Qnn_QuantizeOp : Qnn_Op<"quantize", [Pure]> {
  let summary = "float to integer: clamp(round(x / s) + z)";
  let description = [{
    Rounds half to even, saturates to the storage range of the result type.

    ```mlir
    %q = qnn.quantize %x : tensor<?x16x28x28xf32> -> tensor<?x16x28x28x!quant.uniform<u8:f32, 0.02:0>>
    ```
  }];
  let arguments = (ins Qnn_FloatTensor:$input);
  let results = (outs Qnn_QuantizedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Qnn_DequantizeOp : Qnn_Op<"dequantize", [Pure]> {
  let summary = "integer to float: (q - z) * s";
  let description = [{
    ```mlir
    %x = qnn.dequantize %q : tensor<?x10x!quant.uniform<i8:f32, 0.1:3>> -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins Qnn_QuantizedTensor:$input);
  let results = (outs Qnn_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Qnn_RequantizeOp : Qnn_Op<"requantize", [Pure]> {
  let summary = "change of quantization parameters in the integer domain";
  let description = [{
    `q_out = clamp(z_out + fixed_point(q_in - z_in, s_in / s_out))`.

    ```mlir
    %r = qnn.requantize %q : tensor<8x!quant.uniform<i8:f32, 0.1>> -> tensor<8x!quant.uniform<u8:f32, 0.05:128>>
    ```
  }];
  let arguments = (ins Qnn_QuantizedTensor:$input);
  let results = (outs Qnn_QuantizedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Qnn_QConv2dOp : Qnn_Op<"qconv2d", [Pure, AttrSizedOperandSegments]> {
  let summary = "integer 2-D convolution with fused requantization";
  let description = [{
    `acc[n, o, y, x] = bias[o] + sum (input - z_in) * weight` in int32, where
    the weight is symmetric (zero point 0), per tensor or per output channel
    (axis 0), and the bias is in accumulator units (scale `s_in * s_w[o]`):
    int32, or f32 (a float bias divided by that scale, unrounded; requantized
    results only, where it is added in the f32 epilogue); padding holds
    the input's zero point. The accumulator is requantized to the result
    type with the f32 epilogue of docs/semantics.md ("Requantization"):
    `relu` clamps at the result's zero point; a `residual` operand (same
    storage type as the result) is added as `(s_r / s_out) (r - z_r)` before
    rounding (the residual add of a ResNet block fused into the
    convolution). The
    result may instead be the raw i32 accumulator, typed
    `!quant.uniform<i32:f32:1, {s_in * s_w[c], ...}>` (per output channel),
    which a `qnn.dequantize` turns back into float: an int8 layer with a float
    epilogue.

    ```mlir
    %y = qnn.qconv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, relu}
        : (tensor<?x16x28x28x!quant.uniform<u8:f32, 0.02>>,
           tensor<16x16x3x3x!quant.uniform<i8:f32:0, {0.01, ...}>>, tensor<16xi32>)
        -> tensor<?x16x28x28x!quant.uniform<u8:f32, 0.03>>
    ```
  }];
  let arguments = (ins Qnn_QuantizedTensor:$input, Qnn_QuantizedTensor:$weight,
      Optional<AnyTypeOf<[Qnn_I32Tensor, Qnn_FloatTensor]>>:$bias,
      Optional<Qnn_QuantizedTensor>:$residual,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<I64Attr, "1">:$groups,
      UnitAttr:$relu);
  let results = (outs Qnn_QuantizedTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? (`residual` `(` $residual^ `)`)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qnn_QLinearOp : Qnn_Op<"qlinear", [Pure]> {
  let summary = "integer fully connected layer with fused requantization";
  let description = [{
    As `qnn.qconv2d`, for `output = input * weight^T + bias`; `weight` is
    `N x K`, per tensor or per output channel (axis 0). The result may also be
    a plain `i32` tensor (the raw accumulator, for a final float dequantize).

    ```mlir
    %y = qnn.qlinear %x, %w, %b
        : (tensor<?x64x!quant.uniform<u8:f32, 0.05>>, tensor<10x64x!quant.uniform<i8:f32, 0.01>>, tensor<10xi32>)
        -> tensor<?x10x!quant.uniform<i8:f32, 0.1>>
    ```
  }];
  let arguments = (ins Qnn_QuantizedTensor:$input, Qnn_QuantizedTensor:$weight,
      Optional<Qnn_I32Tensor>:$bias, UnitAttr:$relu);
  let results = (outs AnyTypeOf<[Qnn_QuantizedTensor, Qnn_I32Tensor]>:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qnn_QAddOp : Qnn_Op<"qadd", [Pure]> {
  let summary = "integer addition of two quantized tensors, requantized";
  let description = [{
    `quantize(relu?(dequantize(lhs) + dequantize(rhs)))` computed in f32,
    exactly as ONNX's DequantizeLinear, Add and QuantizeLinear (and a
    fake-quantized add) compute it. Shapes must match (no broadcasting).

    ```mlir
    %y = qnn.qadd %a, %b {relu}
        : (tensor<?x16x7x7x!quant.uniform<u8:f32, 0.02>>, tensor<?x16x7x7x!quant.uniform<u8:f32, 0.03>>)
        -> tensor<?x16x7x7x!quant.uniform<u8:f32, 0.04>>
    ```
  }];
  let arguments = (ins Qnn_QuantizedTensor:$lhs, Qnn_QuantizedTensor:$rhs,
      UnitAttr:$relu);
  let results = (outs Qnn_QuantizedTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // QNN_INTEGER_OPS_TD
