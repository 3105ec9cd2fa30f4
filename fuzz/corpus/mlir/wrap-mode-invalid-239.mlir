func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

func.func @trained_scale(%x: tensor<4xf32>, %s: tensor<f32>) -> tensor<4xf32> {
  %q = qnn.fake_quant lsq activation %x scale(%s : tensor<f32>) {bits = 4} : tensor<4xf32>
  return %q : tensor<4xf32>
}

func.func @relaxed(%w: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %s = arith.constant dense<0.1> : tensor<2xf32>
  %v = arith.constant dense<0.0> : tensor<2x2xf32>
  %q = qnn.fake_quant adaround weight %w scale(%s : tensor<2xf32>) offset(%v : tensor<2x2xf32>) {axis = 0 : i64, bits = 4 : i64, relaxed} : tensor<2x2xf32>
  return %q : tensor<2x2xf32>
}
