// One case per verifier rule: each must be rejected with a message a user
// can act on.
// RUN: qopt %s -split-input-file -verify-diagnostics

func.func @conv_groups_do_not_divide_channels(%x: tensor<1x6x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{input channels (6) are not divisible by groups (4)}}
  %0 = qnn.conv2d %x, %w {groups = 4} : (tensor<1x6x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_out_channels_not_divisible(%x: tensor<1x4x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{output channels (3) are not divisible by groups (2)}}
  %0 = qnn.conv2d %x, %w {groups = 2} : (tensor<1x4x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @conv_weight_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{weight expects 3 input channels per group, but the input has 4 channels in 1 group(s)}}
  %0 = qnn.conv2d %x, %w : (tensor<1x4x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_pads_length(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{pads must have 4 values [top, left, bottom, right], got 2}}
  %0 = qnn.conv2d %x, %w {pads = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv_negative_pad(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{pads must be non-negative, got -1}}
  %0 = qnn.conv2d %x, %w {pads = array<i64: -1, 0, 0, 0>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x5x6xf32>
  return
}

// -----

func.func @conv_zero_stride(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{strides must be positive, got 0}}
  %0 = qnn.conv2d %x, %w {strides = array<i64: 0, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_zero_dilation(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{dilations must be positive, got 0}}
  %0 = qnn.conv2d %x, %w {dilations = array<i64: 1, 0>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_empty_kernel(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x0x3xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{kernel sizes must be positive, got 0}}
  %0 = qnn.conv2d %x, %w : (tensor<1x4x8x8xf32>, tensor<8x4x0x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_window_too_large(%x: tensor<1x4x2x2xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{window of extent 3 does not fit the padded input of size 2}}
  %0 = qnn.conv2d %x, %w : (tensor<1x4x2x2xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x1x1xf32>
  return
}

// -----

func.func @conv_wrong_result(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{inferred type(s) 'tensor<1x8x6x6xf32>' are incompatible with return type(s) of operation 'tensor<1x8x8x8xf32>'}}
  %0 = qnn.conv2d %x, %w : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv_bias_length(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{bias must be a vector of 8 elements (one per output channel), got 'tensor<4xf32>'}}
  %0 = qnn.conv2d %x, %w, %b : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<4xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_integer_operand(%x: tensor<1x4x8x8xi8>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float values}}
  %0 = qnn.conv2d %x, %w : (tensor<1x4x8x8xi8>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @batch_norm_params(%x: tensor<1x4x8x8xf32>, %p: tensor<3xf32>) {
  // expected-error @+1 {{scale, bias, mean and variance must be vectors of 4 elements (one per channel), got 'tensor<3xf32>'}}
  %0 = qnn.batch_norm %x, %p, %p, %p, %p : tensor<1x4x8x8xf32>, tensor<3xf32>
  return
}

// -----

func.func @batch_norm_epsilon(%x: tensor<1x4x8x8xf32>, %p: tensor<4xf32>) {
  // expected-error @+1 {{epsilon must be positive, got 0}}
  %0 = qnn.batch_norm %x, %p, %p, %p, %p {epsilon = 0.0 : f64} : tensor<1x4x8x8xf32>, tensor<4xf32>
  return
}

// -----

func.func @linear_features(%x: tensor<2x63xf32>, %w: tensor<10x64xf32>) {
  // expected-error @+1 {{input has 63 features but the weight expects 64}}
  %0 = qnn.linear %x, %w : (tensor<2x63xf32>, tensor<10x64xf32>) -> tensor<2x10xf32>
  return
}

// -----

func.func @linear_weight_rank(%x: tensor<2x64xf32>, %w: tensor<10x64x1xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{expects an N x K weight of rank 2, got rank 3}}
  %0 = qnn.linear %x, %w : (tensor<2x64xf32>, tensor<10x64x1xf32>) -> tensor<2x10xf32>
  return
}

// -----

func.func @matmul_contraction(%a: tensor<3x4xf32>, %b: tensor<5x6xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{contraction sizes differ: 4 vs 5}}
  %0 = qnn.matmul %a, %b : (tensor<3x4xf32>, tensor<5x6xf32>) -> tensor<3x6xf32>
  return
}

// -----

func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{operand shapes do not broadcast: tensor<2x3xf32> and tensor<4x3xf32>}}
  %0 = qnn.add %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @clip_bounds(%a: tensor<4xf32>) {
  // expected-error @+1 {{min (6) must not exceed max (0)}}
  %0 = qnn.clip %a {min = 6.0 : f64, max = 0.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @softmax_axis(%a: tensor<2x10xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = qnn.softmax %a {axis = 2} : tensor<2x10xf32>
  return
}

// -----

func.func @prelu_slope(%x: tensor<1x4x8x8xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{slope must have 1 element or one per channel (4), got 'tensor<3xf32>'}}
  %0 = qnn.prelu %x, %s : tensor<1x4x8x8xf32>, tensor<3xf32>
  return
}

// -----

func.func @pool_pad_exceeds_kernel(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{pads (2) must be smaller than the kernel (2)}}
  %0 = qnn.max_pool %x {kernel = array<i64: 2, 2>, pads = array<i64: 2, 0, 0, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x6x4xf32>
  return
}

// -----

func.func @pool_zero_kernel(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{kernel sizes must be positive, got 0}}
  %0 = qnn.max_pool %x {kernel = array<i64: 0, 2>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x7xf32>
  return
}

// -----

func.func @pool_zero_stride(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{strides must be positive, got 0}}
  %0 = qnn.avg_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @pool_zero_dilation(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{dilations must be positive, got 0}}
  %0 = qnn.max_pool %x {kernel = array<i64: 2, 2>, dilations = array<i64: 0, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x7x7xf32>
  return
}

// -----

func.func @pool_kernel_length(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'kernel' failed to satisfy constraint}}
  %0 = qnn.avg_pool %x {kernel = array<i64: 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x7x7xf32>
  return
}

// -----

func.func @global_pool_rank(%x: tensor<4x8x8xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{expects an NCHW input of rank 4, got rank 3}}
  %0 = qnn.global_avg_pool %x : (tensor<4x8x8xf32>) -> tensor<4x1x1xf32>
  return
}

// -----

func.func @concat_mismatch(%a: tensor<1x4x8x8xf32>, %b: tensor<1x4x7x8xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{input 1 has size 7 in dimension 2, expected 8}}
  %0 = qnn.concat %a, %b {axis = 1} : (tensor<1x4x8x8xf32>, tensor<1x4x7x8xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @pad_length(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{pads must have 2 * rank = 8 values, got 4}}
  %0 = qnn.pad %a {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x10x10xf32>
  return
}

// -----

func.func @reshape_count(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{cannot reshape 6 elements into 'tensor<7xf32>' (7 elements)}}
  %0 = qnn.reshape %a : (tensor<2x3xf32>) -> tensor<7xf32>
  return
}

// -----

func.func @flatten_axis(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{axis 3 is out of range for rank 2}}
  %0 = qnn.flatten %a {axis = 3} : (tensor<2x3xf32>) -> tensor<6x1xf32>
  return
}

// -----

func.func @transpose_perm(%a: tensor<2x3x4xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{perm must be a permutation of 0..2, bad entry 1}}
  %0 = qnn.transpose %a {perm = array<i64: 0, 1, 1>} : (tensor<2x3x4xf32>) -> tensor<2x3x3xf32>
  return
}

