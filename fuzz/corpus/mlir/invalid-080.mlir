!qx = !quant.uniform<u8:f32, 0.02>
!qw = !quant.uniform<i8:f32, 0.01>
func.func @qlinear_relu_i32(%x: tensor<2x4x!qx>, %w: tensor<3x4x!qw>) {
  %0 = qnn.qlinear %x, %w {relu} : (tensor<2x4x!qx>, tensor<3x4x!qw>) -> tensor<2x3xi32>
  return
}
