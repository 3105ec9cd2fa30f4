module {
  ml_program.global private mutable @scale(dense<[0.5, 1.0, 1.5, 2.0]> : tensor<4xf32>) : tensor<4xf32>

  func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
    %s = ml_program.global_load @scale : tensor<4xf32>
    %y = qnn.mul %x, %s : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %z = qnn.add %y, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    return %z : tensor<4xf32>
  }

  func.func @store_then_load(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
    %old = ml_program.global_load @scale : tensor<4xf32>
    ml_program.global_store @scale = %x : tensor<4xf32>
    %new = ml_program.global_load @scale : tensor<4xf32>
    return %old, %new : tensor<4xf32>, tensor<4xf32>
  }
}
