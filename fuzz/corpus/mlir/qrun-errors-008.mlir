func.func @main(%x: tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32> {
  %y = qnn.relu %x : tensor<?x1x4x4xf32>
  return %y : tensor<?x1x4x4xf32>
}
