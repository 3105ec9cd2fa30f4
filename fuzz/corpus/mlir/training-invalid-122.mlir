func.func @lqnet_basis_axis(%x: tensor<4x3xf32>, %v: tensor<4x2xf32>) {
  %0 = qnn.lqnet_basis_update weight %x, %v {axis = 2, bits = 2} : tensor<4x3xf32>, tensor<4x2xf32>
  return
}
