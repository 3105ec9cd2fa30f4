func.func @after_relu(%x: tensor<1x2x4x4xf32>, %p: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %r = qnn.relu %x : tensor<1x2x4x4xf32>
  %z = qnn.batch_norm %r, %p, %p, %p, %p : tensor<1x2x4x4xf32>, tensor<2xf32>
  return %z : tensor<1x2x4x4xf32>
}
