func.func @pact(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %a = arith.constant dense<10.0> : tensor<f32>
  %y = qnn.fake_quant pact activation %x clip(%a : tensor<f32>) {bits = 4, half_range} : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
