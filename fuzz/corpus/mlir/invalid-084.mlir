!qh = !quant.uniform<u8:f16, 0.02>
func.func @quantize_expressed_type(%a: tensor<2x4xf32>) {
  %0 = qnn.quantize %a : tensor<2x4xf32> -> tensor<2x4x!qh>
  return
}
