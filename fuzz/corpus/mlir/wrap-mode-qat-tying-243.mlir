func.func @main(%x: tensor<?x2x4x4xf32>) -> tensor<?x1xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]]]> : tensor<1x2x1x1xf32>
  %zero = arith.constant dense<0.0> : tensor<1xf32>
  %one = arith.constant dense<1.0> : tensor<1xf32>
  %a = qnn.conv2d %x, %w : (tensor<?x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<?x1x4x4xf32>
  %an = qnn.batch_norm %a, %one, %zero, %zero, %one : tensor<?x1x4x4xf32>, tensor<1xf32>
  %b = qnn.conv2d %x, %w : (tensor<?x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<?x1x4x4xf32>
  %bn = qnn.batch_norm %b, %one, %zero, %zero, %one : tensor<?x1x4x4xf32>, tensor<1xf32>
  %s = qnn.add %an, %bn : (tensor<?x1x4x4xf32>, tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32>
  %p = qnn.global_avg_pool %s : (tensor<?x1x4x4xf32>) -> tensor<?x1x1x1xf32>
  %f = qnn.flatten %p : (tensor<?x1x1x1xf32>) -> tensor<?x1xf32>
  %o = qnn.add %f, %zero : (tensor<?x1xf32>, tensor<1xf32>) -> tensor<?x1xf32>
  return %o : tensor<?x1xf32>
}
