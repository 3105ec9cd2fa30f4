func.func @conv_grad_weight_rank(%dy: tensor<1x16x6x6xf32>, %x: tensor<1x8x8x8xf32>) {
  %0 = qnn.conv2d_grad_weight %dy, %x : (tensor<1x16x6x6xf32>, tensor<1x8x8x8xf32>) -> tensor<16x8xf32>
  return
}
