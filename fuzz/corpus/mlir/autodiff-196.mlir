ml_program.global private mutable @conv.weight(dense<0.1> : tensor<4x3x3x3xf32>) : tensor<4x3x3x3xf32> {qnn.kind = "weight", qnn.layer = "conv"}
ml_program.global private mutable @conv.bias(dense<0.0> : tensor<4xf32>) : tensor<4xf32> {qnn.kind = "bias", qnn.layer = "conv"}
ml_program.global private mutable @bn.weight(dense<1.0> : tensor<4xf32>) : tensor<4xf32> {qnn.kind = "bn_weight", qnn.layer = "bn"}
ml_program.global private mutable @bn.bias(dense<0.0> : tensor<4xf32>) : tensor<4xf32> {qnn.kind = "bn_bias", qnn.layer = "bn"}
ml_program.global private mutable @bn.running_mean(dense<0.0> : tensor<4xf32>) : tensor<4xf32> {qnn.kind = "bn_stat", qnn.layer = "bn"}
ml_program.global private mutable @bn.running_var(dense<1.0> : tensor<4xf32>) : tensor<4xf32> {qnn.kind = "bn_stat", qnn.layer = "bn"}

func.func @conv_bn_relu(%x: tensor<2x3x8x8xf32>, %t: tensor<2x4x8x8xf32>) -> tensor<f32> attributes {qnn.loss} {
  %w = ml_program.global_load @conv.weight : tensor<4x3x3x3xf32>
  %cb = ml_program.global_load @conv.bias : tensor<4xf32>
  %g = ml_program.global_load @bn.weight : tensor<4xf32>
  %b = ml_program.global_load @bn.bias : tensor<4xf32>
  %m = ml_program.global_load @bn.running_mean : tensor<4xf32>
  %v = ml_program.global_load @bn.running_var : tensor<4xf32>
  %c = qnn.conv2d %x, %w, %cb {pads = array<i64: 1, 1, 1, 1>} : (tensor<2x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<2x4x8x8xf32>
  %y, %mean, %invstd, %rm, %rv = qnn.batch_norm_train %c, %g, %b, %m, %v : tensor<2x4x8x8xf32>, tensor<4xf32>
  %r = qnn.relu %y : tensor<2x4x8x8xf32>
  %loss, %d = qnn.mse_loss %r, %t : tensor<2x4x8x8xf32>
  ml_program.global_store @bn.running_mean = %rm : tensor<4xf32>
  ml_program.global_store @bn.running_var = %rv : tensor<4xf32>
  return %loss : tensor<f32>
}
