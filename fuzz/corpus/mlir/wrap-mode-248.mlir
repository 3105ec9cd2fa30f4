func.func @dorefa_clip(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %a = arith.constant dense<1.5> : tensor<f32>
  %y = qnn.fake_quant dorefa activation %x clip(%a : tensor<f32>) {bits = 2, half_range} : tensor<?x4xf32>
  %y2 = qnn.fake_quant dorefa activation %y {bits = 2, half_range} : tensor<?x4xf32>
  return %y2 : tensor<?x4xf32>
}
