func.func @lqnet_basis_shape(%x: tensor<4x3xf32>, %v: tensor<4xf32>) {
  %0 = qnn.lqnet_basis_update weight %x, %v {axis = 0, bits = 2} : tensor<4x3xf32>, tensor<4xf32>
  return
}
