func.func @negative_step_off_grid(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %w = arith.constant dense<[[[[2.0]]]]> : tensor<1x1x1x1xf32>
  %ws = arith.constant dense<-0.25> : tensor<f32>
  %wq = qnn.fake_quant lsq weight %w scale(%ws : tensor<f32>) {bits = 4} : tensor<1x1x1x1xf32>
  %y = qnn.conv2d %x, %wq : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}
