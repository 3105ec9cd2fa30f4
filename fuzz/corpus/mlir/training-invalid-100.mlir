func.func @batch_norm_train_momentum(%x: tensor<1x16x4x4xf32>, %g: tensor<16xf32>) {
  %y:5 = qnn.batch_norm_train %x, %g, %g, %g, %g {momentum = 1.5 : f64} : tensor<1x16x4x4xf32>, tensor<16xf32>
  return
}
