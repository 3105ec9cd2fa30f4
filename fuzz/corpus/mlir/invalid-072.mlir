!qx = !quant.uniform<u8:f32, 0.02>
!qw = !quant.uniform<u8:f32, 0.01>
func.func @qconv_weight_unsigned(%x: tensor<1x4x8x8x!qx>, %w: tensor<8x4x3x3x!qw>) {
  %0 = qnn.qconv2d %x, %w : (tensor<1x4x8x8x!qx>, tensor<8x4x3x3x!qw>) -> tensor<1x8x6x6x!qx>
  return
}
