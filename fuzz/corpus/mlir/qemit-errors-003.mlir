module {
  ml_program.global private mutable @g(dense<0.0> : tensor<2x3xf32>) : tensor<2x3xf32>
  func.func @main(%dy: tensor<?x3x?xf32>, %x: tensor<2x3xf32>) -> tensor<2x3xf32> {
    %dx = qnn.clip_grad %x, %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<2x3xf32>
    ml_program.global_store @g = %dx : tensor<2x3xf32>
    return %dx : tensor<2x3xf32>
  }
}
