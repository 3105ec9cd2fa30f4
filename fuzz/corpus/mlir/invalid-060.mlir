func.func @fq_lqnet_basis(%w: tensor<4xf32>, %b: tensor<3xf32>) {
  %0 = qnn.fake_quant lqnet weight %w basis(%b : tensor<3xf32>) {bits = 2} : tensor<4xf32>
  return
}
