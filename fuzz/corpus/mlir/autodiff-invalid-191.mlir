ml_program.global private mutable @w(dense<0.1> : tensor<10x4xf32>) : tensor<10x4xf32> {qnn.kind = "weight"}

func.func @no_rule(%x: tensor<2x4xf32>, %t: tensor<2x10xf32>) -> tensor<f32> attributes {qnn.loss} {
  %w = ml_program.global_load @w : tensor<10x4xf32>
  %y = qnn.linear %x, %w : (tensor<2x4xf32>, tensor<10x4xf32>) -> tensor<2x10xf32>
  %s = qnn.sigmoid %y : tensor<2x10xf32>
  %loss, %d = qnn.mse_loss %s, %t : tensor<2x10xf32>
  return %loss : tensor<f32>
}
