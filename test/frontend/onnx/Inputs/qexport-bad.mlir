// Inputs that qexport rejects (qexport.test).
func.func @lsq(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = arith.constant dense<0.1> : tensor<f32>
  %y = qnn.fake_quant lsq activation %x scale(%s : tensor<f32>) {bits = 4} : tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func @observe(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = qnn.relu %x : tensor<4xf32>
  %z = qnn.observe min_max activation %y {bits = 8} : tensor<4xf32>
  return %z : tensor<4xf32>
}
