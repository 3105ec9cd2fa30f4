func.func @global_pool_rank(%x: tensor<4x8x8xf32>) {
  %0 = qnn.global_avg_pool %x : (tensor<4x8x8xf32>) -> tensor<4x1x1xf32>
  return
}
