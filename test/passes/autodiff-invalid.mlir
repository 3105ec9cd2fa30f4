// RUN: qopt %s -split-input-file -qnn-autodiff -verify-diagnostics

ml_program.global private mutable @w(dense<0.1> : tensor<10x4xf32>) : tensor<10x4xf32> {qnn.kind = "weight"}

func.func @no_rule(%x: tensor<2x4xf32>, %t: tensor<2x10xf32>) -> tensor<f32> attributes {qnn.loss} {
  %w = ml_program.global_load @w : tensor<10x4xf32>
  %y = qnn.linear %x, %w : (tensor<2x4xf32>, tensor<10x4xf32>) -> tensor<2x10xf32>
  // expected-error @+1 {{qnn-autodiff: no backward rule for 'qnn.sigmoid' (docs/training.md lists the differentiable ops)}}
  %s = qnn.sigmoid %y : tensor<2x10xf32>
  %loss, %d = qnn.mse_loss %s, %t : tensor<2x10xf32>
  return %loss : tensor<f32>
}

// -----

ml_program.global private mutable @w(dense<0.1> : tensor<4x4x1x1xf32>) : tensor<4x4x1x1xf32> {qnn.kind = "weight"}

ml_program.global private mutable @g(dense<1.0> : tensor<4xf32>) : tensor<4xf32> {qnn.kind = "bn_weight"}

func.func @inference_batch_norm(%x: tensor<2x4x4x4xf32>, %t: tensor<2x4x4x4xf32>, %p: tensor<4xf32>) -> tensor<f32> attributes {qnn.loss} {
  %w = ml_program.global_load @w : tensor<4x4x1x1xf32>
  %g = ml_program.global_load @g : tensor<4xf32>
  %c = qnn.conv2d %x, %w : (tensor<2x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<2x4x4x4xf32>
  // expected-error @+1 {{qnn-autodiff: qnn.batch_norm is the inference form, whose scale, bias and statistics get no gradient; training differentiates qnn.batch_norm_train (qnn-wrap-mode{mode=qat} rewrites it)}}
  %y = qnn.batch_norm %c, %g, %p, %p, %p : tensor<2x4x4x4xf32>, tensor<4xf32>
  %loss, %d = qnn.mse_loss %y, %t : tensor<2x4x4x4xf32>
  return %loss : tensor<f32>
}

// -----

ml_program.global private mutable @w(dense<0.1> : tensor<3x4xf32>) : tensor<3x4xf32>

func.func @matmul_rank(%x: tensor<2x5x3xf32>, %t: tensor<2x5x4xf32>) -> tensor<f32> attributes {qnn.loss} {
  %w = ml_program.global_load @w : tensor<3x4xf32>
  // expected-error @+1 {{qnn-autodiff: the backward of qnn.matmul is implemented for rank-2 operands only}}
  %y = qnn.matmul %x, %w : (tensor<2x5x3xf32>, tensor<3x4xf32>) -> tensor<2x5x4xf32>
  %loss, %d = qnn.mse_loss %y, %t : tensor<2x5x4xf32>
  return %loss : tensor<f32>
}

// -----

// expected-error @+1 {{qnn-autodiff: a qnn.loss function must have one block and return exactly one scalar loss}}
func.func @two_results(%x: tensor<f32>) -> (tensor<f32>, tensor<f32>) attributes {qnn.loss} {
  return %x, %x : tensor<f32>, tensor<f32>
}

// -----

func.func @not_scalar(%x: tensor<4xf32>) -> tensor<4xf32> attributes {qnn.loss} {
  // expected-error @+1 {{qnn-autodiff: the loss must be a scalar tensor<f32> computed by an op, got 'tensor<4xf32>'}}
  %y = qnn.relu %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
