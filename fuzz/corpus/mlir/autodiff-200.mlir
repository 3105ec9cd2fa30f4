ml_program.global private mutable @conv.weight(dense<0.1> : tensor<4x4x3x3xf32>) : tensor<4x4x3x3xf32> {qnn.kind = "weight"}
ml_program.global private mutable @fq0.scale(dense<0.05> : tensor<4xf32>) : tensor<4xf32> {qnn.kind = "quant_param"}
ml_program.global private mutable @fq1.clip(dense<6.0> : tensor<f32>) : tensor<f32> {qnn.kind = "quant_param"}

func.func @fake_quant(%x: tensor<2x4x6x6xf32>, %t: tensor<2x4x4x4xf32>) -> tensor<f32> attributes {qnn.loss} {
  %w = ml_program.global_load @conv.weight : tensor<4x4x3x3xf32>
  %s = ml_program.global_load @fq0.scale : tensor<4xf32>
  %alpha = ml_program.global_load @fq1.clip : tensor<f32>
  %us = arith.constant dense<0.1> : tensor<f32>
  %uz = arith.constant dense<0.0> : tensor<f32>
  %xq = qnn.fake_quant pact activation %x clip(%alpha : tensor<f32>) {bits = 4, half_range} : tensor<2x4x6x6xf32>
  %wq = qnn.fake_quant lsq weight %w scale(%s : tensor<4xf32>) grad_scale fan_scale {axis = 0, bits = 4} : tensor<4x4x3x3xf32>
  %c = qnn.conv2d %xq, %wq : (tensor<2x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<2x4x4x4xf32>
  %cq = qnn.fake_quant uniform activation %c scale(%us : tensor<f32>) zero_point(%uz : tensor<f32>) {bits = 8} : tensor<2x4x4x4xf32>
  %loss, %d = qnn.mse_loss %cq, %t : tensor<2x4x4x4xf32>
  return %loss : tensor<f32>
}
