func.func @main(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %y = arith.addf %x, %x : tensor<?x3xf32>
  %z = qnn.relu %y : tensor<?x3xf32>
  return %z : tensor<?x3xf32>
}
