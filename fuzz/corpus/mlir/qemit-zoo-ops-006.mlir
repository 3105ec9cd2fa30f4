func.func @main(%x: tensor<?x4x4x4xf32>) -> (tensor<?x1x4x4xf32>, tensor<?x4xf32>) {
  %0 = qnn.silu %x : tensor<?x4x4x4xf32>
  %1 = qnn.gelu %0 : tensor<?x4x4x4xf32>
  %2 = qnn.gelu %1 {approximate = "tanh"} : tensor<?x4x4x4xf32>
  %3 = qnn.erf %2 : tensor<?x4x4x4xf32>
  %4 = qnn.reduce_mean %3 {axes = array<i64: 1>} : (tensor<?x4x4x4xf32>) -> tensor<?x1x4x4xf32>
  %5 = qnn.reduce_mean %3 {axes = array<i64: 2, 3>, keepdims = false} : (tensor<?x4x4x4xf32>) -> tensor<?x4xf32>
  return %4, %5 : tensor<?x1x4x4xf32>, tensor<?x4xf32>
}
