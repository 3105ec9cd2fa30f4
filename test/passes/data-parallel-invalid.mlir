// RUN: qopt %s -split-input-file -verify-diagnostics -qnn-data-parallel

func.func @lqnet(%x: tensor<4x8xf32>, %basis: tensor<2xf32>, %p: tensor<8xf32>, %g: tensor<8xf32>, %buf: tensor<8xf32>, %lr: tensor<f32>) -> (tensor<2xf32>, tensor<8xf32>) {
  // expected-error @+1 {{qnn-data-parallel: LQ-Nets' basis update fits the basis to this rank's activations only; data-parallel LQ-Nets training is not supported}}
  %nb = qnn.lqnet_basis_update activation %x, %basis {bits = 2 : i64} : tensor<4x8xf32>, tensor<2xf32>
  %p2, %buf2 = qnn.sgd_update %p, %g, %buf, %lr : tensor<8xf32>
  return %nb, %p2 : tensor<2xf32>, tensor<8xf32>
}
