func.func @lqnet_basis_bits(%x: tensor<4xf32>, %v: tensor<9xf32>) {
  %0 = qnn.lqnet_basis_update weight %x, %v {bits = 9} : tensor<4xf32>, tensor<9xf32>
  return
}
