func.func @not_frozen(%x: tensor<4xf32>, %s: tensor<f32>) -> tensor<4xf32> {
  %q = qnn.fake_quant lsq activation %x scale(%s : tensor<f32>) {bits = 8} : tensor<4xf32>
  return %q : tensor<4xf32>
}
