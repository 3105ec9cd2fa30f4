func.func @conv_integer_operand(%x: tensor<1x4x8x8xi8>, %w: tensor<8x4x3x3xf32>) {
  %0 = qnn.conv2d %x, %w : (tensor<1x4x8x8xi8>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}
