func.func @fake_quant_grad_result_count(%dy: tensor<4xf32>, %a: tensor<f32>) {
  %0 = "qnn.fake_quant_grad"(%dy, %dy, %a) <{method = #qnn<method pact>, role = #qnn<role activation>, bits = 4 : i64, half_range, operandSegmentSizes = array<i32: 1, 1, 0, 0, 1, 0, 0>}> : (tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return
}
