// A function for qrun to feed the reproducers' inputs to.
func.func @main(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = qnn.relu %x : tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
