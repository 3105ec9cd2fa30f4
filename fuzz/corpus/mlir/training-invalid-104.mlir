func.func @clip_grad_range(%dy: tensor<4xf32>) {
  %0 = qnn.clip_grad %dy, %dy {min = 6.0 : f64, max = 0.0 : f64} : tensor<4xf32>
  return
}
