!qx = !quant.uniform<u8:f32, 0.02>
func.func @dequantize_float_input(%a: tensor<2x4xf32>) {
  %0 = qnn.dequantize %a : tensor<2x4xf32> -> tensor<2x4xf32>
  return
}
