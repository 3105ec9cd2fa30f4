func.func @fq_pact_weight(%w: tensor<4xf32>, %c: tensor<f32>) {
  %0 = qnn.fake_quant pact weight %w clip(%c : tensor<f32>) {bits = 4} : tensor<4xf32>
  return
}
