func.func @observe_groups(%w: tensor<6x4xf32>) {
  %0 = qnn.observe min_max weight %w {axis = 0, groups = 4, bits = 8, symmetric} : tensor<6x4xf32>
  return
}
