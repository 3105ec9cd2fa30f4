!qx = !quant.uniform<u8:f32, 0.02>
func.func @quantize_shape(%a: tensor<2x4xf32>) {
  %0 = qnn.quantize %a : tensor<2x4xf32> -> tensor<2x5x!qx>
  return
}
