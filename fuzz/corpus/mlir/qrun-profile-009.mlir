func.func @main(%x: tensor<?x4x2x2xf32>) -> tensor<?x16xf32> {
  %r = qnn.relu %x : tensor<?x4x2x2xf32>
  %n = qnn.relu %r : tensor<?x4x2x2xf32>
  %f = qnn.flatten %n : (tensor<?x4x2x2xf32>) -> tensor<?x16xf32>
  return %f : tensor<?x16xf32>
}