// -----

func.func @resize_to_empty(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{resizes spatial dimension 3 of size 8 to 0}}
  %0 = qnn.resize nearest asymmetric %a : (tensor<1x4x8x8xf32>) -> tensor<1x4x16x0xf32>
  return
}

// -----

func.func @resize_channels(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{only the spatial dimensions may be resized}}
  %0 = qnn.resize nearest asymmetric %a : (tensor<1x4x8x8xf32>) -> tensor<1x8x16x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// fake_quant
//===----------------------------------------------------------------------===//

func.func @fq_bits_zero(%a: tensor<4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{bits must be in [1, 16], got 0}}
  %0 = qnn.fake_quant lsq activation %a scale(%s : tensor<f32>) {bits = 0} : tensor<4xf32>
  return
}

// -----

func.func @fq_bits_large(%a: tensor<4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{bits must be in [1, 16], got 17}}
  %0 = qnn.fake_quant lsq activation %a scale(%s : tensor<f32>) {bits = 17} : tensor<4xf32>
  return
}

// -----

func.func @fq_per_channel_length(%w: tensor<16x8x3x3xf32>, %s: tensor<8xf32>) {
  // expected-error @+1 {{scale must have shape [16] (one value per channel along axis 0), got 'tensor<8xf32>'}}
  %0 = qnn.fake_quant lsq weight %w scale(%s : tensor<8xf32>) {axis = 0, bits = 4} : tensor<16x8x3x3xf32>
  return
}

