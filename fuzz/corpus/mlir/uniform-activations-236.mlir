func.func @untouched(%x: tensor<?x4xf32>, %w: tensor<2x4xf32>, %alpha: tensor<f32>) -> tensor<?x4xf32> {
  %s = arith.constant dense<0.5> : tensor<f32>
  %wq = qnn.fake_quant dorefa weight %w {bits = 2} : tensor<2x4xf32>
  %a = qnn.fake_quant lsq activation %x scale(%s : tensor<f32>) {bits = 4, half_range} : tensor<?x4xf32>
  %b = qnn.fake_quant pact activation %a clip(%alpha : tensor<f32>) {bits = 4, half_range} : tensor<?x4xf32>
  return %b : tensor<?x4xf32>
}
