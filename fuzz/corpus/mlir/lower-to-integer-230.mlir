func.func @qdq_gemm_weight(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w8 = arith.constant dense<[[1, 2, -5], [3, 4, 6]]> : tensor<2x3xi8>
  %w = quant.scast %w8 : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32:0, {0.5, 0.25}>>
  %wf = qnn.dequantize %w : tensor<2x3x!quant.uniform<i8:f32:0, {0.5, 0.25}>> -> tensor<2x3xf32>
  %wt = qnn.transpose %wf {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %y = qnn.matmul %x, %wt : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
