ml_program.global private mutable @fc1.weight(dense<0.1> : tensor<16x32xf32>) : tensor<16x32xf32> {qnn.kind = "weight"}
ml_program.global private mutable @fc2.weight(dense<0.1> : tensor<10x16xf32>) : tensor<10x16xf32> {qnn.kind = "weight"}
ml_program.global private mutable @fc2.bias(dense<0.0> : tensor<10xf32>) : tensor<10xf32> {qnn.kind = "bias"}

func.func @linear(%x: tensor<?x2x4x4xf32>, %labels: tensor<?xi32>) -> tensor<f32> attributes {qnn.loss} {
  %w1 = ml_program.global_load @fc1.weight : tensor<16x32xf32>
  %w2 = ml_program.global_load @fc2.weight : tensor<10x16xf32>
  %b2 = ml_program.global_load @fc2.bias : tensor<10xf32>
  %f = qnn.flatten %x : (tensor<?x2x4x4xf32>) -> tensor<?x32xf32>
  %h = qnn.linear %f, %w1 : (tensor<?x32xf32>, tensor<16x32xf32>) -> tensor<?x16xf32>
  %y = qnn.linear %h, %w2, %b2 : (tensor<?x16xf32>, tensor<10x16xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %loss, %dy = qnn.softmax_cross_entropy %y, %labels : tensor<?x10xf32>, tensor<?xi32>
  return %loss : tensor<f32>
}
