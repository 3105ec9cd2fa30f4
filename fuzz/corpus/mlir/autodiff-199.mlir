ml_program.global private mutable @conv.weight(dense<0.1> : tensor<4x4x1x1xf32>) : tensor<4x4x1x1xf32> {qnn.kind = "weight"}
ml_program.global private mutable @scale(dense<1.0> : tensor<1x4x1x1xf32>) : tensor<1x4x1x1xf32>

func.func @residual(%x: tensor<2x4x4x4xf32>, %t: tensor<2x4x4x4xf32>) -> tensor<f32> attributes {qnn.loss} {
  %w = ml_program.global_load @conv.weight : tensor<4x4x1x1xf32>
  %s = ml_program.global_load @scale : tensor<1x4x1x1xf32>
  %w2 = ml_program.global_load @conv.weight : tensor<4x4x1x1xf32>
  %h = qnn.conv2d %x, %w : (tensor<2x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<2x4x4x4xf32>
  %r = qnn.relu %h : tensor<2x4x4x4xf32>
  %sum = qnn.add %h, %r : (tensor<2x4x4x4xf32>, tensor<2x4x4x4xf32>) -> tensor<2x4x4x4xf32>
  %sc = qnn.mul %sum, %s : (tensor<2x4x4x4xf32>, tensor<1x4x1x1xf32>) -> tensor<2x4x4x4xf32>
  %z = qnn.conv2d %sc, %w2 : (tensor<2x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<2x4x4x4xf32>
  %loss, %dz = qnn.mse_loss %z, %t : tensor<2x4x4x4xf32>
  return %loss : tensor<f32>
}
