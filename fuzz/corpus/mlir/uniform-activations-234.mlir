func.func @pact(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %alpha = arith.constant dense<3.0> : tensor<f32>
  %q = qnn.fake_quant pact activation %x clip(%alpha : tensor<f32>) grad clipped_ste {bits = 4, half_range, qnn.name = "l1.fm"} : tensor<?x4xf32>
  return %q : tensor<?x4xf32>
}
