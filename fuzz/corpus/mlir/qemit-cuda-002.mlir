func.func @main(%x: tensor<?x4x2x2xf32>) -> tensor<?x16xf32> {
  %r = qnn.relu %x : tensor<?x4x2x2xf32>
  %f = qnn.flatten %r : (tensor<?x4x2x2xf32>) -> tensor<?x16xf32>
  return %f : tensor<?x16xf32>
}
func.func @upsample(%x: tensor<?x4x4x4xf32>) -> tensor<?x4x8x8xf32> {
  %u = qnn.resize nearest asymmetric %x {nearest_mode = #qnn<nearest_mode floor>} : (tensor<?x4x4x4xf32>) -> tensor<?x4x8x8xf32>
  return %u : tensor<?x4x8x8xf32>
}