// -----

func.func @fq_per_tensor_length(%w: tensor<16x8x3x3xf32>, %s: tensor<16xf32>) {
  // expected-error @+1 {{scale must have shape [1], got 'tensor<16xf32>'}}
  %0 = qnn.fake_quant lsq weight %w scale(%s : tensor<16xf32>) {bits = 4} : tensor<16x8x3x3xf32>
  return
}

// -----

func.func @fq_group_length(%w: tensor<16x8x3x3xf32>, %s: tensor<16xf32>) {
  // expected-error @+1 {{scale must have shape [4] (one value per group along axis 0), got 'tensor<16xf32>'}}
  %0 = qnn.fake_quant lsq weight %w scale(%s : tensor<16xf32>) {axis = 0, groups = 4, bits = 4} : tensor<16x8x3x3xf32>
  return
}

// -----

func.func @fq_groups_divide(%w: tensor<16x8x3x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{groups (3) must divide the 16 channels along axis 0}}
  %0 = qnn.fake_quant lsq weight %w scale(%s : tensor<3xf32>) {axis = 0, groups = 3, bits = 4} : tensor<16x8x3x3xf32>
  return
}

// -----

func.func @fq_groups_need_axis(%w: tensor<16x8x3x3xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{groups needs an axis to group along}}
  %0 = qnn.fake_quant lsq weight %w scale(%s : tensor<4xf32>) {groups = 4, bits = 4} : tensor<16x8x3x3xf32>
  return
}

// -----

func.func @fq_axis_range(%w: tensor<16x8x3x3xf32>, %s: tensor<16xf32>) {
  // expected-error @+1 {{axis 4 is out of range for an input of rank 4}}
  %0 = qnn.fake_quant lsq weight %w scale(%s : tensor<16xf32>) {axis = 4, bits = 4} : tensor<16x8x3x3xf32>
  return
}

// -----

func.func @fq_missing_param(%a: tensor<4xf32>) {
  // expected-error @+1 {{lsq needs a scale operand}}
  %0 = qnn.fake_quant lsq activation %a {bits = 4} : tensor<4xf32>
  return
}

// -----

func.func @fq_extra_param(%a: tensor<4xf32>, %s: tensor<f32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{lsq does not take a basis operand}}
  %0 = qnn.fake_quant lsq activation %a scale(%s : tensor<f32>) basis(%b : tensor<4xf32>) {bits = 4} : tensor<4xf32>
  return
}

// -----

func.func @fq_xnor_bits(%a: tensor<4xf32>) {
  // expected-error @+1 {{xnor is binary: bits must be 1, got 2}}
  %0 = qnn.fake_quant xnor activation %a {bits = 2} : tensor<4xf32>
  return
}

// -----

func.func @fq_pact_weight(%w: tensor<4xf32>, %c: tensor<f32>) {
  // expected-error @+1 {{pact quantizes activations; use dorefa or lsq for weights}}
  %0 = qnn.fake_quant pact weight %w clip(%c : tensor<f32>) {bits = 4} : tensor<4xf32>
  return
}

// -----

func.func @fq_adaround_activation(%a: tensor<4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{adaround rounds weights; its role must be weight}}
  %0 = qnn.fake_quant adaround activation %a scale(%s : tensor<f32>) offset(%a : tensor<4xf32>) {bits = 4} : tensor<4xf32>
  return
}

// -----

func.func @fq_adaround_offset_type(%w: tensor<4xf32>, %s: tensor<f32>, %v: tensor<2xf32>) {
  // expected-error @+1 {{offset (AdaRound's V) must have the input's type 'tensor<4xf32>', got 'tensor<2xf32>'}}
  %0 = qnn.fake_quant adaround weight %w scale(%s : tensor<f32>) offset(%v : tensor<2xf32>) {bits = 4} : tensor<4xf32>
  return
}

