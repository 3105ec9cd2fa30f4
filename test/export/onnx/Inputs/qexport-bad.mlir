// Inputs that qexport rejects (qexport.test).
func.func @pact(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = arith.constant dense<2.0> : tensor<f32>
  %y = qnn.fake_quant pact activation %x clip(%a : tensor<f32>) {bits = 4, half_range} : tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func @observe(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = qnn.relu %x : tensor<4xf32>
  %z = qnn.observe min_max activation %y {bits = 8} : tensor<4xf32>
  return %z : tensor<4xf32>
}
