func.func @conv_grad_input_channels(%dy: tensor<1x16x6x6xf32>, %w: tensor<16x8x3x3xf32>) {
  %0 = qnn.conv2d_grad_input %dy, %w : (tensor<1x16x6x6xf32>, tensor<16x8x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}
