func.func @clip(%dy: tensor<1x6xf32>, %x: tensor<1x6xf32>) -> tensor<1x6xf32> {
  %dx = qnn.clip_grad %dy, %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<1x6xf32>
  return %dx : tensor<1x6xf32>
}

func.func @slice(%x: tensor<1x6xf32>) -> tensor<1x3xf32> {
  %s = qnn.slice %x {axis = 1 : i64, start = 2 : i64} : (tensor<1x6xf32>) -> tensor<1x3xf32>
  return %s : tensor<1x3xf32>
}
