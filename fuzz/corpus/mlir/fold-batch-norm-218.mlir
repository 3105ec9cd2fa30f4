func.func @negative_step_off_grid(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %w = arith.constant dense<[[[[2.0]]]]> : tensor<1x1x1x1xf32>
  %s = arith.constant dense<-0.25> : tensor<f32>
  %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<f32>) {bits = 4} : tensor<1x1x1x1xf32>
  %p = arith.constant dense<1.0> : tensor<1xf32>
  %y = qnn.conv2d %x, %wq : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %z = qnn.batch_norm %y, %p, %p, %p, %p : tensor<1x1x4x4xf32>, tensor<1xf32>
  return %z : tensor<1x1x4x4xf32>
}
