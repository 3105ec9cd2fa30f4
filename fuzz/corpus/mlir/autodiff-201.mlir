ml_program.global private mutable @a(dense<1.0> : tensor<2x3xf32>) : tensor<2x3xf32>
ml_program.global private mutable @b(dense<1.0> : tensor<2x5xf32>) : tensor<2x5xf32>
ml_program.global private mutable @unused(dense<1.0> : tensor<3xf32>) : tensor<3xf32>
ml_program.global private @frozen(dense<1.0> : tensor<8x2xf32>) : tensor<8x2xf32>

func.func @data_movement(%t: tensor<8x2xf32>) -> tensor<f32> attributes {qnn.loss} {
  %a = ml_program.global_load @a : tensor<2x3xf32>
  %b = ml_program.global_load @b : tensor<2x5xf32>
  %u = ml_program.global_load @unused : tensor<3xf32>
  %f = ml_program.global_load @frozen : tensor<8x2xf32>
  %cat = qnn.concat %a, %b {axis = 1} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  %tr = qnn.transpose %cat {perm = array<i64: 1, 0>} : (tensor<2x8xf32>) -> tensor<8x2xf32>
  %d = qnn.sub %f, %tr : (tensor<8x2xf32>, tensor<8x2xf32>) -> tensor<8x2xf32>
  %loss, %dd = qnn.mse_loss %d, %t : tensor<8x2xf32>
  return %loss : tensor<f32>
}
