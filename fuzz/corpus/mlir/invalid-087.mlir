func.func @fq_relaxed_not_adaround(%w: tensor<4xf32>, %s: tensor<f32>) {
  %0 = qnn.fake_quant lsq weight %w scale(%s : tensor<f32>) {bits = 4, relaxed} : tensor<4xf32>
  return
}
