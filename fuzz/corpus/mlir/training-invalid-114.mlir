func.func @slice_range(%x: tensor<4x16xf32>) {
  %0 = qnn.slice %x {axis = 1, start = 12} : (tensor<4x16xf32>) -> tensor<4x8xf32>
  return
}
