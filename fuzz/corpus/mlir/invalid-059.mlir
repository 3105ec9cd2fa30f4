func.func @fq_adaround_offset_type(%w: tensor<4xf32>, %s: tensor<f32>, %v: tensor<2xf32>) {
  %0 = qnn.fake_quant adaround weight %w scale(%s : tensor<f32>) offset(%v : tensor<2xf32>) {bits = 4} : tensor<4xf32>
  return
}
