module {
  func.func @main(%x: tensor<?x1x4x4xf32>) -> tensor<?x10xf32> {
    %w = arith.constant dense<0.1> : tensor<2x1x3x3xf32>
    %cv = arith.constant dense<[[0.1, 0.2], [0.3, 0.6]]> : tensor<2x2xf32>
    %v = arith.constant dense<[0.1, 0.2]> : tensor<2xf32>
    %fw = arith.constant dense<0.05> : tensor<10x8xf32>
    %wq = qnn.fake_quant lqnet weight %w basis(%cv : tensor<2x2xf32>) {axis = 0, bits = 2} : tensor<2x1x3x3xf32> loc("conv.wt")
    %y = qnn.conv2d %x, %wq : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x2x2xf32> loc("conv")
    %r = qnn.relu %y : tensor<?x2x2x2xf32>
    %f = qnn.flatten %r {axis = 1} : (tensor<?x2x2x2xf32>) -> tensor<?x8xf32>
    %fq = qnn.fake_quant lqnet activation %f basis(%v : tensor<2xf32>) {bits = 2, half_range} : tensor<?x8xf32> loc("fc.fm")
    %fwq = qnn.fake_quant lqnet weight %fw basis(%v : tensor<2xf32>) {bits = 2} : tensor<10x8xf32> loc("fc.wt")
    %o = qnn.linear %fq, %fwq : (tensor<?x8xf32>, tensor<10x8xf32>) -> tensor<?x10xf32> loc("fc")
    return %o : tensor<?x10xf32>
  }
}