// -----

func.func @fq_lqnet_basis(%w: tensor<4xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{basis must have shape [2], got 'tensor<3xf32>'}}
  %0 = qnn.fake_quant lqnet weight %w basis(%b : tensor<3xf32>) {bits = 2} : tensor<4xf32>
  return
}

// -----

func.func @fq_narrow_half_range(%a: tensor<4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{narrow applies to signed ranges; it cannot be combined with half_range}}
  %0 = qnn.fake_quant lsq activation %a scale(%s : tensor<f32>) {bits = 4, half_range, narrow} : tensor<4xf32>
  return
}

// -----

func.func @fq_grad_scale_method(%a: tensor<4xf32>, %c: tensor<f32>) {
  // expected-error @+1 {{grad_scale fan_scale scales a learned step size and needs lsq or lsq_plus, not pact}}
  %0 = qnn.fake_quant pact activation %a clip(%c : tensor<f32>) grad_scale fan_scale {bits = 4} : tensor<4xf32>
  return
}

// -----

func.func @fq_adaptive_activation(%a: tensor<4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{adaptive normalization applies to weights only}}
  %0 = qnn.fake_quant lsq activation %a scale(%s : tensor<f32>) adaptive var_mean {bits = 4} : tensor<4xf32>
  return
}

// -----

// non_uniform: one set of slopes per tensor; the full-range (ternary) form
// has exactly two (below and above 0).
func.func @fq_non_uniform_axis(%w: tensor<2x4xf32>, %a: tensor<2xf32>) {
  // expected-error @+1 {{non_uniform slopes are per tensor; it takes no axis}}
  %0 = qnn.fake_quant non_uniform weight %w clip(%a : tensor<2xf32>) {axis = 0, bits = 2} : tensor<2x4xf32>
  return
}

// -----

func.func @fq_non_uniform_ternary_slopes(%w: tensor<2x4xf32>, %a: tensor<3xf32>) {
  // expected-error @+1 {{non_uniform without half_range is ternary and needs 2 slopes (below and above 0), got 'tensor<3xf32>'}}
  %0 = qnn.fake_quant non_uniform weight %w clip(%a : tensor<3xf32>) {bits = 2} : tensor<2x4xf32>
  return
}

// -----

