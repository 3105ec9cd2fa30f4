func.func @qdq_conv(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x4x4x!quant.uniform<u8:f32, 0.05>> {
  %xq = qnn.quantize %x : tensor<?x1x4x4xf32> -> tensor<?x1x4x4x!quant.uniform<u8:f32, 0.1:3>>
  %xf = qnn.dequantize %xq : tensor<?x1x4x4x!quant.uniform<u8:f32, 0.1:3>> -> tensor<?x1x4x4xf32>
  %w8 = arith.constant dense<[[[[2]]], [[[-1]]]]> : tensor<2x1x1x1xi8>
  %w = quant.scast %w8 : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!quant.uniform<i8:f32:0, {0.25, 0.2}>>
  %wf = qnn.dequantize %w : tensor<2x1x1x1x!quant.uniform<i8:f32:0, {0.25, 0.2}>> -> tensor<2x1x1x1xf32>
  %b32 = arith.constant dense<[7, -9]> : tensor<2xi32>
  %b = quant.scast %b32 : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {0.025, 0.02}>>
  %bf = qnn.dequantize %b : tensor<2x!quant.uniform<i32:f32:0, {0.025, 0.02}>> -> tensor<2xf32>
  %y = qnn.conv2d %xf, %wf, %bf : (tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %yq = qnn.quantize %y : tensor<?x2x4x4xf32> -> tensor<?x2x4x4x!quant.uniform<u8:f32, 0.05>>
  return %yq : tensor<?x2x4x4x!quant.uniform<u8:f32, 0.05>>
}
