func.func @negative_clip(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %alpha = arith.constant dense<-1.0> : tensor<f32>
  %q = qnn.fake_quant pact activation %x clip(%alpha : tensor<f32>) {bits = 4, half_range} : tensor<?x4xf32>
  return %q : tensor<?x4xf32>
}
