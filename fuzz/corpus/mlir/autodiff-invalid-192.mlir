ml_program.global private mutable @w(dense<0.1> : tensor<4x4x1x1xf32>) : tensor<4x4x1x1xf32> {qnn.kind = "weight"}

func.func @inference_batch_norm(%x: tensor<2x4x4x4xf32>, %t: tensor<2x4x4x4xf32>, %p: tensor<4xf32>) -> tensor<f32> attributes {qnn.loss} {
  %w = ml_program.global_load @w : tensor<4x4x1x1xf32>
  %c = qnn.conv2d %x, %w : (tensor<2x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<2x4x4x4xf32>
  %y = qnn.batch_norm %c, %p, %p, %p, %p : tensor<2x4x4x4xf32>, tensor<4xf32>
  %loss, %d = qnn.mse_loss %y, %t : tensor<2x4x4x4xf32>
  return %loss : tensor<f32>
}
