func.func @slice_axis(%x: tensor<4x16xf32>) {
  %0 = qnn.slice %x {axis = 2, start = 0} : (tensor<4x16xf32>) -> tensor<4x16xf32>
  return
}
