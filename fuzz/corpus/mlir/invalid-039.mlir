func.func @concat_mismatch(%a: tensor<1x4x8x8xf32>, %b: tensor<1x4x7x8xf32>) {
  %0 = qnn.concat %a, %b {axis = 1} : (tensor<1x4x8x8xf32>, tensor<1x4x7x8xf32>) -> tensor<1x8x8x8xf32>
  return
}
