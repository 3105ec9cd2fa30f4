func.func @qdq_add(%a: tensor<1x4x!quant.uniform<u8:f32, 0.1:3>>, %b: tensor<1x4x!quant.uniform<i8:f32, 0.05>>) -> tensor<1x4x!quant.uniform<u8:f32, 0.2>> {
  %af = qnn.dequantize %a : tensor<1x4x!quant.uniform<u8:f32, 0.1:3>> -> tensor<1x4xf32>
  %bf = qnn.dequantize %b : tensor<1x4x!quant.uniform<i8:f32, 0.05>> -> tensor<1x4xf32>
  %s = qnn.add %af, %bf : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %r = qnn.relu %s : tensor<1x4xf32>
  %q = qnn.quantize %r : tensor<1x4xf32> -> tensor<1x4x!quant.uniform<u8:f32, 0.2>>
  return %q : tensor<1x4x!quant.uniform<u8:f32, 0.2>>
}
