func.func @dorefa(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %c = arith.constant dense<6.0> : tensor<f32>
  %a = qnn.fake_quant dorefa activation %x {bits = 2, half_range} : tensor<?x4xf32>
  %b = qnn.fake_quant dorefa activation %a clip(%c : tensor<f32>) {bits = 2, half_range} : tensor<?x4xf32>
  return %b : tensor<?x4xf32>
}
