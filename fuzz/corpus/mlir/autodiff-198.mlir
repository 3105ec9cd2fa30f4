ml_program.global private mutable @conv.weight(dense<0.1> : tensor<4x4x1x1xf32>) : tensor<4x4x1x1xf32> {qnn.kind = "weight"}
ml_program.global private mutable @fc.weight(dense<0.1> : tensor<10x4xf32>) : tensor<10x4xf32> {qnn.kind = "weight"}

func.func @pools(%x: tensor<?x4x8x8xf32>, %labels: tensor<?xi32>) -> tensor<f32> attributes {qnn.loss} {
  %w = ml_program.global_load @conv.weight : tensor<4x4x1x1xf32>
  %fw = ml_program.global_load @fc.weight : tensor<10x4xf32>
  %c = qnn.conv2d %x, %w : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %mp = qnn.max_pool %c {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x4x4xf32>
  %p = qnn.pad %mp {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<?x4x4x4xf32>) -> tensor<?x4x6x6xf32>
  %ap = qnn.avg_pool %p {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, count_include_pad} : (tensor<?x4x6x6xf32>) -> tensor<?x4x4x4xf32>
  %gp = qnn.global_avg_pool %ap : (tensor<?x4x4x4xf32>) -> tensor<?x4x1x1xf32>
  %f = qnn.reshape %gp : (tensor<?x4x1x1xf32>) -> tensor<?x4xf32>
  %y = qnn.linear %f, %fw : (tensor<?x4xf32>, tensor<10x4xf32>) -> tensor<?x10xf32>
  %loss, %dy = qnn.softmax_cross_entropy %y, %labels : tensor<?x10xf32>, tensor<?xi32>
  return %loss : tensor<f32>
}
