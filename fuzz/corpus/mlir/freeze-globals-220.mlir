ml_program.global private mutable @w(dense<0.25> : tensor<4xf32>) : tensor<4xf32>

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  ml_program.global_store @w = %x : tensor<4xf32>
  return %x : tensor<4xf32>
}
