func.func @main(%x: tensor<?x8x4x4xf32>) -> tensor<?x8x4x4xf32> {
  %keep = qnn.slice %x {axis = 1, start = 0} : (tensor<?x8x4x4xf32>) -> tensor<?x4x4x4xf32>
  %work = qnn.slice %x {axis = 1, start = 4} : (tensor<?x8x4x4xf32>) -> tensor<?x4x4x4xf32>
  %r = qnn.relu %work : tensor<?x4x4x4xf32>
  %cat = qnn.concat %keep, %r {axis = 1} : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x8x4x4xf32>
  %g = qnn.reshape %cat : (tensor<?x8x4x4xf32>) -> tensor<?x2x4x4x4xf32>
  %t = qnn.transpose %g {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<?x2x4x4x4xf32>) -> tensor<?x4x2x4x4xf32>
  %y = qnn.reshape %t : (tensor<?x4x2x4x4xf32>) -> tensor<?x8x4x4xf32>
  return %y : tensor<?x8x4x4xf32>
}
