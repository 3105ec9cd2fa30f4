ml_program.global private mutable @w : tensor<4xf32>

func.func @main() -> tensor<4xf32> {
  %w = ml_program.global_load @w : tensor<4xf32>
  return %w : tensor<4xf32>
}
