func.func @conv_window_too_large(%x: tensor<1x4x2x2xf32>, %w: tensor<8x4x3x3xf32>) {
  %0 = qnn.conv2d %x, %w : (tensor<1x4x2x2xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x1x1xf32>
  return
}
