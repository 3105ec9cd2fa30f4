func.func @batch_norm_train_channels(%x: tensor<1x16x4x4xf32>, %g: tensor<8xf32>) {
  %y:5 = qnn.batch_norm_train %x, %g, %g, %g, %g : tensor<1x16x4x4xf32>, tensor<8xf32>
  return
}
