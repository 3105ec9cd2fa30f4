// One case per verifier rule of the training ops (backward, loss,
// optimizer): each must be rejected with a message a user can act on.
// RUN: qopt %s -split-input-file -verify-diagnostics

func.func @conv_grad_input_shape(%dy: tensor<1x16x8x8xf32>, %w: tensor<16x8x3x3xf32>) {
  // expected-error @+1 {{output_grad has shape 1x16x8x8, but the forward op maps an input of shape 1x8x8x8 to 1x16x6x6}}
  %0 = qnn.conv2d_grad_input %dy, %w : (tensor<1x16x8x8xf32>, tensor<16x8x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv_grad_input_channels(%dy: tensor<1x16x6x6xf32>, %w: tensor<16x8x3x3xf32>) {
  // expected-error @+1 {{weight expects 8 input channels per group, but the input has 4 channels in 1 group(s)}}
  %0 = qnn.conv2d_grad_input %dy, %w : (tensor<1x16x6x6xf32>, tensor<16x8x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @conv_grad_weight_groups(%dy: tensor<1x16x6x6xf32>, %x: tensor<1x6x8x8xf32>) {
  // expected-error @+1 {{input channels (6) are not divisible by groups (4)}}
  %0 = qnn.conv2d_grad_weight %dy, %x {groups = 4} : (tensor<1x16x6x6xf32>, tensor<1x6x8x8xf32>) -> tensor<16x2x3x3xf32>
  return
}

// -----

func.func @conv_grad_weight_rank(%dy: tensor<1x16x6x6xf32>, %x: tensor<1x8x8x8xf32>) {
  // expected-error @+1 {{expects an OIHW weight of rank 4, got rank 2}}
  %0 = qnn.conv2d_grad_weight %dy, %x : (tensor<1x16x6x6xf32>, tensor<1x8x8x8xf32>) -> tensor<16x8xf32>
  return
}

// -----

func.func @bias_grad_rank(%dy: tensor<16xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{'qnn.bias_grad' op expects an output_grad of rank >= 2 with channels on axis 1, got rank 1}}
  %0 = qnn.bias_grad %dy : (tensor<16xf32>) -> tensor<16xf32>
  return
}

// -----

func.func @linear_grad_input_features(%dy: tensor<4x10xf32>, %w: tensor<12x64xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{'qnn.linear_grad_input' op output_grad has 10 features but the weight has 12 outputs}}
  %0 = qnn.linear_grad_input %dy, %w : (tensor<4x10xf32>, tensor<12x64xf32>) -> tensor<4x64xf32>
  return
}

// -----

func.func @linear_grad_weight_batch(%dy: tensor<4x10xf32>, %x: tensor<5x64xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{'qnn.linear_grad_weight' op output_grad (4x10) and input (5x64) differ in their leading dimensions}}
  %0 = qnn.linear_grad_weight %dy, %x : (tensor<4x10xf32>, tensor<5x64xf32>) -> tensor<10x64xf32>
  return
}

// -----

func.func @batch_norm_train_channels(%x: tensor<1x16x4x4xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{scale, bias, running_mean and running_var must be vectors of 16 elements (one per channel), got 'tensor<8xf32>'}}
  %y:5 = qnn.batch_norm_train %x, %g, %g, %g, %g : tensor<1x16x4x4xf32>, tensor<8xf32>
  return
}

// -----

func.func @batch_norm_train_momentum(%x: tensor<1x16x4x4xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{momentum must be in [0, 1], got 1.5}}
  %y:5 = qnn.batch_norm_train %x, %g, %g, %g, %g {momentum = 1.5 : f64} : tensor<1x16x4x4xf32>, tensor<16xf32>
  return
}

// -----

func.func @batch_norm_train_epsilon(%x: tensor<1x16x4x4xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{epsilon must be positive, got 0}}
  %y:5 = qnn.batch_norm_train %x, %g, %g, %g, %g {epsilon = 0.0 : f64} : tensor<1x16x4x4xf32>, tensor<16xf32>
  return
}

// -----

func.func @batch_norm_grad_channels(%dy: tensor<1x16x4x4xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{scale, saved_mean and saved_invstd must be vectors of 16 elements (one per channel), got 'tensor<8xf32>'}}
  %d:3 = qnn.batch_norm_grad %dy, %dy, %g, %g, %g : tensor<1x16x4x4xf32>, tensor<8xf32>
  return
}

