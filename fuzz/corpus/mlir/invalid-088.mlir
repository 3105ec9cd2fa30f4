func.func @gelu_approximate(%x: tensor<4xf32>) {
  %0 = qnn.gelu %x {approximate = "erf"} : tensor<4xf32>
  return
}
