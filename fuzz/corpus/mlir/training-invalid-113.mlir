func.func @slice_other_dim(%x: tensor<4x16xf32>) {
  %0 = qnn.slice %x {axis = 1, start = 0} : (tensor<4x16xf32>) -> tensor<2x8xf32>
  return
}
