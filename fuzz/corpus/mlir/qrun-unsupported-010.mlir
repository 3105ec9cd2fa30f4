func.func @main(%x: tensor<4xf32>, %s: tensor<f32>) -> tensor<4x!quant.uniform<i16:f32, 0.1>> {
  %o = qnn.observe min_max activation %x {bits = 8} : tensor<4xf32>
  %w = qnn.fake_quant lsq weight %o scale(%s : tensor<f32>) adaptive var_mean {bits = 4} : tensor<4xf32>
  %q = qnn.quantize %w : tensor<4xf32> -> tensor<4x!quant.uniform<i16:f32, 0.1>>
  return %q : tensor<4x!quant.uniform<i16:f32, 0.1>>
}
