func.func @pact(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = arith.constant dense<6.0> : tensor<f32>
  %q = qnn.fake_quant pact activation %x clip(%c : tensor<f32>) {bits = 4, half_range} : tensor<4xf32>
  return %q : tensor<4xf32>
}
