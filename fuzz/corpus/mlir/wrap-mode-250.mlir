func.func @stripped(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = qnn.observe min_max activation %x {bits = 8, name = "a"} : tensor<4xf32>
  return %o : tensor<4xf32>
}
