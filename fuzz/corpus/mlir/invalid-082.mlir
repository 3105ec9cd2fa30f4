!qx = !quant.uniform<u8:f32, 0.02>
func.func @qadd_shapes(%a: tensor<2x4x!qx>, %b: tensor<2x5x!qx>) {
  %0 = qnn.qadd %a, %b : (tensor<2x4x!qx>, tensor<2x5x!qx>) -> tensor<2x4x!qx>
  return
}