// -----

func.func @batch_norm_grad_types(%dy: tensor<1x16x4x4xf32>, %x: tensor<2x16x4x4xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{all of {output_grad, input} have same type}}
  %d:3 = "qnn.batch_norm_grad"(%dy, %x, %g, %g, %g) : (tensor<1x16x4x4xf32>, tensor<2x16x4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<2x16x4x4xf32>, tensor<16xf32>, tensor<16xf32>)
  return
}

// -----

func.func @clip_grad_range(%dy: tensor<4xf32>) {
  // expected-error @+1 {{min (6) must not exceed max (0)}}
  %0 = qnn.clip_grad %dy, %dy {min = 6.0 : f64, max = 0.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @max_pool_grad_shape(%dy: tensor<1x16x3x3xf32>, %x: tensor<1x16x8x8xf32>) {
  // expected-error @+1 {{output_grad has shape 1x16x3x3, but the forward op maps an input of shape 1x16x8x8 to 1x16x4x4}}
  %0 = qnn.max_pool_grad %dy, %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : (tensor<1x16x3x3xf32>, tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  return
}

// -----

func.func @avg_pool_grad_rank(%dy: tensor<1x16x4x4xf32>) {
  // expected-error @+1 {{expects an NCHW result of rank 4, got rank 3}}
  %0 = qnn.avg_pool_grad %dy {kernel = array<i64: 2, 2>} : (tensor<1x16x4x4xf32>) -> tensor<16x8x8xf32>
  return
}

// -----

func.func @avg_pool_grad_shape(%dy: tensor<1x16x4x4xf32>) {
  // expected-error @+1 {{output_grad has shape 1x16x4x4, but the forward op maps an input of shape 1x16x8x8 to 1x16x7x7}}
  %0 = qnn.avg_pool_grad %dy {kernel = array<i64: 2, 2>} : (tensor<1x16x4x4xf32>) -> tensor<1x16x8x8xf32>
  return
}

// -----

func.func @global_avg_pool_grad_shape(%dy: tensor<1x16x2x2xf32>) {
  // expected-error @+1 {{output_grad must have shape 1x16x1x1 (global_avg_pool's result), got 1x16x2x2}}
  %0 = qnn.global_avg_pool_grad %dy : (tensor<1x16x2x2xf32>) -> tensor<1x16x7x7xf32>
  return
}

// -----

func.func @pad_grad_too_small(%dy: tensor<1x16x2x2xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{'qnn.pad_grad' op dimension 2 of size 2 is smaller than its pads (4)}}
  %0 = qnn.pad_grad %dy {pads = array<i64: 0, 0, 2, 0, 0, 0, 2, 0>} : (tensor<1x16x2x2xf32>) -> tensor<1x16x0x2xf32>
  return
}

// -----

func.func @pad_grad_count(%dy: tensor<1x16x2x2xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{'qnn.pad_grad' op pads must have 2 * rank = 8 values, got 4}}
  %0 = qnn.pad_grad %dy {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x2x2xf32>) -> tensor<1x16x2x2xf32>
  return
}

// -----

func.func @reduce_to_not_broadcast(%dy: tensor<4x16x8x8xf32>) {
  // expected-error @+1 {{result shape 3x1 must broadcast to the input shape 4x16x8x8}}
  %0 = qnn.reduce_to %dy : (tensor<4x16x8x8xf32>) -> tensor<3x1xf32>
  return
}

// -----

func.func @reduce_to_rank(%dy: tensor<16xf32>) {
  // expected-error @+1 {{result shape 1x16 must broadcast to the input shape 16}}
  %0 = qnn.reduce_to %dy : (tensor<16xf32>) -> tensor<1x16xf32>
  return
}

// -----

func.func @slice_other_dim(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{only dimension 1 may differ, but dimension 0 is 2 instead of 4}}
  %0 = qnn.slice %x {axis = 1, start = 0} : (tensor<4x16xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @slice_range(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{range [12, 20) exceeds dimension 1 of size 16}}
  %0 = qnn.slice %x {axis = 1, start = 12} : (tensor<4x16xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @slice_axis(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = qnn.slice %x {axis = 2, start = 0} : (tensor<4x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @fake_quant_grad_needs_scale(%dy: tensor<4xf32>) {
  // expected-error @+1 {{lsq needs a scale operand}}
  %0 = qnn.fake_quant_grad lsq activation %dy, %dy {bits = 4} : tensor<4xf32>
  return
}

// -----

func.func @fake_quant_grad_param_shape(%dy: tensor<4x2xf32>, %s: tensor<2xf32>) {
  // expected-error @+1 {{scale must have shape [4] (one value per channel along axis 0), got 'tensor<2xf32>'}}
  %0:2 = qnn.fake_quant_grad lsq weight %dy, %dy scale(%s : tensor<2xf32>) {axis = 0, bits = 4} : tensor<4x2xf32>
  return
}

// -----

func.func @fake_quant_grad_result_count(%dy: tensor<4xf32>, %a: tensor<f32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{'qnn.fake_quant_grad' op inferred type(s) 'tensor<4xf32>', 'tensor<f32>' are incompatible with return type(s) of operation 'tensor<4xf32>'}}
  %0 = "qnn.fake_quant_grad"(%dy, %dy, %a) <{method = #qnn<method pact>, role = #qnn<role activation>, bits = 4 : i64, half_range, operandSegmentSizes = array<i32: 1, 1, 0, 0, 1, 0, 0>}> : (tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return
}

// -----

func.func @lqnet_basis_bits(%x: tensor<4xf32>, %v: tensor<9xf32>) {
  // expected-error @+1 {{'qnn.lqnet_basis_update' op the LQ-Nets basis update supports bits <= 8, got 9}}
  %0 = qnn.lqnet_basis_update weight %x, %v {bits = 9} : tensor<4xf32>, tensor<9xf32>
  return
}

// -----

func.func @lqnet_basis_momentum(%x: tensor<4xf32>, %v: tensor<2xf32>) {
  // expected-error @+1 {{'qnn.lqnet_basis_update' op momentum must be in [0, 1), got 1}}
  %0 = qnn.lqnet_basis_update weight %x, %v {bits = 2, momentum = 1.0 : f64} : tensor<4xf32>, tensor<2xf32>
  return
}

// -----

func.func @lqnet_basis_shape(%x: tensor<4x3xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'qnn.lqnet_basis_update' op basis must have shape [4, 2] (one row per channel along axis 0), got 'tensor<4xf32>'}}
  %0 = qnn.lqnet_basis_update weight %x, %v {axis = 0, bits = 2} : tensor<4x3xf32>, tensor<4xf32>
  return
}

// -----

func.func @lqnet_basis_axis(%x: tensor<4x3xf32>, %v: tensor<4x2xf32>) {
  // expected-error @+1 {{'qnn.lqnet_basis_update' op axis 2 is out of range for an input of rank 2}}
  %0 = qnn.lqnet_basis_update weight %x, %v {axis = 2, bits = 2} : tensor<4x3xf32>, tensor<4x2xf32>
  return
}

// -----

func.func @lqnet_basis_result(%x: tensor<4xf32>, %v: tensor<2xf32>) {
  // expected-error @+1 {{'qnn.lqnet_basis_update' op failed to verify that all of {basis, new_basis} have same type}}
  %0 = "qnn.lqnet_basis_update"(%x, %v) <{role = #qnn<role weight>, bits = 2 : i64}> : (tensor<4xf32>, tensor<2xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @cross_entropy_labels(%logits: tensor<4x10xf32>, %labels: tensor<5xi32>) {
  // expected-error @+1 {{'qnn.softmax_cross_entropy' op labels must be a vector of 4 class indices (one per row), got shape 5}}
  %0:2 = qnn.softmax_cross_entropy %logits, %labels : tensor<4x10xf32>, tensor<5xi32>
  return
}

// -----

func.func @cross_entropy_rank(%logits: tensor<4x10x2xf32>, %labels: tensor<4xi32>) {
  // expected-error @+1 {{'qnn.softmax_cross_entropy' op expects N x C logits of rank 2, got rank 3}}
  %0:2 = qnn.softmax_cross_entropy %logits, %labels : tensor<4x10x2xf32>, tensor<4xi32>
  return
}

// -----

func.func @focal_classes_shape(%logits: tensor<2x10x4x4xf32>, %classes: tensor<2x4x5xi32>, %n: tensor<f32>) {
  // expected-error @+1 {{'qnn.sigmoid_focal_loss' op classes must be the logits' shape without the class dimension (2x10x4x4 -> N x d...), got 2x4x5}}
  %0:2 = qnn.sigmoid_focal_loss %logits, %classes, %n : tensor<2x10x4x4xf32>, tensor<2x4x5xi32>
  return
}

// -----

func.func @focal_rank(%logits: tensor<10xf32>, %classes: tensor<i32>, %n: tensor<f32>) {
  // expected-error @+1 {{'qnn.sigmoid_focal_loss' op expects N x C x ... logits, got rank 1}}
  %0:2 = qnn.sigmoid_focal_loss %logits, %classes, %n : tensor<10xf32>, tensor<i32>
  return
}

// -----

func.func @focal_alpha(%logits: tensor<2x10xf32>, %classes: tensor<2xi32>, %n: tensor<f32>) {
  // expected-error @+1 {{'qnn.sigmoid_focal_loss' op alpha must be at most 1 (negative: no weighting), got 1.5}}
  %0:2 = qnn.sigmoid_focal_loss %logits, %classes, %n {alpha = 1.5} : tensor<2x10xf32>, tensor<2xi32>
  return
}

// -----

func.func @focal_gamma(%logits: tensor<2x10xf32>, %classes: tensor<2xi32>, %n: tensor<f32>) {
  // expected-error @+1 {{'qnn.sigmoid_focal_loss' op gamma must be finite and non-negative, got -1}}
  %0:2 = qnn.sigmoid_focal_loss %logits, %classes, %n {gamma = -1.0} : tensor<2x10xf32>, tensor<2xi32>
  return
}

// -----

func.func @giou_boxes(%p: tensor<2x5x4x4xf32>, %w: tensor<2x1x4x4xf32>, %n: tensor<f32>) {
  // expected-error @+1 {{'qnn.giou_loss' op expects boxes N x 4 x ... (left, top, right, bottom distances), got 2x5x4x4}}
  %0:2 = qnn.giou_loss %p, %p, %w, %n : tensor<2x5x4x4xf32>, tensor<2x1x4x4xf32>
  return
}

// -----

func.func @giou_weight(%p: tensor<2x4x4x4xf32>, %w: tensor<2x4x4x4xf32>, %n: tensor<f32>) {
  // expected-error @+1 {{'qnn.giou_loss' op weight must be N x 1 x ... of the boxes' positions 2x4x4x4, got 2x4x4x4}}
  %0:2 = qnn.giou_loss %p, %p, %w, %n : tensor<2x4x4x4xf32>, tensor<2x4x4x4xf32>
  return
}

// -----

func.func @sgd_lr_scalar(%p: tensor<4xf32>, %lr: tensor<1xf32>) {
  // expected-error @+1 {{operand #3 must be 0D tensor of 32-bit float values}}
  %0:2 = "qnn.sgd_update"(%p, %p, %p, %lr) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<1xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @sgd_nesterov(%p: tensor<4xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{nesterov needs a positive momentum and zero dampening (as torch.optim.SGD)}}
  %0:2 = qnn.sgd_update %p, %p, %p, %lr {nesterov} : tensor<4xf32>
  return
}

// -----

func.func @sgd_dampening(%p: tensor<4xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{dampening must be in [0, 1], got 2}}
  %0:2 = qnn.sgd_update %p, %p, %p, %lr {dampening = 2.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @sgd_weight_decay(%p: tensor<4xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{weight_decay must be non-negative, got -0.1}}
  %0:2 = qnn.sgd_update %p, %p, %p, %lr {weight_decay = -0.1 : f64} : tensor<4xf32>
  return
}

// -----

func.func @sgd_momentum(%p: tensor<4xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{momentum must be non-negative, got -0.9}}
  %0:2 = qnn.sgd_update %p, %p, %p, %lr {momentum = -0.9 : f64} : tensor<4xf32>
  return
}

// -----

func.func @adam_beta(%p: tensor<4xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{beta2 must be in [0, 1), got 1}}
  %0:3 = qnn.adam_update %p, %p, %p, %p, %lr, %lr {beta2 = 1.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @adam_epsilon(%p: tensor<4xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{epsilon must be positive, got 0}}
  %0:3 = qnn.adam_update %p, %p, %p, %p, %lr, %lr {epsilon = 0.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @batch_norm_grad_epsilon(%dy: tensor<1x16x4x4xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{epsilon must be positive, got -1}}
  %d:3 = qnn.batch_norm_grad %dy, %dy, %g, %g, %g {epsilon = -1.0 : f64} : tensor<1x16x4x4xf32>, tensor<16xf32>
  return
}

// -----

func.func @relu_grad_types(%dy: tensor<4xf32>, %y: tensor<5xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "qnn.relu_grad"(%dy, %y) : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @mse_loss_types(%a: tensor<4xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{all of {lhs, rhs} have same type}}
  %0:2 = "qnn.mse_loss"(%a, %b) : (tensor<4xf32>, tensor<5xf32>) -> (tensor<f32>, tensor<4xf32>)
  return
}

// -----

func.func @conv_grad_input_groups(%dy: tensor<1x16x6x6xf32>, %w: tensor<16x8x3x3xf32>) {
  // expected-error @+1 {{groups must be positive, got 0}}
  %0 = qnn.conv2d_grad_input %dy, %w {groups = 0} : (tensor<1x16x6x6xf32>, tensor<16x8x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @adam_beta1(%p: tensor<4xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{beta1 must be in [0, 1), got -0.5}}
  %0:3 = qnn.adam_update %p, %p, %p, %p, %lr, %lr {beta1 = -0.5 : f64} : tensor<4xf32>
  return
}

// -----

func.func @adaround_regularizer_beta(%v: tensor<4xf32>, %beta: tensor<2xf32>, %lambda: tensor<f32>) {
  // expected-error @+1 {{operand #1 must be 0D tensor of 32-bit float values}}
  %0:2 = "qnn.adaround_regularizer"(%v, %beta, %lambda) : (tensor<4xf32>, tensor<2xf32>, tensor<f32>) -> (tensor<f32>, tensor<4xf32>)
  return
}

// -----

func.func @group_norm_grad_rank(%dy: tensor<16xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{'qnn.group_norm_grad' op expects an input of rank >= 2 with channels on axis 1, got rank 1}}
  %d:3 = qnn.group_norm_grad %dy, %dy, %g {num_groups = 4 : i64} : tensor<16xf32>, tensor<16xf32>
  return
}

// -----

func.func @group_norm_grad_channels(%dy: tensor<1x16x4x4xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{'qnn.group_norm_grad' op scale must be vectors of 16 elements (one per channel), got 'tensor<8xf32>'}}
  %d:3 = qnn.group_norm_grad %dy, %dy, %g {num_groups = 4 : i64} : tensor<1x16x4x4xf32>, tensor<8xf32>
  return
}

// -----

func.func @group_norm_grad_dynamic_scale(%dy: tensor<1x?x4x4xf32>, %g: tensor<?xf32>) {
  // expected-error @+1 {{'qnn.group_norm_grad' op scale must be a static vector (one element per channel), got 'tensor<?xf32>'}}
  %d:3 = qnn.group_norm_grad %dy, %dy, %g {num_groups = 4 : i64} : tensor<1x?x4x4xf32>, tensor<?xf32>
  return
}

// -----

func.func @group_norm_grad_groups(%dy: tensor<1x16x4x4xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{'qnn.group_norm_grad' op num_groups must be positive, got 0}}
  %d:3 = qnn.group_norm_grad %dy, %dy, %g {num_groups = 0 : i64} : tensor<1x16x4x4xf32>, tensor<16xf32>
  return
}

// -----

func.func @group_norm_grad_divide(%dy: tensor<1x16x4x4xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{'qnn.group_norm_grad' op num_groups must divide the 16 channels, got 3}}
  %d:3 = qnn.group_norm_grad %dy, %dy, %g {num_groups = 3 : i64} : tensor<1x16x4x4xf32>, tensor<16xf32>
  return
}

// -----

func.func @group_norm_grad_epsilon(%dy: tensor<1x16x4x4xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{'qnn.group_norm_grad' op epsilon must be non-negative, got -1}}
  %d:3 = qnn.group_norm_grad %dy, %dy, %g {num_groups = 4 : i64, epsilon = -1.0 : f64} : tensor<1x16x4x4xf32>, tensor<16xf32>
  return
}

// -----

func.func @group_norm_grad_types(%dy: tensor<1x16x4x4xf32>, %x: tensor<2x16x4x4xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{all of {output_grad, input} have same type}}
  %d:3 = "qnn.group_norm_grad"(%dy, %x, %g) {num_groups = 4 : i64} : (tensor<1x16x4x4xf32>, tensor<2x16x4x4xf32>, tensor<16xf32>) -> (tensor<2x16x4x4xf32>, tensor<16xf32>, tensor<16xf32>)
  return
}
