ml_program.global private mutable @w(dense<0.1> : tensor<3x4xf32>) : tensor<3x4xf32>

func.func @matmul_rank(%x: tensor<2x5x3xf32>, %t: tensor<2x5x4xf32>) -> tensor<f32> attributes {qnn.loss} {
  %w = ml_program.global_load @w : tensor<3x4xf32>
  %y = qnn.matmul %x, %w : (tensor<2x5x3xf32>, tensor<3x4xf32>) -> tensor<2x5x4xf32>
  %loss, %d = qnn.mse_loss %y, %t : tensor<2x5x4xf32>
  return %loss : tensor<f32>
}