func.func @fq_unknown_method(%a: tensor<4xf32>) {
  // expected-error @+2 {{expected ::qopt::qnn::QuantMethod to be one of: uniform, lsq, lsq_plus, pact, dorefa, lqnet, xnor, xnor_plus_plus, non_uniform, adaround}}
  // expected-error @+1 {{failed to parse Qnn_QuantMethodAttr parameter 'value'}}
  %0 = qnn.fake_quant ternary activation %a {bits = 2} : tensor<4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// observe
//===----------------------------------------------------------------------===//

func.func @observe_bits(%a: tensor<4xf32>) {
  // expected-error @+1 {{bits must be in [1, 16], got 32}}
  %0 = qnn.observe min_max activation %a {bits = 32} : tensor<4xf32>
  return
}

// -----

func.func @observe_percentile(%a: tensor<4xf32>) {
  // expected-error @+1 {{percentile must be in (0, 100], got 101}}
  %0 = qnn.observe percentile activation %a {bits = 8, percentile = 101.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @observe_momentum(%a: tensor<4xf32>) {
  // expected-error @+1 {{momentum must be in (0, 1), got 1}}
  %0 = qnn.observe ema_min_max activation %a {bits = 8, momentum = 1.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @observe_norm(%a: tensor<4xf32>) {
  // expected-error @+1 {{norm must be positive, got 0}}
  %0 = qnn.observe mse activation %a {bits = 8, norm = 0.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @observe_axis(%a: tensor<4x3xf32>) {
  // expected-error @+1 {{axis 2 is out of range for an input of rank 2}}
  %0 = qnn.observe mse weight %a {axis = 2, bits = 8} : tensor<4x3xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Integer ops
//===----------------------------------------------------------------------===//

!qx = !quant.uniform<u8:f32, 0.02>
!qw = !quant.uniform<i8:f32, 0.01>
func.func @qconv_float_operand(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3x!qw>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of uniform quantized type values, but got 'tensor<1x4x8x8xf32>'}}
  %0 = qnn.qconv2d %x, %w : (tensor<1x4x8x8xf32>, tensor<8x4x3x3x!qw>) -> tensor<1x8x6x6x!qx>
  return
}

// -----

!qx = !quant.uniform<u8:f32, 0.02>
!qw = !quant.uniform<i8:f32, 0.01:3>
func.func @qconv_weight_zero_point(%x: tensor<1x4x8x8x!qx>, %w: tensor<8x4x3x3x!qw>) {
  // expected-error @+1 {{weight must be symmetric (zero point 0)}}
  %0 = qnn.qconv2d %x, %w : (tensor<1x4x8x8x!qx>, tensor<8x4x3x3x!qw>) -> tensor<1x8x6x6x!qx>
  return
}

// -----

!qx = !quant.uniform<u8:f32, 0.02>
!qw = !quant.uniform<u8:f32, 0.01>
func.func @qconv_weight_unsigned(%x: tensor<1x4x8x8x!qx>, %w: tensor<8x4x3x3x!qw>) {
  // expected-error @+1 {{weight storage must be signed}}
  %0 = qnn.qconv2d %x, %w : (tensor<1x4x8x8x!qx>, tensor<8x4x3x3x!qw>) -> tensor<1x8x6x6x!qx>
  return
}

// -----

!qx = !quant.uniform<u8:f32, 0.02>
!qw = !quant.uniform<i8:f32:0, {0.01, 0.02, 0.03}>
func.func @qconv_per_channel_count(%x: tensor<1x4x8x8x!qx>, %w: tensor<8x4x3x3x!qw>) {
  // expected-error @+1 {{weight has 3 scales but 8 elements along its quantized axis 0}}
  %0 = qnn.qconv2d %x, %w : (tensor<1x4x8x8x!qx>, tensor<8x4x3x3x!qw>) -> tensor<1x8x6x6x!qx>
  return
}

// -----

!qx = !quant.uniform<u8:f32, 0.02>
!qw = !quant.uniform<i8:f32:1, {0.01, 0.02, 0.03, 0.04}>
func.func @qconv_per_channel_axis(%x: tensor<1x4x8x8x!qx>, %w: tensor<8x4x3x3x!qw>) {
  // expected-error @+1 {{weight may only be quantized along axis 0, got axis 1}}
  %0 = qnn.qconv2d %x, %w : (tensor<1x4x8x8x!qx>, tensor<8x4x3x3x!qw>) -> tensor<1x8x6x6x!qx>
  return
}

// -----

!qx = !quant.uniform<u8:f32, 0.02>
!qa = !quant.uniform<u8:f32:1, {0.02, 0.02, 0.02, 0.02}>
!qw = !quant.uniform<i8:f32, 0.01>
func.func @qconv_per_axis_input(%x: tensor<1x4x8x8x!qa>, %w: tensor<8x4x3x3x!qw>) {
  // expected-error @+1 {{input must be quantized per tensor}}
  %0 = qnn.qconv2d %x, %w : (tensor<1x4x8x8x!qa>, tensor<8x4x3x3x!qw>) -> tensor<1x8x6x6x!qx>
  return
}

// -----

!qx = !quant.uniform<u8:f32, 0.02>
!qw = !quant.uniform<i8:f32, 0.01>
func.func @qconv_bias(%x: tensor<1x4x8x8x!qx>, %w: tensor<8x4x3x3x!qw>, %b: tensor<4xi32>) {
  // expected-error @+1 {{bias must be a vector of 8 values, got 'tensor<4xi32>'}}
  %0 = qnn.qconv2d %x, %w, %b : (tensor<1x4x8x8x!qx>, tensor<8x4x3x3x!qw>, tensor<4xi32>) -> tensor<1x8x6x6x!qx>
  return
}

// -----

!qx = !quant.uniform<u8:f32, 0.02>
!qw = !quant.uniform<i8:f32, 0.01>
!qacc = !quant.uniform<i32:f32, 2.0e-4>
func.func @qconv_f32_bias_accumulator(%x: tensor<1x4x8x8x!qx>, %w: tensor<8x4x3x3x!qw>, %b: tensor<8xf32>) {
  // expected-error @+1 {{an f32 bias needs a requantized result (it is added in the requantization epilogue); an i32 accumulator takes an i32 bias}}
  %0 = qnn.qconv2d %x, %w, %b : (tensor<1x4x8x8x!qx>, tensor<8x4x3x3x!qw>, tensor<8xf32>) -> tensor<1x8x6x6x!qacc>
  return
}

// -----

!qx = !quant.uniform<u8:f32, 0.02>
!qw = !quant.uniform<i8:f32, 0.01>
func.func @qconv_result_shape(%x: tensor<1x4x8x8x!qx>, %w: tensor<8x4x3x3x!qw>) {
  // expected-error @+1 {{result shape must be compatible with [1, 8, 6, 6], got 'tensor<1x8x8x8x!quant.uniform<u8:f32, 2.000000e-02>>'}}
  %0 = qnn.qconv2d %x, %w : (tensor<1x4x8x8x!qx>, tensor<8x4x3x3x!qw>) -> tensor<1x8x8x8x!qx>
  return
}

// -----

!qx = !quant.uniform<u8:f32, 0.02>
!qw = !quant.uniform<i8:f32, 0.01>
func.func @qconv_residual_shape(%x: tensor<1x4x8x8x!qx>, %w: tensor<8x4x3x3x!qw>, %r: tensor<1x8x8x8x!qx>) {
  // expected-error @+1 {{residual and result shapes differ}}
  %0 = qnn.qconv2d %x, %w residual(%r) : (tensor<1x4x8x8x!qx>, tensor<8x4x3x3x!qw>, tensor<1x8x8x8x!qx>) -> tensor<1x8x6x6x!qx>
  return
}

// -----

!qx = !quant.uniform<u8:f32, 0.02>
!qw = !quant.uniform<i8:f32, 0.01>
func.func @qlinear_relu_i32(%x: tensor<2x4x!qx>, %w: tensor<3x4x!qw>) {
  // expected-error @+1 {{relu needs a quantized result to clamp at its zero point; an i32 result is the raw accumulator}}
  %0 = qnn.qlinear %x, %w {relu} : (tensor<2x4x!qx>, tensor<3x4x!qw>) -> tensor<2x3xi32>
  return
}

// -----

!qx = !quant.uniform<u8:f32, 0.02>
!qw = !quant.uniform<i8:f32, 0.01>
func.func @qlinear_features(%x: tensor<2x5x!qx>, %w: tensor<3x4x!qw>) {
  // expected-error @+1 {{input has 5 features but the weight expects 4}}
  %0 = qnn.qlinear %x, %w : (tensor<2x5x!qx>, tensor<3x4x!qw>) -> tensor<2x3xi32>
  return
}

// -----

!qx = !quant.uniform<u8:f32, 0.02>
func.func @qadd_shapes(%a: tensor<2x4x!qx>, %b: tensor<2x5x!qx>) {
  // expected-error @+1 {{operand shapes differ}}
  %0 = qnn.qadd %a, %b : (tensor<2x4x!qx>, tensor<2x5x!qx>) -> tensor<2x4x!qx>
  return
}

// -----

!qx = !quant.uniform<u8:f32, 0.02>
func.func @quantize_shape(%a: tensor<2x4xf32>) {
  // expected-error @+1 {{input and result shapes differ}}
  %0 = qnn.quantize %a : tensor<2x4xf32> -> tensor<2x5x!qx>
  return
}

// -----

!qh = !quant.uniform<u8:f16, 0.02>
func.func @quantize_expressed_type(%a: tensor<2x4xf32>) {
  // expected-error @+1 {{result must express f32 values, got 'f16'}}
  %0 = qnn.quantize %a : tensor<2x4xf32> -> tensor<2x4x!qh>
  return
}

// -----

!qx = !quant.uniform<u8:f32, 0.02>
func.func @dequantize_float_input(%a: tensor<2x4xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of uniform quantized type values}}
  %0 = qnn.dequantize %a : tensor<2x4xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @observe_groups(%w: tensor<6x4xf32>) {
  // expected-error @+1 {{groups (4) must divide the 6 channels along axis 0}}
  %0 = qnn.observe min_max weight %w {axis = 0, groups = 4, bits = 8, symmetric} : tensor<6x4xf32>
  return
}

// -----

func.func @fq_relaxed_not_adaround(%w: tensor<4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{relaxed rounding is AdaRound's; method lsq has none}}
  %0 = qnn.fake_quant lsq weight %w scale(%s : tensor<f32>) {bits = 4, relaxed} : tensor<4xf32>
  return
}

// -----

func.func @gelu_approximate(%x: tensor<4xf32>) {
  // expected-error @+1 {{approximate must be "none" or "tanh", got "erf"}}
  %0 = qnn.gelu %x {approximate = "erf"} : tensor<4xf32>
  return
}

// -----

func.func @tanh_integer(%x: tensor<4xi8>) {
  // expected-error @+1 {{'qnn.tanh' op operand #0 must be ranked tensor of 32-bit float values, but got 'tensor<4xi8>'}}
  %0 = qnn.tanh %x : tensor<4xi8>
  return
}

// -----

func.func @layer_norm_axis(%x: tensor<2x3x4xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{axis must be in [0, 3) for an input of rank 3, got 3}}
  %0 = qnn.layer_norm %x, %g, %g {axis = 3 : i64} : tensor<2x3x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @layer_norm_scale_shape(%x: tensor<2x3x4xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{scale and bias must have the shape of the normalized axes [1, 3) of the input, got 'tensor<4xf32>' for 'tensor<2x3x4xf32>'}}
  %0 = qnn.layer_norm %x, %g, %g {axis = 1 : i64} : tensor<2x3x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @layer_norm_epsilon(%x: tensor<2x3x4xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{epsilon must be positive, got 0}}
  %0 = qnn.layer_norm %x, %g, %g {axis = 2 : i64, epsilon = 0.0 : f64} : tensor<2x3x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @group_norm_groups(%x: tensor<2x6x4x4xf32>, %g: tensor<6xf32>) {
  // expected-error @+1 {{num_groups must divide the 6 channels, got 4}}
  %0 = qnn.group_norm %x, %g, %g {num_groups = 4 : i64} : tensor<2x6x4x4xf32>, tensor<6xf32>
  return
}

// -----

func.func @group_norm_scale_shape(%x: tensor<2x6x4x4xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{scale and bias must be static vectors of 6 elements (one per channel), got 'tensor<4xf32>'}}
  %0 = qnn.group_norm %x, %g, %g {num_groups = 2 : i64} : tensor<2x6x4x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @group_norm_rank(%x: tensor<6xf32>, %g: tensor<6xf32>) {
  // expected-error @+1 {{expects an input of rank >= 2 with channels on axis 1, got rank 1}}
  %0 = qnn.group_norm %x, %g, %g {num_groups = 2 : i64} : tensor<6xf32>, tensor<6xf32>
  return
}

// -----

func.func @expand_not_one(%t: tensor<2x1x8xf32>, %x: tensor<?x3x32xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{axis 0 of the input must have size 1}}
  %0 = qnn.expand %t, %x {axes = array<i64: 0>} : (tensor<2x1x8xf32>, tensor<?x3x32xf32>) -> tensor<?x1x8xf32>
  return
}

// -----

func.func @expand_axis_range(%t: tensor<1x1x8xf32>, %x: tensor<?xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{axis 1 is out of range for the input's rank 3 or like's rank 1}}
  %0 = qnn.expand %t, %x {axes = array<i64: 1>} : (tensor<1x1x8xf32>, tensor<?xf32>) -> tensor<1x1x8xf32>
  return
}

// -----

func.func @reduce_mean_unsorted(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{axes must be sorted and distinct, got 2 before 1}}
  %0 = qnn.reduce_mean %x {axes = array<i64: 2, 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  return
}

// -----

func.func @reduce_mean_axis_range(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{axis 3 is out of range for rank 3 (axes are in [0, 3))}}
  %0 = qnn.reduce_mean %x {axes = array<i64: 3>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @reduce_mean_type(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{inferred type(s) 'tensor<2x1x4xf32>' are incompatible with return type(s) of operation 'tensor<2x4xf32>'}}
  %0 = qnn.reduce_mean %x {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  return
}
