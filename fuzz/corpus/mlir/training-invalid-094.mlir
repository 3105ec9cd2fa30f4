func.func @conv_grad_weight_groups(%dy: tensor<1x16x6x6xf32>, %x: tensor<1x6x8x8xf32>) {
  %0 = qnn.conv2d_grad_weight %dy, %x {groups = 4} : (tensor<1x16x6x6xf32>, tensor<1x6x8x8xf32>) -> tensor<16x2x3x3xf32>
  return
}
