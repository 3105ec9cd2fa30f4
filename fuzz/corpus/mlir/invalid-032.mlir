func.func @prelu_slope(%x: tensor<1x4x8x8xf32>, %s: tensor<3xf32>) {
  %0 = qnn.prelu %x, %s : tensor<1x4x8x8xf32>, tensor<3xf32>
  return
}
