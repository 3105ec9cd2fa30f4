// RUN: qopt %s -split-input-file -qnn-apply-policy -verify-diagnostics

// Every class of bad policy fails the pass with an error on the function,
// and the function is left unchanged. YAML files with errors are in
// apply-policy-yaml-invalid.mlir.

// Unknown keyword, with a suggestion.
// expected-error @+1 {{invalid policy: unknown policy keyword 'lsqq'; did you mean 'lsq'?}}
func.func @case0(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lsqq,fm_bit=4"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Unknown tag option.
// expected-error @+1 {{invalid policy: unknown policy keyword 'wt_bits'; did you mean 'wt_bit'?}}
func.func @case1(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lsq,wt_bits=4"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Unknown keyword, nothing close.
// expected-error @+1 {{invalid policy: unknown policy keyword 'frobnicate'}}
func.func @case2(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "frobnicate"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Bits out of range.
// expected-error @+1 {{invalid policy: fm_bit must be in [1, 16], got 0}}
func.func @case3(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lsq,fm_bit=0"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Bits out of range, first layer.
// expected-error @+1 {{invalid policy: first_bit must be in [1, 16], got 32}}
func.func @case4(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "first_bit=32"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Bits not a number.
// expected-error @+1 {{invalid policy: wt_bit takes an integer, got 'four'}}
func.func @case5(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "wt_bit=four"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Two method keywords.
// expected-error @+1 {{invalid policy: conflicting method keywords 'lsq' and 'pact'}}
func.func @case6(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lsq,pact"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Gamma modifies xnor.
// expected-error @+1 {{invalid policy: 'gamma' adds XNOR++'s learned scale and needs 'xnor'}}
func.func @case7(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "dorefa,gamma"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Xnor is binary.
// expected-error @+1 {{invalid policy: xnor is binary: wt_bit must be 1, got 2}}
func.func @case8(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "xnor,wt_bit=2"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Grad_scale needs a learned step.
// expected-error @+1 {{invalid policy: fm_grad_scale scales a learned step size and needs lsq or lsq_plus, not pact}}
func.func @case9(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "pact,fm_grad_scale=fan-scale"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Adaptive is for weights.
// expected-error @+1 {{invalid policy: fm_adaptive normalizes weights; only wt_adaptive is supported}}
func.func @case10(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lsq,fm_adaptive=var-mean"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Bad enum value.
// expected-error @+1 {{invalid policy: wt_grad_type takes ste, ste_scale, triangle or clipped_ste, got 'straight'}}
func.func @case11(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lsq,wt_grad_type=straight"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Bad quant_group.
// expected-error @+1 {{invalid policy: wt_quant_group takes a positive integer or C (per channel), got '0'}}
func.func @case12(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lsq,wt_quant_group=0"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Structure keywords take no value.
// expected-error @+1 {{invalid policy: policy keyword 'real_skip' takes no value}}
func.func @case13(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "real_skip=1"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Tag options need a value.
// expected-error @+1 {{invalid policy: policy keyword 'wt_boundary' needs a value (wt_boundary=...)}}
func.func @case14(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lsq,wt_boundary"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Malformed per-layer option.
// expected-error @+1 {{invalid policy: per-layer option 'layer.wt_bit=2' must read layer.<index or name>.<option>=<value>}}
func.func @case15(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "layer.wt_bit=2"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Per-layer option with a bad value.
// expected-error @+1 {{invalid policy: wt_bit must be in [1, 16], got 99}}
func.func @case16(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "layer.2.wt_bit=99"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// quant_group must divide the channels of every quantized layer: the
// message names the layer.
// expected-error @+1 {{layer 1 'block.conv': wt_quant_group=3 does not divide its 4 output channels}}
func.func @group_does_not_divide(%x: tensor<?x2x4x4xf32>) -> tensor<?x4x4x4xf32> attributes {qnn.policy = "lsq,wt_quant_group=3"} {
  %w0 = arith.constant dense<0.5> : tensor<2x2x1x1xf32>
  %w1 = arith.constant dense<0.5> : tensor<4x2x1x1xf32>
  %w2 = arith.constant dense<0.5> : tensor<4x4x1x1xf32>
  %h0 = qnn.conv2d %x, %w0 : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32> loc("stem")
  %h1 = qnn.conv2d %h0, %w1 : (tensor<?x2x4x4xf32>, tensor<4x2x1x1xf32>) -> tensor<?x4x4x4xf32> loc("block.conv")
  %y = qnn.conv2d %h1, %w2 : (tensor<?x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x4x4xf32> loc("head")
  return %y : tensor<?x4x4x4xf32>
}

// -----

// Per-channel feature maps need a static channel count.
// expected-error @+1 {{layer 0 (qnn.linear): fm_quant_group needs a static number of channels along axis 1, got 'tensor<?x?xf32>'}}
func.func @dynamic_channels(%x: tensor<?x?xf32>, %w: tensor<4x?xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lsq,quant_first,quant_last,fm_quant_group=C"} {
  %y = qnn.linear %x, %w : (tensor<?x?xf32>, tensor<4x?xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// An override that selects no layer is a mistake, not a no-op.
// expected-error @+1 {{per-layer option 'layer.conv9.wt_bit=2' matches no layer; layers are 0..1 named 'a', 'b'}}
func.func @override_matches_nothing(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lsq,layer.conv9.wt_bit=2"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %h = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("a")
  %y = qnn.linear %h, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("b")
  return %y : tensor<?x4xf32>
}

// -----

// Each alternative of a selector must pick a layer: a misspelt glob among
// several is named.
// expected-error @+1 {{per-layer option 'layer.a|c*.wt_bit=2': 'c*' matches no layer; layers are 0..1 named 'a', 'b'}}
func.func @selector_alternative_matches_nothing(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lsq,layer.a|c*.wt_bit=2"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %h = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("a")
  %y = qnn.linear %h, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("b")
  return %y : tensor<?x4xf32>
}

// -----

// An index range past the last layer.
// expected-error @+1 {{per-layer option 'layer.2:.enable=false' matches no layer; layers are 0..1}}
func.func @range_matches_nothing(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lsq,layer.2:.enable=false"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %h = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %y = qnn.linear %h, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// quant_scope: a pattern that matches no layer name.
// expected-error @+1 {{policy keyword 'quant_scope=backbone.*' matches no layer; layers are 0..1 named 'stem', 'head'}}
func.func @quant_scope_matches_nothing(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lsq,quant_scope=backbone.*"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %h = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("stem")
  %y = qnn.linear %h, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("head")
  return %y : tensor<?x4xf32>
}

// -----

// expected-error @+1 {{invalid policy: policy keyword 'quant_scope' needs a value (quant_scope=...)}}
func.func @quant_scope_without_value(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "quant_scope"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// expected-error @+1 {{invalid policy: layer selector 'stem|' has an empty alternative}}
func.func @quant_scope_empty_alternative(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "quant_scope=stem|"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// expected-error @+1 {{invalid policy: layer selector 'block[' is not a valid glob: invalid glob pattern, unmatched '['}}
func.func @bad_glob(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "layer.block[.wt_bit=2"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// A per-layer override that makes a layer invalid names the layer.
// expected-error @+1 {{layer 1 'b': xnor is binary: fm_bit must be 1, got 4}}
func.func @override_conflict(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "xnor,layer.b.fm_bit=4,quant_last"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %h = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("a")
  %y = qnn.linear %h, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("b")
  return %y : tensor<?x4xf32>
}

// -----

// A policy file that cannot be read.
// expected-error @+1 {{invalid policy file: cannot read policy file 'does-not-exist.yaml'}}
func.func @missing_file(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy_file = "does-not-exist.yaml"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// model-quantization's architecture keywords are accepted with a warning
// (the pass succeeds).
// expected-warning @+1 {{policy keyword 'origin' chooses how model-quantization builds a PyTorch model; it has no effect on an imported graph}}
func.func @architecture_keyword(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "lsq,origin"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// model-quantization's non-uniform weights are ternary: 2 bits only.
// expected-error @+1 {{invalid policy: non_uniform weights are ternary (levels -1, 0, 1): wt_bit must be 2, got 4}}
func.func @non_uniform_wt_bits(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "non-uniform,wt_bit=4,fm_bit=2"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// first_bit sets the first layer's weight bits too; the error names the layer.
// expected-error @+1 {{layer 0 (qnn.linear): non_uniform weights are ternary (levels -1, 0, 1): wt_bit must be 2, got 8 (first_bit / last_bit set it too: give the edge layers another method, e.g. layer.0.wt_method=lsq)}}
func.func @non_uniform_first_bit(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "non-uniform,wt_bit=2,fm_bit=2,first_bit=8"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %z = qnn.linear %y, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %z : tensor<?x4xf32>
}

// -----

// non_uniform slopes are per tensor.
// expected-error @+1 {{invalid policy: non_uniform slopes are per tensor; fm_quant_group must be 1}}
func.func @non_uniform_group(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {qnn.policy = "non-uniform,wt_bit=2,fm_bit=2,fm_quant_group=C"} {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
