func.func @lqnet_basis_momentum(%x: tensor<4xf32>, %v: tensor<2xf32>) {
  %0 = qnn.lqnet_basis_update weight %x, %v {bits = 2, momentum = 1.0 : f64} : tensor<4xf32>, tensor<2xf32>
  return
}
