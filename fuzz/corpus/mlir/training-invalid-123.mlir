func.func @lqnet_basis_result(%x: tensor<4xf32>, %v: tensor<2xf32>) {
  %0 = "qnn.lqnet_basis_update"(%x, %v) <{role = #qnn<role weight>, bits = 2 : i64}> : (tensor<4xf32>, tensor<2xf32>) -> tensor<3xf32>
  return
}
