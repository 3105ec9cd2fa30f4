!qx = !quant.uniform<u8:f32, 0.02>
!qw = !quant.uniform<i8:f32, 0.01>
func.func @qlinear_features(%x: tensor<2x5x!qx>, %w: tensor<3x4x!qw>) {
  %0 = qnn.qlinear %x, %w : (tensor<2x5x!qx>, tensor<3x4x!qw>) -> tensor<2x3xi32>
  return
}
