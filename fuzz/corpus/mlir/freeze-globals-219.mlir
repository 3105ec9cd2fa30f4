ml_program.global private mutable @conv.weight(dense<0.25> : tensor<4x3x1x1xf32>) : tensor<4x3x1x1xf32> {qnn.kind = "weight", qnn.layer = "conv"}
ml_program.global private mutable @conv.weight.momentum_buffer(dense<0.0> : tensor<4x3x1x1xf32>) : tensor<4x3x1x1xf32> {qnn.kind = "optimizer_state", qnn.layer = "conv"}
ml_program.global private mutable @fq0.scale(dense<0.125> : tensor<f32>) : tensor<f32> {qnn.kind = "quant_param", qnn.layer = "fq0"}

func.func @main(%x: tensor<?x3x4x4xf32>) -> tensor<?x4x4x4xf32> {
  %w = ml_program.global_load @conv.weight : tensor<4x3x1x1xf32>
  %s = ml_program.global_load @fq0.scale : tensor<f32>
  %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<f32>) {bits = 4} : tensor<4x3x1x1xf32>
  %y = qnn.conv2d %x, %wq : (tensor<?x3x4x4xf32>, tensor<4x3x1x1xf32>) -> tensor<?x4x4x4xf32>
  return %y : tensor<?x4x4x4xf32>
}

func.func @train_step(%x: tensor<?x3x4x4xf32>, %labels: tensor<?xi32>, %lr: tensor<f32>) -> tensor<f32> {
  %w = ml_program.global_load @conv.weight : tensor<4x3x1x1xf32>
  %buf = ml_program.global_load @conv.weight.momentum_buffer : tensor<4x3x1x1xf32>
  ml_program.global_store @conv.weight = %w : tensor<4x3x1x1xf32>
  %zero = arith.constant dense<0.0> : tensor<f32>
  return %zero : tensor<f32>
}
