module {
  func.func @main(%x: tensor<?x8xf32>) -> tensor<?x10xf32> {
    %w = arith.constant dense<0.05> : tensor<10x8xf32>
    %v = arith.constant dense<[0.1, 0.2]> : tensor<2xf32>
    %wq = qnn.fake_quant lqnet weight %w basis(%v : tensor<2xf32>) adaptive var_mean {bits = 2} : tensor<10x8xf32>
    %o = qnn.linear %x, %wq : (tensor<?x8xf32>, tensor<10x8xf32>) -> tensor<?x10xf32>
    return %o : tensor<?x10xf32>
  }
}
