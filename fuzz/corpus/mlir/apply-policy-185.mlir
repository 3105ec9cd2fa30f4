func.func @real_skip_through_batch_norm(%x: tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> attributes {qnn.policy = "lsq,quant_first,quant_last,real_skip"} {
  %w3 = arith.constant dense<0.5> : tensor<2x2x3x3xf32>
  %w1 = arith.constant dense<0.5> : tensor<2x2x1x1xf32>
  %p = arith.constant dense<1.0> : tensor<2xf32>
  %a = qnn.conv2d %x, %w3 {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<?x2x4x4xf32>
  %an = qnn.batch_norm %a, %p, %p, %p, %p : tensor<?x2x4x4xf32>, tensor<2xf32>
  %s = qnn.conv2d %x, %w1 : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  %sn = qnn.batch_norm %s, %p, %p, %p, %p : tensor<?x2x4x4xf32>, tensor<2xf32>
  %y = qnn.add %an, %sn : (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  return %y : tensor<?x2x4x4xf32>
}
